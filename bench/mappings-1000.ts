/**
 * Benchmark (not a test): 1,000 port mappings read from the real miniupnpd in the lab, process to process (issue
 * 14 item 4, decision 0013): `exposure scan --gateway URL --no-wan` against `upnpc -u URL -L` (target: at most
 * 1.5 times) and `upnpc -u URL -l` (at most 0.2 times). Rounds rotate the order of the three; the ratios compare
 * medians of one run. Also prints exposure's start-up share (wall time less the scan its report times). The
 * IGDv1 and index-walk figures stay in bench/igd-enumeration.ts. Needs root (network namespaces).
 *
 *   npm run bench:mappings                        # 7 rounds
 *   npm run bench:mappings -- --runs 11 --no-build
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ExposureReport } from '../src/core/report.generated.js';
import { generateMappings, labPrerequisites, startLab, type Lab } from '../test/lab/lab.js';
import { parseUpnpcList } from '../test/lab/exposure.js';
import { build, EXPOSURE_BIN, loadNote, sampleOf } from './process-timing.js';
import { median } from './stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, mappings: { type: 'string', default: '1000' }, 'no-build': { type: 'boolean', default: false } } });
const RUNS = Number(values.runs);
const MAPPINGS = Number(values.mappings);

interface Run {
  ms: number;
  /** exposure only: the scan as its report times it (startedAt to finishedAt). */
  scanMs?: number;
}

interface Command {
  name: string;
  run: (lab: Lab) => Promise<Run>;
}

async function timed(lab: Lab, cmd: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const started = process.hrtime.bigint();
  const result = await lab.exec(lab.scanner, cmd, args, { timeoutMs: 300_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${String(result.code)}: ${result.stderr.slice(0, 500)}`);
  return { ms, stdout: result.stdout };
}

const upnpc = (flag: '-l' | '-L'): Command => ({
  name: `upnpc -u URL ${flag}`,
  run: async (lab) => {
    const { ms, stdout } = await timed(lab, 'upnpc', ['-u', lab.router.rootDescUrl, flag]);
    const rows = parseUpnpcList(stdout).length;
    if (rows !== MAPPINGS) throw new Error(`upnpc ${flag} listed ${rows} mappings, expected ${MAPPINGS}`);
    return { ms };
  },
});

const exposure: Command = {
  name: 'exposure scan --gateway URL --no-wan',
  run: async (lab) => {
    const { ms, stdout } = await timed(lab, process.execPath, [EXPOSURE_BIN, 'scan', '--gateway', lab.router.rootDescUrl, '--no-wan', '--format', 'json', '--fail-on', 'none', '--quiet']);
    const report = JSON.parse(stdout) as ExposureReport;
    const rows = report.gateways[0]?.mappings.length ?? 0;
    if (rows !== MAPPINGS) throw new Error(`exposure read ${rows} mappings, expected ${MAPPINGS}`);
    return { ms, scanMs: Date.parse(report.finishedAt) - Date.parse(report.startedAt) };
  },
};

const prerequisites = labPrerequisites();
if (!prerequisites.ok) {
  console.error(`bench: the lab cannot run here: ${prerequisites.reason}`);
  process.exit(2);
}
if (!values['no-build']) build();
console.error(`bench: starting the lab with ${MAPPINGS} mappings (miniupnpd loads them before it listens)`);
const lab = await startLab({ mappings: generateMappings(MAPPINGS, '@nas', { mixed: true }) });
try {
  const commands = [exposure, upnpc('-L'), upnpc('-l')];
  for (const command of commands) await command.run(lab);
  const before = loadNote();
  const runs = new Map<string, Run[]>(commands.map((command) => [command.name, []]));
  for (let round = 0; round < RUNS; round++) {
    for (let i = 0; i < commands.length; i++) {
      const command = commands[(i + round) % commands.length]!;
      runs.get(command.name)!.push(await command.run(lab));
    }
  }
  const after = loadNote();
  const samples = commands.map((command) => sampleOf(command.name, runs.get(command.name)!.map((run) => run.ms)));
  const [ours, listL, listl] = samples as [ReturnType<typeof sampleOf>, ReturnType<typeof sampleOf>, ReturnType<typeof sampleOf>];
  const scanMs = median(runs.get(exposure.name)!.map((run) => run.scanMs ?? 0));
  const ratios = [
    { what: 'exposure / upnpc -L', ratio: ours.median / listL.median, target: 1.5 },
    { what: 'exposure / upnpc -l', ratio: ours.median / listl.median, target: 0.2 },
  ];
  console.log(`\n${MAPPINGS} mappings, miniupnpd in the lab, process to process, median of ${RUNS} rounds (${before} at the start, ${after} at the end)\n`);
  for (const sample of samples) console.log(`  ${sample.name.padEnd(38)} ${sample.median.toFixed(0).padStart(6)} ms   [${sample.ms.map((ms) => ms.toFixed(0)).join(', ')}]`);
  console.log(`    of which exposure's scan (its report)  ${scanMs.toFixed(0).padStart(6)} ms; start-up, JSON and exit ${(ours.median - scanMs).toFixed(0)} ms\n`);
  for (const { what, ratio, target } of ratios) console.log(`  ${what.padEnd(38)} ${ratio.toFixed(3)}   target <= ${target}   ${ratio <= target ? 'met' : 'NOT MET'}`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/mappings-1000.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), mappings: MAPPINGS, runs: RUNS, load: { before, after }, samples, scanMs, ratios }, null, 2)}\n`);
} finally {
  await lab.down();
}
