/**
 * What a --db value names, and how it may be shown. A PostgreSQL URL carries a password: every message, log line
 * and error shows it with the password replaced, never whole.
 */

export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value);
}

const SECRET_PARAMETERS = new Set(['password', 'sslpassword', 'sslkey']);

/** The URL with its password (and any password-like query parameter) replaced by "***". */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password !== '') url.password = '***';
    for (const name of [...url.searchParams.keys()]) if (SECRET_PARAMETERS.has(name.toLowerCase())) url.searchParams.set(name, '***');
    return url.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    // Not parseable: show the scheme and host-ish part only; whatever follows an "@" may be a password.
    const at = raw.lastIndexOf('@');
    return at === -1 ? raw.replace(/:[^:/@]*$/, ':***') : `${raw.slice(0, raw.indexOf('://') + 3)}***@${raw.slice(at + 1)}`;
  }
}

/** Every secret a URL holds, to scrub from texts that did not come from us (a driver's error message). */
export function secretsOf(raw: string): string[] {
  const secrets: string[] = [];
  try {
    const url = new URL(raw);
    if (url.password !== '') secrets.push(url.password, decodeURIComponent(url.password));
    for (const [name, value] of url.searchParams) if (SECRET_PARAMETERS.has(name.toLowerCase()) && value !== '') secrets.push(value);
  } catch {
    // Unparseable URLs are refused before anything could echo them.
  }
  return [...new Set(secrets.filter((secret) => secret.length > 0))];
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}
