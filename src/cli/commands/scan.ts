import type { ScanOptions } from '../../core/options.js';
import type { ExposureReport } from '../../core/report.generated.js';
import { terminalSafe } from '../../report/sanitize.js';
import { atLeast } from '../../rules/severity.js';
import { scanOnce } from '../../scan/service.js';
import { checkScanEngine } from '../engine-check.js';
import { SCAN_HELP } from '../help.js';
import { EXIT, type Io } from '../io.js';
import { checkOutputFile, writeAtomically } from '../output-file.js';
import { parseScanArgs, type ScanCommand } from '../scan-args.js';

/** The scan itself, recorded in the history database with --save or --db (the SQLite driver loads only then). */
async function scanReport(command: ScanCommand, options: ScanOptions, signal: AbortSignal, io: Io): Promise<ExposureReport> {
  if (command.save) return (await import('../record.js')).scanAndRecord(command.db, options, signal, io, command.site);
  return scanOnce(options, signal);
}

/** `exposure scan`: parse, check what can be checked offline, scan, render, and map the result to an exit code. */
export async function scanCommand(argv: readonly string[], io: Io, signal: AbortSignal): Promise<number> {
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
  const report = await scanReport(command, options, signal, io);
  // Loaded by now: the scan asked for the renderers and the rules while it waited on the network
  // (src/scan/run-scan.ts); imported here, they are not on the way to the first packet.
  const [{ render }, { failedViews }] = await Promise.all([import('../../report/render.js'), import('../../rules/coverage.js')]);
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
    for (const view of failed) {
      const reason = report.coverage[view]?.reason;
      io.stderr.write(`exposure: the ${view === 'ipv6' ? 'IPv6 outside' : view} view failed: ${terminalSafe(reason?.code ?? '')}: ${terminalSafe(reason?.message ?? '')}\n`);
    }
    return EXIT.incomplete;
  }
  return EXIT.ok;
}
