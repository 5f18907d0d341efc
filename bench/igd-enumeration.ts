/**
 * Benchmark (not a test): reading 1,000 port mappings from the real miniupnpd in the lab, process to process,
 * `exposure scan --no-wan --format json --gateway URL` against `upnpc -u URL -l` and `-L`, on IGDv2 and with
 * IGDv1 forced. Prints medians and ratios against the targets of issue 2. Needs root (network namespaces).
 *
 *   npm run bench                 # 5 runs each
 *   npm run bench -- --runs 9 --mappings 1000
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateMappings, labPrerequisites, startLab, type Lab } from '../test/lab/lab.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, mappings: { type: 'string', default: '1000' } } });
const RUNS = Number(values.runs);
const MAPPINGS = Number(values.mappings);
const root = fileURLToPath(new URL('..', import.meta.url));
const exposureBin = fileURLToPath(new URL('../bin/exposure.js', import.meta.url));

interface Sample {
  name: string;
  ms: number[];
  median: number;
  /** CPU time miniupnpd spent per run (median): shows how much of the wall time is the router's own work. */
  routerCpuMs: number;
}

function routerCpuMs(pid: number): number {
  // utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function time(lab: Lab, name: string, cmd: string, args: string[], check: (stdout: string) => void): Promise<Sample> {
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const cpuBefore = routerCpuMs(lab.router.pid);
    const started = process.hrtime.bigint();
    const result = await lab.exec(lab.scanner, cmd, args, { timeoutMs: 300_000 });
    ms.push(Number(process.hrtime.bigint() - started) / 1e6);
    cpu.push(routerCpuMs(lab.router.pid) - cpuBefore);
    if (result.code !== 0 && result.code !== 1) throw new Error(`${name} failed (${result.code}): ${result.stderr.slice(0, 500)}`);
    check(result.stdout);
  }
  return { name, ms, median: median(ms), routerCpuMs: median(cpu) };
}

function countUpnpcRows(stdout: string): number {
  return stdout.split('\n').filter((line) => /^\s*\d+\s+(TCP|UDP)\s+\d+->/.test(line)).length;
}

function expectCount(what: string, count: number): void {
  if (count !== MAPPINGS) throw new Error(`${what} saw ${count} mappings, expected ${MAPPINGS}`);
}

function exposureArgs(url: string, extra: string[]): string[] {
  return [exposureBin, 'scan', '--no-wan', '--format', 'json', '--fail-on', 'none', '--gateway', url, ...extra];
}

function checkExposure(expectedMethod: string): (stdout: string) => void {
  return (stdout) => {
    const report = JSON.parse(stdout) as { gateways: Array<{ mappings: unknown[]; enumeration: { method: string } }> };
    expectCount('exposure', report.gateways[0]?.mappings.length ?? 0);
    const method = report.gateways[0]?.enumeration.method;
    if (method !== expectedMethod) throw new Error(`exposure read the table with ${method}, expected ${expectedMethod}`);
  };
}

async function round(lab: Lab, label: string): Promise<Sample[]> {
  const url = lab.router.rootDescUrl;
  return [
    await time(lab, `${label} upnpc -l`, 'upnpc', ['-u', url, '-l'], (out) => expectCount('upnpc -l', countUpnpcRows(out))),
    await time(lab, `${label} upnpc -L`, 'upnpc', ['-u', url, '-L'], (out) => expectCount('upnpc -L', countUpnpcRows(out))),
    await time(lab, `${label} exposure`, process.execPath, exposureArgs(url, []), checkExposure('GetListOfPortMappings')),
    await time(lab, `${label} exposure index/4`, process.execPath, exposureArgs(url, ['--enumeration', 'index']), checkExposure('GetGenericPortMappingEntry')),
    await time(lab, `${label} exposure index/1`, process.execPath, exposureArgs(url, ['--enumeration', 'index', '--max-in-flight', '1']), checkExposure('GetGenericPortMappingEntry')),
  ];
}

const prerequisites = labPrerequisites();
if (!prerequisites.ok) {
  console.error(`bench: the lab cannot run here: ${prerequisites.reason}`);
  process.exit(2);
}
console.error('bench: building dist/ so the measured program is the shipped one');
execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
console.error(`bench: starting the lab with ${MAPPINGS} mappings (miniupnpd loads them before it listens)`);
const lab = await startLab({ mappings: generateMappings(MAPPINGS, '@nas', { mixed: true }) });
try {
  const v2 = await round(lab, 'IGDv2');
  await lab.restartRouter({ igdV1: true });
  const v1 = await round(lab, 'IGDv1');
  const get = (samples: Sample[], suffix: string): number => samples.find((sample) => sample.name.endsWith(suffix))?.median ?? Number.NaN;
  const ratios = [
    { what: 'IGDv2: exposure / upnpc -l', ratio: get(v2, 'exposure') / get(v2, 'upnpc -l'), target: 0.2 },
    { what: 'IGDv2: exposure / upnpc -L', ratio: get(v2, 'exposure') / get(v2, 'upnpc -L'), target: 1.5 },
    { what: 'IGDv1: exposure / upnpc -l', ratio: get(v1, 'exposure') / get(v1, 'upnpc -l'), target: 0.5 },
    { what: 'IGDv1: exposure index walk, 4 in flight / upnpc -l', ratio: get(v1, 'index/4') / get(v1, 'upnpc -l'), target: 0.5 },
  ];
  console.log(`\n${MAPPINGS} mappings, miniupnpd 2.3.1 in the lab, median of ${RUNS} runs (process to process)\n`);
  console.log(`  ${'command'.padEnd(26)} ${'wall'.padStart(7)}      ${'router CPU'.padStart(10)}   runs`);
  for (const sample of [...v2, ...v1]) {
    console.log(`  ${sample.name.padEnd(26)} ${sample.median.toFixed(0).padStart(7)} ms   ${sample.routerCpuMs.toFixed(0).padStart(7)} ms   [${sample.ms.map((ms) => ms.toFixed(0)).join(', ')}]`);
  }
  console.log('');
  for (const { what, ratio, target } of ratios) console.log(`  ${what.padEnd(52)} ${ratio.toFixed(3)}   target <= ${target}   ${ratio <= target ? 'met' : 'NOT MET'}`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/igd-enumeration.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), mappings: MAPPINGS, runs: RUNS, samples: [...v2, ...v1], ratios }, null, 2));
} finally {
  await lab.down();
}
