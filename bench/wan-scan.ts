/**
 * Benchmark (not a test): a full-range TCP scan (65,535 ports) of the router's WAN address from the lab's
 * "internet" host, the built-in connect engine against `nmap -sT -n -Pn -p-`, and the nmap engine against bare
 * nmap, in the same run. Prints medians and ratios against the targets of issue 3 (built-in <= 1.2x nmap, nmap
 * engine <= 1.05x nmap, peak RSS <= 150 MB) and writes bench/results/wan-scan.json. Needs root and nmap.
 *
 *   npm run bench:scan                   # 5 runs of each process, 21 paired rounds, in each case
 *   npm run bench:scan -- --runs 3 --rounds 9 --drop 1-1024
 *
 * The router: TCP 22, 443, 8080 and 9000 mapped to the NAS, which serves 22 (SSH-style banner), 443 and 8080
 * (silent until spoken to); nothing listens on 9000. Two cases:
 *   closed    the lab as built. The router's FORWARD chain drops unmapped traffic from the WAN, but a scan of its
 *             WAN address is addressed to the router itself (INPUT, policy ACCEPT), so every unmapped port
 *             answers RST: 3 open, 65,532 closed (9000 is closed by the NAS's RST, through the mapping).
 *   filtered  the router also drops --drop ports on its own INPUT (iptables-legacy -I INPUT -i wan0 ... -j
 *             DROP), as a router that stealths its well-known ports does. Mapped ports in the range still
 *             answer: DNAT happens before the INPUT/FORWARD decision, and they are forwarded.
 *
 * Two measurements per case, both inside the wan namespace:
 *   processes  each command as its own process under /usr/bin/time (wall, peak RSS, CPU), including a floor: a
 *              Node process that does nothing but run nmap. These include Node's start (about 60 ms) and show
 *              what one short-lived process pays; peak RSS comes from here.
 *   paired     the targets. bench/paired-runner.ts runs in one process, as the agent and `exposure scan` run
 *              the engines, and alternates bare nmap (spawned from it) with each engine, round by round; the
 *              ratio is taken within a round, so the machine's drift (bare nmap alone moves by up to 20% over
 *              one bench on this VM) cancels out, and the median comes with a 95% bootstrap interval.
 * The runners are compiled first (tsc, into node_modules/.cache/), so the engines run as shipped: no tsx, whose
 * loader alone adds about 40 MB of RSS and cannot follow the engine into its worker threads.
 *
 * The lab is CPU-bound (the router's side of every connection runs on the same kernel), and the connect engine
 * spends about twice nmap's CPU per port (Node's per-socket work), which its two threads hide only while both
 * cores are free: with another process busy on one core, the same scan took 2.5-2.7 s (1.8x). The "others"
 * column shows how contended each run was. Figures: README, "Speed".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { binaries, labPrerequisites, startLab, type Lab } from '../test/lab/lab.js';
import { nmapCounts, type StateCounts } from './nmap-output.js';
import { median, medianInterval } from './stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '21' },
    drop: { type: 'string', default: '1-1024' },
    'skip-filtered': { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const ROUNDS = Number(values.rounds);
const DROP = values.drop;
if (!/^\d{1,5}-\d{1,5}$/.test(DROP)) throw new Error('--drop takes a range: FIRST-LAST');
const root = fileURLToPath(new URL('..', import.meta.url));
const buildDir = `${root}node_modules/.cache/exposure-scanner-bench`;
const runner = `${buildDir}/bench/scan-runner.js`;
const pairedRunner = `${buildDir}/bench/paired-runner.js`;

/** The NAS's services, run inside its namespace. Never reads: a connect scan sends nothing anyway. */
const NAS_SERVICES = `
const net = require('node:net');
const serve = (port, greet) => new Promise((resolve) => net.createServer((s) => { s.on('error', () => {}); if (greet) s.write(greet); }).listen(port, '0.0.0.0', resolve));
Promise.all([serve(22, 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\\r\\n'), serve(443), serve(8080)]).then(() => console.log('ready'));
`;

interface Sample {
  wallMs: number;
  rssKiB: number;
  cpuMs: number;
  /** CPU time the rest of the machine used meanwhile (other people's tests, say): how contended the sample was. */
  otherCpuMs: number;
  counts: StateCounts;
  openPorts: number[];
  /** What the runner measured inside the process (connect and nmap engines). */
  inner?: { scanMs: number; processMs: number; stats?: unknown; warnings: string[]; command?: string[] };
}

