import t from 'tap';
import { readFile } from 'node:fs/promises';
import { ERROR_CODES } from '../../src/core/errors.js';

t.test('every error code is documented in docs/errors.md, and nothing else is', async (t) => {
  const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `(EXP_ERR_[A-Z0-9_]+)` \|/gm)].map((match) => match[1]));
  for (const code of Object.keys(ERROR_CODES)) t.ok(documented.has(code), `${code} documented`);
  for (const code of documented) t.ok(code !== undefined && code in ERROR_CODES, `${code} exists`);
});
