// Writes docs/errors.md from src/core/error-registry.ts, so the page cannot drift from the codes the program uses.
// test/core/errors-documented.test.ts fails when the committed page is not what this prints.
// Usage: npm run gen:errors (node --import tsx scripts/gen-errors-doc.ts [--check])
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ERROR_AREAS, ERROR_REGISTRY, type ErrorArea, type ErrorSpec } from '../src/core/error-registry.js';

export const ERRORS_DOC = new URL('../docs/errors.md', import.meta.url);

const INTRO = `# Error codes

<!-- Generated from src/core/error-registry.ts by scripts/gen-errors-doc.ts. Do not edit: change the registry and run npm run gen:errors. -->

Every error exposure-scanner reports carries a stable code. Match on the code, not on the message: messages
improve, codes stay. One registry (\`src/core/error-registry.ts\`) gives each code its HTTP status, its exit status,
its message and its hint, so the command line, the REST API and the agent agree.

- **Exit**: errors that stop a command are printed as \`exposure: CODE: message\` followed by a hint, and the
  command exits with status 2. A scan that ran but could not look where it was asked to records the reason in the
  report's \`coverage\` (the codes under "Coverage") and exits 3 when a view you asked for failed. A dash: the code
  never sets the exit status on its own (it is recorded in a report, a scan, an alert or a log, or only a server
  answers with it). Errors that only affect part of a scan (one action on one router, say) appear in the report
  instead: in \`gateways[].errors[]\` or \`warnings[]\`, with the same codes.
- **HTTP**: the status \`exposure serve\` (and the agent, for the \`EXP_ERR_AGENT_*\` codes) answers with, in a body
  \`{"error": {"code": "...", "message": "..."}}\`. A 500 carries no details (the server's log has them) and the
  code \`EXP_ERR_API_INTERNAL\`; a dash means the code is never an HTTP answer.
- **Message**: the shape of the message, \`{name}\` standing for a value; call sites may say more.
`;

/** A table cell: one line, and a | in the text does not end the cell. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

function row(code: string, spec: ErrorSpec): string {
  const status = spec.status === null ? '-' : String(spec.status);
  const exit = spec.exit === null ? '-' : String(spec.exit);
  const alias = spec.apiCode === undefined ? '' : ` (REST API: \`${spec.apiCode}\`)`;
  const description = `${spec.details}<br>Message: \`${spec.message}\``;
  return `| \`${code}\` | ${status}${alias} | ${exit} | ${cell(description)} | ${cell(spec.hint)} |`;
}

export function generateErrorsDoc(): string {
  const entries = Object.entries(ERROR_REGISTRY) as [string, ErrorSpec][];
  const sections: string[] = [INTRO];
  for (const [area, title] of Object.entries(ERROR_AREAS) as [ErrorArea, string][]) {
    const rows = entries.filter(([, spec]) => spec.area === area).map(([code, spec]) => row(code, spec));
    if (rows.length === 0) continue;
    sections.push(`## ${title}\n\n| Code | HTTP | Exit | Description | How to solve |\n| --- | --- | --- | --- | --- |\n${rows.join('\n')}\n`);
  }
  return sections.join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const page = generateErrorsDoc();
  if (process.argv.includes('--check')) {
    if ((await readFile(ERRORS_DOC, 'utf8').catch(() => '')) !== page) {
      console.error('docs/errors.md is stale: run npm run gen:errors');
      process.exitCode = 1;
    }
  } else {
    await writeFile(ERRORS_DOC, page);
  }
}
