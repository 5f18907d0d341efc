import { runScan } from '../scan/run-scan.js';
import { isExposureError } from '../core/errors.js';
import { TOOL_VERSION } from '../version.js';
import { render } from '../report/render.js';
import { terminalSafe } from '../report/sanitize.js';
import { atLeast } from '../rules/severity.js';
import { failedViews } from '../rules/coverage.js';
import { MAIN_HELP, SCAN_HELP } from './help.js';
import { parseScanArgs } from './scan-args.js';
import { checkOutputFile, checkScanEngine, writeAtomically } from './preflight.js';

/** 3 (incomplete) is below 1: a finding that reaches --fail-on says more than a view that could not look. */
export const EXIT = { ok: 0, findings: 1, error: 2, incomplete: 3 } as const;

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

async function scan(argv: readonly string[], io: Io, signal: AbortSignal): Promise<number> {
  const command = parseScanArgs(argv);
  if (command.help) {
    io.stdout.write(SCAN_HELP);
    return EXIT.ok;
  }
  // Everything that can be checked without the network is checked first (--db is opened first by scanAndRecord):
  // a scan that could only end in a usage error does not run for a minute.
  if (command.output !== undefined) await checkOutputFile(command.output);
  await checkScanEngine(command.scan);
  const showProgress = !command.quiet && io.stderr.isTTY === true;
  const options = { ...command.scan, ...(showProgress ? { onProgress: (message: string) => io.stderr.write(`\u001b[2K\r${terminalSafe(message)}…`) } : {}) };
  const report = command.save ? await (await import('./record.js')).scanAndRecord(command.db, options, signal, io) : await runScan(options, signal);
  if (showProgress) io.stderr.write('\u001b[2K\r');
  const toFile = command.output !== undefined;
  const rendered = render(report, command.format, { color: command.color && !toFile && io.stdout.isTTY === true });
  if (command.output !== undefined) {
    await writeAtomically(command.output, rendered);
  } else {
    io.stdout.write(rendered);
  }
  if (command.failOn !== 'none' && report.findings.some((finding) => atLeast(finding.severity, command.failOn as Exclude<typeof command.failOn, 'none'>))) return EXIT.findings;
  const failed = failedViews(report.coverage);
  if (failed.length > 0) {
    // On stderr too: with --output or --format json the banner is not in front of the user.
    for (const view of failed) io.stderr.write(`exposure: the ${view} view failed: ${terminalSafe(report.coverage[view].reason?.code ?? '')}: ${terminalSafe(report.coverage[view].reason?.message ?? '')}\n`);
    return EXIT.incomplete;
  }
  return EXIT.ok;
}

/** The whole program as a function: tests call it in-process with their own streams. */
export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr }, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(MAIN_HELP);
      return command === undefined ? EXIT.error : EXIT.ok;
    }
    if (command === '--version' || command === '-V') {
      io.stdout.write(`${TOOL_VERSION}\n`);
      return EXIT.ok;
    }
    if (command === 'scan') return await scan(rest, io, signal);
    // Each command loads what it needs when it runs: a scan does not pay for fastify, SQLite or the scheduler.
    if (command === 'agent') return await (await import('./agent.js')).agentCommand(rest, io, signal);
    if (command === 'history') return (await import('./history.js')).historyCommand(rest, io);
    if (command === 'diff') return (await import('./history.js')).diffCommand(rest, io);
    if (command === 'alerts') return (await import('./history.js')).alertsCommand(rest, io);
    if (command === 'watch') return await (await import('./watch.js')).watchCommand(rest, io, signal);
    if (command === 'serve') return await (await import('./serve.js')).serveCommand(rest, io, signal);
    io.stderr.write(`exposure: unknown command "${terminalSafe(command)}"\n\n${MAIN_HELP}`);
    return EXIT.error;
  } catch (error) {
    if (isExposureError(error)) {
      io.stderr.write(`exposure: ${error.code}: ${terminalSafe(error.message)}\n${error.hint ? `  ${terminalSafe(error.hint)}\n` : ''}`);
    } else {
      io.stderr.write(`exposure: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n  This is a bug; please report it.\n`);
    }
    return EXIT.error;
  }
}
