import t from 'tap';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, ERROR_REGISTRY, createError, errorMessage, isErrorCode, type ErrorCode, type ErrorSpec } from '../../src/core/errors.js';
import { generateErrorsDoc } from '../../scripts/gen-errors-doc.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entries = Object.entries(ERROR_REGISTRY) as [ErrorCode, ErrorSpec][];

async function sourceFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(path.join(root, dir), { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(ts|mjs|js|json)$/.test(entry.name)) found.push(path.join(entry.parentPath, entry.name));
  }
  return found;
}

t.test('docs/errors.md is what npm run gen:errors writes from the registry', async (t) => {
  const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  t.equal(doc, generateErrorsDoc(), 'docs/errors.md is fresh (npm run gen:errors)');
  const documented = new Set([...doc.matchAll(/^\| `(EXP_ERR_[A-Z0-9_]+)` \|/gm)].map((match) => match[1]));
  for (const code of Object.keys(ERROR_REGISTRY)) t.ok(documented.has(code), `${code} documented`);
  t.equal(documented.size, entries.length, 'each code once, nothing else');
});

t.test('every code written anywhere in src/ and probes/ is in the registry', async (t) => {
  const files = [...(await sourceFiles('src')), ...(await sourceFiles('probes'))];
  const seen = new Map<string, string>();
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(/EXP_ERR_[A-Z0-9_]*/g)) seen.set(match[0], path.relative(root, file));
  }
  t.ok(seen.size > 40, `${seen.size} codes found in ${files.length} files`);
  for (const [code, file] of seen) {
    // "EXP_ERR_DB_*" in a comment names a family: some code must start with it.
    if (code.endsWith('_')) t.ok(entries.some(([known]) => known.startsWith(code)), `${code}* (${file}) names codes in the registry`);
    else t.ok(isErrorCode(code), `${code} (${file}) is in the registry`);
  }
});

t.test('each registry entry is complete and consistent', async (t) => {
  for (const [code, spec] of entries) {
    t.match(code, /^EXP_ERR_[A-Z0-9]+(_[A-Z0-9]+)*$/, `${code}: the code's shape`);
    t.ok(spec.status === null || (spec.status >= 400 && spec.status <= 599), `${code}: an HTTP error status or none`);
    t.ok([null, 2, 3].includes(spec.exit), `${code}: exit 2, 3 or none`);
    t.ok(spec.exit !== 3 || spec.area === 'coverage', `${code}: only a coverage code exits 3`);
    t.ok(spec.area !== 'coverage' || spec.status === null, `${code}: a coverage code is recorded, never answered over HTTP`);
    t.match(spec.summary, /^\S.*\.$/, `${code}: the summary is a sentence`);
    for (const text of [spec.summary, spec.message, spec.details, spec.hint]) t.ok(text.trim().length > 0 && !text.includes('\n'), `${code}: one line each`);
    for (const [, name] of spec.message.matchAll(/\{([^}]*)\}/g)) t.match(name, /^[a-zA-Z][a-zA-Z0-9]*$/, `${code}: parameter {${name}} is a plain name`);
    if (spec.apiCode !== undefined) t.ok(isErrorCode(spec.apiCode), `${code}: its REST API code ${spec.apiCode} exists`);
    t.equal(ERROR_CODES[code], spec.summary, `${code}: ERROR_CODES still gives the one-line summary`);
  }
});

t.test('createError: a message of its own, or the template filled in', async (t) => {
  const old = createError('EXP_ERR_SCAN_NOT_FOUND', 'No scan 7 in /tmp/h.db', { hint: 'Run "exposure history" to see the ids.' });
  t.equal(old.message, 'No scan 7 in /tmp/h.db', 'a call site keeps its own words');
  t.equal(old.hint, 'Run "exposure history" to see the ids.');
  t.equal(createError('EXP_ERR_DB_CURSOR', 'The cursor is not one this history gave out').hint, undefined, 'no hint appears where a call site gave none');

  const templated = createError('EXP_ERR_SCAN_NOT_FOUND', { id: 7 });
  t.equal(templated.code, 'EXP_ERR_SCAN_NOT_FOUND');
  t.equal(templated.message, 'No scan 7 in the history');
  t.equal(templated.hint, 'exposure history lists the ids.', "the registry's hint, without markdown");
  t.equal(createError('EXP_ERR_SCAN_NOT_FOUND', { id: 7 }, { hint: 'Look elsewhere.' }).hint, 'Look elsewhere.', 'a hint given wins');
  t.equal(createError('EXP_ERR_TLS', { host: '192.168.1.20', port: 443, reason: 'ECONNRESET' }).message, 'TLS with 192.168.1.20:443 failed: ECONNRESET');
  const cause = new Error('disk full');
  t.equal(createError('EXP_ERR_OUTPUT', { file: 'r.json', reason: 'ENOSPC' }, { cause }).cause, cause);
  t.equal(errorMessage('EXP_ERR_API_TOO_LARGE', {}), 'Request body too large');
  t.equal(errorMessage('EXP_ERR_SCHEDULE_BUSY', { scanId: '{scheduleId}', scheduleId: 2 }), 'Scan {scheduleId} of schedule 2 is still queued or running; this run is skipped', 'a value is never read as a parameter');

  // The parameters are checked against the template when the code is compiled, not when the error happens.
  // @ts-expect-error -- the template needs {id}
  t.equal(createError('EXP_ERR_SCAN_NOT_FOUND', {}).message, 'No scan {id} in the history', 'a missing parameter stays visible');
  // @ts-expect-error -- {ids} is not a parameter of this template
  createError('EXP_ERR_SCAN_NOT_FOUND', { id: 1, ids: 2 });
});
