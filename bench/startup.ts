/**
 * Benchmark (not a test): start-up of the built program (bin/exposure.js -> dist/), whole process, against a bare
 * `node -e 0` started the same way. Rounds rotate the order of the commands so that a change in the machine's
 * speed during the run falls on all of them alike; the ratios compare medians of one run. Also prints, for each
 * command, what it loads (files, third-party packages) and its peak memory. Issue 14 item 4, decision 0013.
 *
 *   npm run bench:startup                       # 21 rounds
 *   npm run bench:startup -- --runs 41 --no-build
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { medianInterval } from './stats.js';
import { build, EXPOSURE_BIN, loadNote, loadedModules, packagesOf, peakRssKiB, sampleOf, timeOnce, type Sample } from './process-timing.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '21' }, 'no-build': { type: 'boolean', default: false } } });
const RUNS = Number(values.runs);

interface Command {
  name: string;
  cmd: string;
  args: string[];
  /** The ratio target against `node -e 0`, when the issue sets one. */
  target?: number;
  /** `exposure` with no command prints the help and exits 2, by design. */
  okCodes?: number[];
}

const exposure = (name: string, args: string[], target?: number): Command => ({ name, cmd: process.execPath, args: [EXPOSURE_BIN, ...args], ...(target === undefined ? {} : { target }) });
const BASELINE: Command = { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] };
const COMMANDS: Command[] = [
  BASELINE,
  exposure('exposure --version', ['--version'], 1.5),
  exposure('exposure help', ['help'], 1.5),
  // Not targets: how much each command's own modules add before it does anything.
  exposure('exposure scan --help', ['scan', '--help']),
  exposure('exposure history --help', ['history', '--help']),
  exposure('exposure diff --help', ['diff', '--help']),
  exposure('exposure watch --help', ['watch', '--help']),
  exposure('exposure serve --help', ['serve', '--help']),
  exposure('exposure agent --help', ['agent', '--help']),
];

if (!values['no-build']) build();
const before = loadNote();
const times = new Map<string, number[]>(COMMANDS.map((command) => [command.name, []]));
// One warm-up round: the first start reads every file from disk, the others from the page cache.
for (const command of COMMANDS) timeOnce(command.cmd, command.args, command.okCodes);
for (let round = 0; round < RUNS; round++) {
  for (let i = 0; i < COMMANDS.length; i++) {
    const command = COMMANDS[(i + round) % COMMANDS.length]!;
    times.get(command.name)!.push(timeOnce(command.cmd, command.args, command.okCodes));
  }
}
const after = loadNote();
const samples: Sample[] = COMMANDS.map((command) => sampleOf(command.name, times.get(command.name)!));
const baseline = samples[0]!.median;

console.log(`\nStart-up, whole process, median of ${RUNS} rounds (built program; ${before} at the start, ${after} at the end)\n`);
console.log(`  ${'command'.padEnd(26)} ${'median'.padStart(7)}   ${'95% interval'.padEnd(13)} ${'ratio'.padStart(6)}  ${'peak RSS'.padStart(9)}  ${'files'.padStart(5)}  packages loaded`);
const rows = COMMANDS.map((command, index) => {
  const sample = samples[index]!;
  const [low, high] = medianInterval(sample.ms);
  const files = command === BASELINE ? [] : loadedModules(command.args.slice(1));
  const packages = [...packagesOf(files)].map(([name, count]) => `${name} (${count})`);
  const rss = peakRssKiB(command.cmd, command.args);
  const ratio = sample.median / baseline;
  console.log(
    `  ${command.name.padEnd(26)} ${sample.median.toFixed(0).padStart(4)} ms   ${`${low.toFixed(0)}-${high.toFixed(0)} ms`.padEnd(13)} ${ratio.toFixed(2).padStart(6)}  ${rss === undefined ? '        ?' : `${(rss / 1024).toFixed(0).padStart(6)} MB`}  ${String(files.length).padStart(5)}  ${packages.join(', ') || '-'}`,
  );
  return { ...sample, ratio, target: command.target, peakRssKiB: rss, files: files.length, packages };
});
console.log('');
for (const row of rows) {
  if (row.target === undefined) continue;
  console.log(`  ${`${row.name} / node -e 0`.padEnd(40)} ${row.ratio.toFixed(2)}   target <= ${row.target}   ${row.ratio <= row.target ? 'met' : 'NOT MET'}`);
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/startup.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), runs: RUNS, load: { before, after }, rows }, null, 2)}\n`);
