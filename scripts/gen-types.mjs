// Derives two files from schemas/report.schema.json, so neither can drift from the contract:
//   src/core/report.generated.ts          the TypeScript types (json-schema-to-typescript)
//   src/report/report-validator.generated.ts  the ajv validator, compiled ahead of time (ajv standalone):
//                                         compiling the schema at run time cost 120 ms of every scan's start-up.
// test/report/schema-types.test.ts fails when either committed file is stale.
// Usage: node scripts/gen-types.mjs [--check]
import { readFile, writeFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { compile } from 'json-schema-to-typescript';

const BANNER = 'Generated from schemas/report.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types.';

async function schema(name = 'report') {
  return JSON.parse(await readFile(new URL(`../schemas/${name}.schema.json`, import.meta.url), 'utf8'));
}

/** The agent's request and response types, from their schemas (the server validates with the same files). */
export async function generateAgentTypes() {
  const options = { bannerComment: '', additionalProperties: false, declareExternallyReferenced: true, style: { singleQuote: true, printWidth: 120 } };
  const request = await compile(await schema('agent-scan-request'), 'AgentScanRequest', options);
  const response = await compile(await schema('agent-scan-response'), 'AgentScanResponse', options);
  return `/* ${BANNER.replace('schemas/report.schema.json', 'schemas/agent-scan-*.schema.json')} */\n\n${request}\n${response}`;
}

/** The QNAP data files' types (probes/qnap/*.json are validated against the same schemas when loaded). */
export async function generateQnapDataTypes() {
  const options = { bannerComment: '', additionalProperties: false, declareExternallyReferenced: true, style: { singleQuote: true, printWidth: 120 } };
  const fingerprints = await compile(await schema('fingerprint'), 'QnapFingerprints', options);
  const vulnerabilities = await compile(await schema('vulnerability'), 'QnapVulnerabilities', options);
  return `/* ${BANNER.replace('schemas/report.schema.json', 'schemas/fingerprint.schema.json and schemas/vulnerability.schema.json')} */\n\n${fingerprints}\n${vulnerabilities}`;
}

export async function generateTypes() {
  return compile(await schema(), 'ExposureReport', {
    bannerComment: `/* ${BANNER} */`,
    additionalProperties: false,
    declareExternallyReferenced: true,
    style: { singleQuote: true, printWidth: 120 },
  });
}

export async function generateValidator() {
  // `date-time` is checked by the schema's own pattern, so the format itself needs no run-time code.
  const ajv = new Ajv({ allErrors: true, strict: true, formats: { 'date-time': true }, code: { source: true, esm: true } });
  let code = standaloneCode(ajv, ajv.compile(await schema()));
  // ajv's ESM output still reaches its run-time helpers with require(); turn each into an import.
  const imports = [];
  code = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)\.default/g, (_whole, module) => {
    const name = `ajvRuntime${imports.length}`;
    // CommonJS with exports.default: under ESM the default import is the exports object.
    imports.push(`import ${name}Module from "${module}.js";\nconst ${name} = ${name}Module.default ?? ${name}Module;`);
    return name;
  });
  if (/require\(/.test(code)) throw new Error('the generated validator still calls require(): handle the new helper in gen-types.mjs');
  return `// @ts-nocheck -- ${BANNER}\n/* eslint-disable */\n${imports.join('\n')}\n${code}\n`;
}

/** The QNAP data files' validators, ahead of time too: compiling both schemas cost ~150 ms of a scan's start-up. */
export async function generateQnapDataValidators() {
  const ajv = new Ajv({ allErrors: false, strict: true, strictTuples: false, allowUnionTypes: true, code: { source: true, esm: true } });
  ajv.addSchema(await schema('fingerprint'));
  ajv.addSchema(await schema('vulnerability'));
  let code = standaloneCode(ajv, {
    validateFingerprintsSchema: 'https://exposure-scanner.dev/schemas/fingerprint.schema.json',
    validateVulnerabilitiesSchema: 'https://exposure-scanner.dev/schemas/vulnerability.schema.json',
  });
  const imports = [];
  code = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)\.default/g, (_whole, module) => {
    const name = `ajvRuntime${imports.length}`;
    imports.push(`import ${name}Module from "${module}.js";\nconst ${name} = ${name}Module.default ?? ${name}Module;`);
    return name;
  });
  if (/require\(/.test(code)) throw new Error('the generated QNAP data validators still call require(): handle the new helper in gen-types.mjs');
  const banner = BANNER.replace('schemas/report.schema.json', 'schemas/fingerprint.schema.json and schemas/vulnerability.schema.json');
  return `// @ts-nocheck -- ${banner}\n/* eslint-disable */\n${imports.join('\n')}\n${code}\n`;
}

export const TARGETS = [
  { file: new URL('../src/core/report.generated.ts', import.meta.url), generate: generateTypes },
  { file: new URL('../src/report/report-validator.generated.ts', import.meta.url), generate: generateValidator },
  { file: new URL('../src/core/agent.generated.ts', import.meta.url), generate: generateAgentTypes },
  { file: new URL('../src/qnap/data.generated.ts', import.meta.url), generate: generateQnapDataTypes },
  { file: new URL('../src/qnap/data-validators.generated.ts', import.meta.url), generate: generateQnapDataValidators },
];

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  let stale = false;
  for (const { file, generate } of TARGETS) {
    const output = await generate();
    if (process.argv.includes('--check')) {
      if ((await readFile(file, 'utf8').catch(() => '')) !== output) {
        console.error(`${file.pathname} is stale: run npm run gen:types`);
        stale = true;
      }
    } else {
      await writeFile(file, output);
    }
  }
  if (stale) process.exit(1);
}
