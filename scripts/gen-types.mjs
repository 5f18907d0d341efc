// Derives the types and validators of our contracts from their schemas, so neither can drift from them; from
// schemas/report.schema.json:
//   src/core/report.generated.ts          the TypeScript types (json-schema-to-typescript)
//   src/report/report-validator.generated.ts  the ajv validator, compiled ahead of time (ajv standalone):
//                                         compiling the schema at run time cost 120 ms of every scan's start-up.
// test/report/schema-types.test.ts fails when either committed file is stale.
// The same for schemas/webhook-payload.schema.json: src/alerts/webhook-payload.generated.ts (the type the payload
// builder returns) and src/alerts/payload-validator.generated.ts (checked before every delivery).
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
  const whoami = await compile(await schema('agent-whoami-response'), 'AgentWhoamiResponse', options);
  return `/* ${BANNER.replace('schemas/report.schema.json', 'schemas/agent-*.schema.json')} */\n\n${request}\n${response}\n${whoami}`;
}

/** The vendor pack's types (probes/vendors/<id>/pack.json and --vendor-pack folders are validated against the same schema when loaded). */
export async function generateVendorPackTypes() {
  const options = { bannerComment: '', additionalProperties: false, declareExternallyReferenced: true, style: { singleQuote: true, printWidth: 120 } };
  const types = await compile(await schema('vendor-pack'), 'VendorPack', options);
  return `/* ${BANNER.replace('schemas/report.schema.json', 'schemas/vendor-pack.schema.json')} */\n\n${types}`;
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

/** The vendor pack's validator, ahead of time too: compiling the QNAP data schemas at run time cost ~150 ms of a scan's start-up. */
export async function generateVendorPackValidator() {
  const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true, code: { source: true, esm: true } });
  const code = standaloneCode(ajv, ajv.compile(await schema('vendor-pack')));
  return `// @ts-nocheck -- ${BANNER.replace('schemas/report.schema.json', 'schemas/vendor-pack.schema.json')}\n/* eslint-disable */\n${esmStandalone(code, 'vendor pack validator')}\n`;
}

/** ajv's standalone output as ESM: its run-time helpers are reached with require(), each becomes an import. */
function esmStandalone(code, what) {
  const imports = [];
  const body = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)\.default/g, (_whole, module) => {
    const name = `ajvRuntime${imports.length}`;
    imports.push(`import ${name}Module from "${module}.js";\nconst ${name} = ${name}Module.default ?? ${name}Module;`);
    return name;
  });
  if (/require\(/.test(body)) throw new Error(`the generated ${what} still calls require(): handle the new helper in gen-types.mjs`);
  return `${imports.join('\n')}\n${body}`;
}

const WEBHOOK_BANNER = BANNER.replace('schemas/report.schema.json', 'schemas/webhook-payload.schema.json');

/** The webhook body's type: src/alerts/payload.ts builds exactly this, so the builder cannot drift from the contract. */
export async function generateWebhookPayloadTypes() {
  // The per-kind rules (allOf of if/then) are for the validator; json-schema-to-typescript would make each change an
  // open object, and before/after (any JSON) an object. The type is built from a copy without them.
  const contract = await schema('webhook-payload');
  const change = contract.definitions.Change;
  delete change.allOf;
  change.properties.before.tsType = 'unknown';
  change.properties.after.tsType = 'unknown';
  const types = await compile(contract, 'WebhookPayload', {
    bannerComment: '',
    additionalProperties: false,
    declareExternallyReferenced: true,
    style: { singleQuote: true, printWidth: 120 },
  });
  return `/* ${WEBHOOK_BANNER} */\n\n${types}`;
}

/** Ahead of time like the report's: a watcher's first delivery does not wait for ajv to compile the schema. */
export async function generateWebhookPayloadValidator() {
  // allErrors off: the first problem is enough to refuse a body, and the reason stays one line.
  const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true, formats: { 'date-time': true }, code: { source: true, esm: true } });
  const code = standaloneCode(ajv, ajv.compile(await schema('webhook-payload')));
  // eslint-disable first: the linter would otherwise object to the @ts-nocheck the generated code needs.
  return `/* eslint-disable */\n// @ts-nocheck -- ${WEBHOOK_BANNER}\n${esmStandalone(code, 'webhook payload validator')}\n`;
}

/** The agent's answer, checked by every scan with --vantage: compiled at run time, ajv's import and compile cost ~250 ms. */
export async function generateAgentResponseValidator() {
  const ajv = new Ajv({ allErrors: false, strict: true, code: { source: true, esm: true } });
  const code = standaloneCode(ajv, ajv.compile(await schema('agent-scan-response')));
  return `// @ts-nocheck -- ${BANNER.replace('schemas/report.schema.json', 'schemas/agent-scan-response.schema.json')}\n/* eslint-disable */\n${esmStandalone(code, 'agent answer validator')}\n`;
}

/** The MAP-E rule data's validator (probes/access/map-e-rules.json): compiling it at run time cost ~270 ms of a scan on a host with IPv6. */
export async function generateMapERulesValidator() {
  const ajv = new Ajv({ allErrors: false, strict: true, code: { source: true, esm: true } });
  const code = standaloneCode(ajv, ajv.compile(await schema('map-e-rules')));
  // eslint-disable first: the file lives under probes/, which the linter does not skip, and @ts-nocheck is needed.
  return `/* eslint-disable */\n// @ts-nocheck -- ${BANNER.replace('schemas/report.schema.json', 'schemas/map-e-rules.schema.json')}\n${esmStandalone(code, 'MAP-E rules validator')}\n`;
}

export const TARGETS = [
  { file: new URL('../src/core/report.generated.ts', import.meta.url), generate: generateTypes },
  { file: new URL('../src/report/report-validator.generated.ts', import.meta.url), generate: generateValidator },
  { file: new URL('../src/core/agent.generated.ts', import.meta.url), generate: generateAgentTypes },
  { file: new URL('../src/vendors/pack.generated.ts', import.meta.url), generate: generateVendorPackTypes },
  { file: new URL('../src/vendors/pack-validator.generated.ts', import.meta.url), generate: generateVendorPackValidator },
  { file: new URL('../src/net/agent-response-validator.generated.ts', import.meta.url), generate: generateAgentResponseValidator },
  { file: new URL('../src/alerts/webhook-payload.generated.ts', import.meta.url), generate: generateWebhookPayloadTypes },
  { file: new URL('../src/alerts/payload-validator.generated.ts', import.meta.url), generate: generateWebhookPayloadValidator },
  { file: new URL('../probes/access/map-e-rules-validator.generated.ts', import.meta.url), generate: generateMapERulesValidator },
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