interface Row {
  caseName: string;
  name: string;
  samples: Sample[];
  wallMs: number;
  rssKiB: number;
  cpuMs: number;
  otherCpuMs: number;
  /** Median wall of the samples during which the rest of the machine used under a tenth of a core. */
  quietWallMs: number | undefined;
  quietRuns: number;
}

interface Command {
  name: string;
  command: string[];
  /** The command prints nmap's normal output (else the runner's JSON line). */
  nmapOutput?: boolean;
}

function compileRunner(): void {
  mkdirSync(buildDir, { recursive: true });
  // Without it, tsc would emit CommonJS here (no package.json of type module above node_modules/).
  writeFileSync(`${buildDir}/package.json`, '{ "type": "module" }\n');
  const tsc = spawnSync(
    process.execPath,
    [
      `${root}node_modules/typescript/bin/tsc`,
      `${root}bench/scan-runner.ts`,
      `${root}bench/paired-runner.ts`,
      ...['--outDir', buildDir, '--rootDir', root, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'],
      ...['--resolveJsonModule', '--skipLibCheck', '--types', 'node', '--sourceMap', 'false'],
    ],
    { encoding: 'utf8' },
  );
  // Type errors still emit JavaScript; the type check is npm run typecheck's job, not the benchmark's.
  if (!existsSync(runner) || !existsSync(pairedRunner)) throw new Error(`bench: could not compile the runner:\n${tsc.stdout}${tsc.stderr}`);
}

/** Busy CPU time of the whole machine so far (all cores, /proc/stat: every field but idle and iowait), in ms. */
function machineBusyMs(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return ((total - (fields[3] ?? 0) - (fields[4] ?? 0)) * 1000) / 100; // USER_HZ is 100 on Linux
}

async function measure(lab: Lab, command: string[], nmapOutput: boolean): Promise<Sample> {
  const busyBefore = machineBusyMs();
  const started = process.hrtime.bigint();
  const result = await lab.exec(lab.wan, '/usr/bin/time', ['-f', 'BENCH-TIME %e %M %U %S', 'timeout', '-s', 'KILL', '900', ...command], { timeoutMs: 960_000 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const time = /BENCH-TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(result.stderr);
  if (result.code !== 0 || !time) throw new Error(`bench: ${command.join(' ')} failed (${String(result.code)}): ${result.stderr.slice(-1000)}`);
  const cpuMs = (Number(time[3]) + Number(time[4])) * 1000;
  const otherCpuMs = Math.max(0, machineBusyMs() - busyBefore - cpuMs);
  const base = { wallMs, rssKiB: Number(time[2]), cpuMs, otherCpuMs };
  if (nmapOutput) return { ...base, ...nmapCounts(result.stdout) };
  const report = JSON.parse(result.stdout) as Sample['inner'] & { counts: StateCounts; open: Array<{ port: number }> };
  return { ...base, counts: report.counts, openPorts: report.open.map((o) => o.port), inner: report };
}

async function runCase(lab: Lab, caseName: string, commands: Command[]): Promise<Row[]> {
  const samples = new Map(commands.map(({ name }) => [name, [] as Sample[]]));
  for (let run = 0; run < RUNS; run++) {
    // Rotate the order, so that no command always runs first (or always right after another).
    for (let i = 0; i < commands.length; i++) {
      const { name, command, nmapOutput } = commands[(i + run) % commands.length]!;
      const sample = await measure(lab, command, nmapOutput === true);
      samples.get(name)!.push(sample);
      console.error(
        `  ${caseName} ${name}: ${sample.wallMs.toFixed(0)} ms, CPU ${sample.cpuMs.toFixed(0)} ms, others ${sample.otherCpuMs.toFixed(0)} ms, ${(sample.rssKiB / 1024).toFixed(0)} MB, ${JSON.stringify(sample.counts)}`,
      );
    }
  }
  return commands.map(({ name }) => {
    const all = samples.get(name)!;
    const quiet = all.filter((s) => s.otherCpuMs < 0.1 * s.wallMs);
    return {
      caseName,
      name,
      samples: all,
      wallMs: median(all.map((s) => s.wallMs)),
      rssKiB: median(all.map((s) => s.rssKiB)),
      cpuMs: median(all.map((s) => s.cpuMs)),
      otherCpuMs: median(all.map((s) => s.otherCpuMs)),
      quietWallMs: quiet.length > 0 ? median(quiet.map((s) => s.wallMs)) : undefined,
      quietRuns: quiet.length,
    };
  });
}

interface PairedRun {
  ms: number;
  ownCpuMs: number;
  counts: StateCounts;
  openPorts: number[];
}

interface PairedEngine {
  caseName: string;
  name: string;
  /** Each round's engine time over the same round's bare nmap time. */
  ratios: number[];
  /** Median CPU the scanning process itself spent (nmap's excluded), and the same for starting bare nmap. */
  ownCpuMs: number;
  bareOwnCpuMs: number;
  bareMs: number;
  median: number;
  interval: [number, number];
  problems: string[];
}

/** The engines inside one running process, round by round against bare nmap: see bench/paired-runner.ts. */
async function runPaired(lab: Lab, caseName: string, target: string): Promise<PairedEngine[]> {
  const result = await lab.exec(lab.wan, process.execPath, [pairedRunner, '--target', target, '--rounds', String(ROUNDS)], { timeoutMs: 1_800_000 });
  if (result.code !== 0) throw new Error(`bench: the paired runner failed (${String(result.code)}): ${result.stderr.slice(-1000)}`);
  for (const line of result.stderr.trim().split('\n')) console.error(`  ${caseName} ${line.trim()}`);
  const { commands, rounds } = JSON.parse(result.stdout) as { commands: string[]; rounds: Array<Record<string, PairedRun>> };
  return commands.filter((name) => name !== 'nmap').map((name) => {
    const ratios = rounds.map((round) => round[name]!.ms / round['nmap']!.ms);
    const problems = rounds.flatMap((round, index) => {
      const mine = JSON.stringify([round[name]!.counts, round[name]!.openPorts]);
      const nmaps = JSON.stringify([round['nmap']!.counts, round['nmap']!.openPorts]);
      return mine === nmaps ? [] : [`${caseName} ${name} round ${index + 1}: ${mine} vs nmap ${nmaps}`];
    });
    return {
      caseName,
      name,
      ratios,
      ownCpuMs: median(rounds.map((round) => round[name]!.ownCpuMs)),
      bareOwnCpuMs: median(rounds.map((round) => round['nmap']!.ownCpuMs)),
      bareMs: median(rounds.map((round) => round['nmap']!.ms)),
      median: median(ratios),
      interval: medianInterval(ratios),
      problems,
    };
  });
}

function agreement(rows: Row[]): string[] {
  const problems: string[] = [];
  for (const row of rows) {
    const reference = rows.find((other) => other.caseName === row.caseName && other.name === 'nmap')?.samples[0];
    for (const sample of row.samples) {
      if (reference && JSON.stringify([sample.counts, sample.openPorts]) !== JSON.stringify([reference.counts, reference.openPorts])) {
        problems.push(`${row.caseName} ${row.name}: ${JSON.stringify(sample.counts)} open ${sample.openPorts.join(',')} vs nmap ${JSON.stringify(reference.counts)} open ${reference.openPorts.join(',')}`);
      }
    }
  }
  return problems;
}

const prerequisites = labPrerequisites();
if (!prerequisites.ok) {
  console.error(`bench: the lab cannot run here: ${prerequisites.reason}`);
  process.exit(2);
}
if (spawnSync('nmap', ['--version']).status !== 0) {
  console.error('bench: nmap is not installed (apt-get install nmap)');
  process.exit(2);
}
console.error('bench: compiling the runner');
compileRunner();
const hasNmapEngine = existsSync(`${root}src/net/portscan/nmap.ts`) && existsSync(`${buildDir}/src/net/portscan/nmap.js`);

const lab = await startLab({
  mappings: [
    { protocol: 'TCP', externalPort: 22, internalClient: '@nas', internalPort: 22, description: 'NAS SSH' },
    { protocol: 'TCP', externalPort: 443, internalClient: '@nas', internalPort: 443, description: 'NAS HTTPS' },
    { protocol: 'TCP', externalPort: 8080, internalClient: '@nas', internalPort: 8080, description: 'NAS web UI' },
    { protocol: 'TCP', externalPort: 9000, internalClient: '@nas', internalPort: 9000, description: 'nothing listens' },
  ],
});
try {
  const nas = lab.spawn(lab.nas, process.execPath, ['-e', NAS_SERVICES]);
  await new Promise<void>((resolve, reject) => {
    nas.stdout?.once('data', () => resolve());
    nas.once('exit', (code) => reject(new Error(`bench: NAS services exited (${String(code)})`)));
  });
  const target = lab.router.wanAddress;
  const node = process.execPath;
  const nmapArgs = ['-sT', '-n', '-Pn', '-p-', target];
  const commands: Command[] = [
    { name: 'nmap', command: ['nmap', ...nmapArgs], nmapOutput: true },
    // The floor for any engine that runs nmap from Node: a Node process that does nothing but run it.
    { name: 'node + nmap (floor)', command: [node, '-e', `require('node:child_process').spawnSync('nmap', ${JSON.stringify(nmapArgs)}, { stdio: 'inherit' })`], nmapOutput: true },
    { name: 'connect engine', command: [node, runner, '--engine', 'connect', '--target', target] },
    { name: 'connect engine, 1 thread', command: [node, runner, '--engine', 'connect', '--target', target, '--threads', '1'] },
    { name: 'connect engine, banners', command: [node, runner, '--engine', 'connect', '--target', target, '--banners'] },
    ...(hasNmapEngine ? [{ name: 'nmap engine', command: [node, runner, '--engine', 'nmap', '--target', target] }] : []),
  ];
  console.error(`bench: ${os.availableParallelism()} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; target ${target}`);
  const rows = await runCase(lab, 'closed', commands);
  const paired = ROUNDS > 0 ? await runPaired(lab, 'closed', target) : [];
  if (!values['skip-filtered']) {
    const [first, last] = DROP.split('-');
    await lab.exec(lab.router, binaries.iptablesLegacy, ['-I', 'INPUT', '-i', 'wan0', '-p', 'tcp', '--dport', `${first}:${last}`, '-j', 'DROP']);
    rows.push(...(await runCase(lab, 'filtered', commands.filter((c) => !c.name.startsWith('connect engine,')))));
    if (ROUNDS > 0) paired.push(...(await runPaired(lab, 'filtered', target)));
  }

  const nmapOf = (caseName: string): Row | undefined => rows.find((row) => row.caseName === caseName && row.name === 'nmap');
  console.log(`\nFull-range TCP scan (65,535 ports) of the router's WAN address from the wan host.`);
  console.log(`closed: the router answers RST on unmapped ports; filtered: it also drops ${DROP} on its own INPUT.`);
  console.log(`\nEach command as its own process; median of ${RUNS} runs. Includes Node's start (see the floor), so informative, not the target.`);
  console.log('"others": CPU the rest of the machine used during the run; "quiet": runs during which that stayed under a tenth of a core.\n');
  console.log(`  ${'case'.padEnd(9)} ${'command'.padEnd(25)} ${'wall'.padStart(8)} ${'CPU'.padStart(8)} ${'others'.padStart(8)} ${'RSS'.padStart(6)}  ${'ratio'.padEnd(7)} ${'quiet wall'.padStart(10)}  ${'quiet ratio'.padEnd(11)} runs (ms)`);
  for (const row of rows) {
    const reference = nmapOf(row.caseName);
    const ratio = row.wallMs / (reference?.wallMs ?? Number.NaN);
    const quietRatio = (row.quietWallMs ?? Number.NaN) / (reference?.quietWallMs ?? Number.NaN);
    console.log(
      `  ${row.caseName.padEnd(9)} ${row.name.padEnd(25)} ${row.wallMs.toFixed(0).padStart(5)} ms ${row.cpuMs.toFixed(0).padStart(5)} ms ${row.otherCpuMs.toFixed(0).padStart(5)} ms ${(row.rssKiB / 1024).toFixed(0).padStart(3)} MB` +
        `  ${ratio.toFixed(3).padEnd(7)} ${row.quietWallMs === undefined ? '         -' : `${row.quietWallMs.toFixed(0).padStart(5)} ms (${row.quietRuns})`}` +
        `  ${(Number.isNaN(quietRatio) ? '' : quietRatio.toFixed(3)).padEnd(11)} [${row.samples.map((s) => s.wallMs.toFixed(0)).join(', ')}]`,
    );
  }

  const targets: Record<string, number> = { 'connect engine': 1.2, 'nmap engine': 1.05 };
  console.log(`\nTargets (issue 3). The engines in a running process, as the agent and \`exposure scan\` run them, each round against`);
  console.log(`bare nmap started from the same process seconds apart; median of ${ROUNDS} rounds' ratios and its 95% bootstrap interval.\n`);
  for (const engine of paired) {
    const target = targets[engine.name] ?? Number.NaN;
    const [low, high] = engine.interval;
    const standing = high <= target ? 'the whole interval is under it' : low > target ? 'the whole interval is over it' : `the interval reaches ${high.toFixed(3)}`;
    console.log(
      `  ${engine.caseName.padEnd(9)} ${engine.name.padEnd(15)} ${engine.median.toFixed(3)}x [${low.toFixed(3)}-${high.toFixed(3)}]  ` +
        `${engine.median <= target ? 'met' : 'NOT MET'} (<= ${target}; ${standing})  rounds [${engine.ratios.map((r) => r.toFixed(3)).join(', ')}]`,
    );
  }
  // CPU does not drift with the machine the way wall time does: the engine's own work, measured apart from the noise.
  for (const engine of paired.filter((candidate) => candidate.name === 'nmap engine')) {
    const extra = engine.ownCpuMs - engine.bareOwnCpuMs;
    console.log(
      `  ${engine.caseName.padEnd(9)} nmap engine's own CPU (spawn, reading, parsing, results) ${engine.ownCpuMs.toFixed(0)} ms per scan, ` +
        `${engine.bareOwnCpuMs.toFixed(0)} ms to run bare nmap from the same process: +${extra.toFixed(0)} ms = ${((100 * extra) / engine.bareMs).toFixed(1)}% of a bare nmap run`,
    );
  }
  const rss = Math.max(...rows.filter((row) => row.name.startsWith('connect')).map((row) => row.rssKiB)) / 1024;
  console.log(`  connect engine peak RSS (worst median, whole process) ${rss.toFixed(0)} MB, target <= 150 MB: ${rss <= 150 ? 'met' : 'NOT MET'}`);
  if (!hasNmapEngine) console.log('  nmap engine: not compiled, not measured');
  for (const caseName of new Set(rows.map((row) => row.caseName))) {
    const engine = rows.find((row) => row.caseName === caseName && row.name === 'nmap engine');
    const floor = rows.find((row) => row.caseName === caseName && row.name === 'node + nmap (floor)');
    const reference = nmapOf(caseName)?.wallMs ?? Number.NaN;
    if (!engine || !floor) continue;
    console.log(
      `  ${caseName}: nmap engine as a process of its own ${(engine.wallMs / reference).toFixed(3)}x, ` +
        `against a floor of ${(floor.wallMs / reference).toFixed(3)}x (a Node process that does nothing but run nmap)`,
    );
  }
  const problems = [...agreement(rows), ...paired.flatMap((engine) => engine.problems)];
  console.log(problems.length === 0 ? '  every run of every command found the same open, closed and filtered ports as nmap' : `  DISAGREEMENT:\n    ${problems.join('\n    ')}`);
  const connectRow = rows.find((row) => row.name === 'connect engine');
  console.log(`  connect engine, last run: ${JSON.stringify(connectRow?.samples.at(-1)?.inner?.stats)}`);
  const bannerRow = rows.find((row) => row.name === 'connect engine, banners');
  const bannerRun = bannerRow?.samples.at(-1)?.inner as { open?: Array<{ port: number; banner?: string }> } | undefined;
  console.log(`  banners, last run: ${JSON.stringify(bannerRun?.open)}`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('./results/wan-scan.json', import.meta.url),
    JSON.stringify({ date: new Date().toISOString(), runs: RUNS, rounds: ROUNDS, drop: DROP, cores: os.availableParallelism(), rows, paired }, null, 2),
  );
  if (problems.length > 0) process.exitCode = 1;
} finally {
  await lab.down();
}
