import type { QnapDevice } from '../core/report.generated.js';
import type { Fingerprint } from './data.js';
import type { Extracted } from './match.js';
import { firmwareFromParts, flavorName, formatFirmware, parseFirmware } from './version.js';

/** One fingerprint that matched on one port, with what it extracted. */
export interface MatchResult {
  fingerprint: Fingerprint;
  port: number;
  extracted: Extracted;
}

const RANK = { low: 0, medium: 1, high: 2 } as const;
const MAX_FLAGS = 64;

type Firmware = NonNullable<QnapDevice['firmware']>;

/**
 * authLogin.cgi's separate fields, kept as the device wrote them even when they do not parse: the verdicts then
 * say "cannot tell" with the text in hand, rather than the report hiding what the device said.
 */
export function firmwareOf(fields: Extracted['fields']): Firmware | null {
  const { version, number, build } = fields;
  if (version === undefined) return null;
  const parsed = firmwareFromParts(version, number, build);
  const full = parsed ? formatFirmware(parsed) : `${version}${number ? `.${number}` : ''}${build ? ` build ${build}` : ''}`.slice(0, 200);
  return { version, ...(number ? { number } : {}), ...(build ? { build } : {}), full };
}

function osOf(firmware: Firmware | null, model: string | undefined, displayModel: string | undefined): QnapDevice['os'] {
  if (displayModel === 'QuTScloud' || model === 'QuTScloud') return 'QuTScloud';
  const parsed = firmware ? parseFirmware(firmware.full) : null;
  if (parsed) return flavorName(parsed.flavor);
  return null;
}

/**
 * What the matches on all of a host's ports say it is. A host is a QNAP only when a fingerprint that identifies
 * QNAP matched (QDocRoot with QNAP's structure, the login page's markers, the default certificate, the Photo
 * Station page); a Server header or a title alone never makes one. Confidence is the best such match's, raised to
 * high when two different identifying fingerprints agree.
 */
export function buildDevice(results: readonly MatchResult[]): QnapDevice | null {
  const identifying = results.filter((result) => result.fingerprint.identifiesQnap);
  if (identifying.length === 0) return null;
  let confidence = identifying.reduce<QnapDevice['confidence']>((best, result) => (RANK[result.fingerprint.confidence] > RANK[best] ? result.fingerprint.confidence : best), 'low');
  if (confidence === 'medium' && new Set(identifying.filter((result) => result.fingerprint.confidence === 'medium').map((result) => result.fingerprint.id)).size >= 2) confidence = 'high';

  // Admin-UI answers (authLogin.cgi) first: they are the firmware's own word.
  const ordered = [...results].sort((a, b) => Number(b.fingerprint.adminUi ?? false) - Number(a.fingerprint.adminUi ?? false) || RANK[b.fingerprint.confidence] - RANK[a.fingerprint.confidence]);
  const first = (field: keyof Extracted['fields']): string | undefined => ordered.map((result) => result.extracted.fields[field]).find((value) => value !== undefined);

  let firmware: Firmware | null = null;
  for (const result of ordered) {
    firmware = firmwareOf(result.extracted.fields);
    if (firmware) break;
  }
  // Photo Station tells the firmware it was built for: the release only, a weaker source, used only when nothing better answered.
  const builtin = first('builtinFirmware');
  if (!firmware && builtin !== undefined) firmware = { version: builtin, full: builtin };

  const model = first('model');
  const displayModel = first('displayModel');
  const hostname = first('hostname');

  const apps: QnapDevice['apps'] = [];
  for (const result of results) {
    const name = result.fingerprint.app;
    if (name === undefined) continue;
    const version = result.extracted.fields.appVersion ?? null;
    const existing = apps.find((app) => app.name === name && app.port === result.port);
    if (existing) existing.version ??= version;
    else apps.push({ name, version, port: result.port });
  }

  const flags: Record<string, string> = {};
  for (const result of ordered) {
    for (const [name, value] of Object.entries(result.extracted.flags)) {
      if (Object.keys(flags).length >= MAX_FLAGS) break;
      if (!(name in flags)) flags[name] = value;
    }
  }
  const adminPorts = [...new Set(results.filter((result) => result.fingerprint.adminUi).map((result) => result.port))].sort((a, b) => a - b);

  return {
    vendor: 'QNAP',
    os: osOf(firmware, model, displayModel),
    ...(model !== undefined ? { model } : {}),
    ...(displayModel !== undefined ? { displayModel } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
    confidence,
    firmware,
    apps,
    ...(adminPorts.length > 0 ? { adminPorts } : {}),
    ...(Object.keys(flags).length > 0 ? { flags } : {}),
  };
}
