/**
 * Benchmark (not a test): reading 1,000 port mappings from the real miniupnpd in the lab, process to process,
 * `exposure scan --no-wan --format json --gateway URL` against `upnpc -u URL -l` and `-L`, on IGDv2 and with
 * IGDv1 forced. Prints medians and ratios against the targets of issue 2. Needs root (network namespaces).
 *
 *   npm run bench                 # 5 runs each
 *   npm run bench -- --runs 9 --mappings 1000
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
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
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function time(lab: Lab, name: string, cmd: string, args: string[], check: (stdout: string) => void): Promise<Sample> {
  const ms: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    const result = await lab.exec(lab.scanner, cmd, args, { timeoutMs: 300_000 });
    ms.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.code !== 0 && result.code !== 1) throw new Error(`${name} failed (${result.code}): ${result.stderr.slice(0, 500)}`);
    check(result.stdout);
  }
  return { name, ms, median: median(ms) };
}

function countUpnpcRows(stdout: string): number {
  return stdout.split('\n').filter((line) => /^\s*\d+\s+(TCP|UDP)\s+\d+->/.test(line)).length;
}

function expectCount(what: string, count: number): void {
  if (count !== MAPPINGS) throw new Error(`${what} saw ${count} mappings, expected ${MAPPINGS}`);
}

async function round(lab: Lab, label: string, withList: boolean): Promise<Sample[]> {
  const url = lab.router.rootDescUrl;
  const samples: Sample[] = [];
  samples.push(await time(lab, `${label} upnpc -l`, 'upnpc', ['-u', url, '-l'], (out) => expectCount('upnpc -l', countUpnpcRows(out))));
  if (withList) samples.push(await time(lab, `${label} upnpc -L`, 'upnpc', ['-u', url, '-L'], (out) => expectCount('upnpc -L', countUpnpcRows(out))));
  samples.push(
    await time(lab, `${label} exposure`, process.execPath, [exposureBin, 'scan', '--no-wan', '--format', 'json', '--fail-on', 'none', '--gateway', url], (out) => {
      const report = JSON.parse(out) as { gateways: Array<{ mappings: unknown[]; enumeration: { method: string; requests: number } }> };
      expectCount('exposure', report.gateways[0]?.mappings.length ?? 0);
    }),
  );
  return samples;
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
  const v2 = await round(lab, 'IGDv2', true);
  await lab.restartRouter({ igdV1: true });
  const v1 = await round(lab, 'IGDv1', false);
  const get = (samples: Sample[], suffix: string): number => samples.find((sample) => sample.name.endsWith(suffix))?.median ?? Number.NaN;
  const ratios = [
    { what: 'IGDv2: exposure / upnpc -l', ratio: get(v2, 'exposure') / get(v2, 'upnpc -l'), target: 0.2 },
    { what: 'IGDv2: exposure / upnpc -L', ratio: get(v2, 'exposure') / get(v2, 'upnpc -L'), target: 1.5 },
    { what: 'IGDv1: exposure / upnpc -l (4 in flight)', ratio: get(v1, 'exposure') / get(v1, 'upnpc -l'), target: 0.5 },
  ];
  console.log(`\n${MAPPINGS} mappings, miniupnpd 2.3.1 in the lab, median of ${RUNS} runs (process to process)\n`);
  for (const sample of [...v2, ...v1]) console.log(`  ${sample.name.padEnd(20)} ${sample.median.toFixed(0).padStart(7)} ms   [${sample.ms.map((ms) => ms.toFixed(0)).join(', ')}]`);
  console.log('');
  for (const { what, ratio, target } of ratios) console.log(`  ${what.padEnd(42)} ${ratio.toFixed(3)}   target <= ${target}   ${ratio <= target ? 'met' : 'NOT MET'}`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/igd-enumeration.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), mappings: MAPPINGS, runs: RUNS, samples: [...v2, ...v1], ratios }, null, 2));
} finally {
  await lab.down();
}
