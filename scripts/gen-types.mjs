// Derives src/core/report.generated.ts from schemas/report.schema.json, so the TypeScript types and the JSON
// Schema cannot drift: the schema is the contract, the types follow. test/report-types.test.ts fails when the
// committed file is stale. Usage: node scripts/gen-types.mjs [--check]
import { readFile, writeFile } from 'node:fs/promises';
import { compile } from 'json-schema-to-typescript';

export async function generate() {
  const schema = JSON.parse(await readFile(new URL('../schemas/report.schema.json', import.meta.url), 'utf8'));
  return compile(schema, 'ExposureReport', {
    bannerComment: '/* Generated from schemas/report.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */',
    additionalProperties: false,
    declareExternallyReferenced: true,
    style: { singleQuote: true, printWidth: 120 },
  });
}

const target = new URL('../src/core/report.generated.ts', import.meta.url);
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const output = await generate();
  if (process.argv.includes('--check')) {
    const current = await readFile(target, 'utf8').catch(() => '');
    if (current !== output) {
      console.error('src/core/report.generated.ts is stale: run npm run gen:types');
      process.exit(1);
    }
  } else {
    await writeFile(target, output);
  }
}
