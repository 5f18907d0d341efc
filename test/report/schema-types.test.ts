import t from 'tap';
import { readFile } from 'node:fs/promises';
// @ts-expect-error -- plain .mjs build script without type declarations
import { generate } from '../../scripts/gen-types.mjs';

t.test('src/core/report.generated.ts is generated from the current schema (types cannot drift)', async (t) => {
  const committed = await readFile(new URL('../../src/core/report.generated.ts', import.meta.url), 'utf8');
  t.equal(committed, await (generate as () => Promise<string>)(), 'run npm run gen:types');
});
