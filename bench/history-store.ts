/**
 * Benchmark (not a test): what the history costs. Records N scans of a report with M mappings into a fresh
 * database (WAL, synchronous=NORMAL), then times the reads the CLI and the API do: a page of history, the two
 * newest done scans, a report, a diff. Prints medians and the file size per scan.
 *
 *   node --import tsx bench/history-store.ts                  # 1,000 scans of a 50-mapping report
 *   node --import tsx bench/history-store.ts --scans 200 --mappings 1000
 *   node --import tsx bench/history-store.ts --db postgres://USER@127.0.0.1:5432/EMPTY_DB   # the same on PostgreSQL
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { ExposureReport } from '../src/core/report.generated.js';
import { diffReports } from '../src/diff/diff.js';
import { openStore } from '../src/store/index.js';
import { DEFAULT_SCAN_OPTIONS } from '../src/core/options.js';

const { values } = parseArgs({ options: { scans: { type: 'string', default: '1000' }, mappings: { type: 'string', default: '50' }, db: { type: 'string' } } });
const SCANS = Number(values.scans);
const MAPPINGS = Number(values.mappings);

const base = JSON.parse(readFileSync(new URL('../test/fixtures/report-example.json', import.meta.url), 'utf8')) as ExposureReport;
function report(i: number): ExposureReport {
  const copy = structuredClone(base);
  const gateway = copy.gateways[0];
  if (gateway) gateway.mappings = Array.from({ length: MAPPINGS }, (_, n) => ({ protocol: 'TCP' as const, externalPort: 10000 + n + (i % 3), internalClient: `192.168.1.${(n % 200) + 2}`, internalPort: 10000 + n, description: `mapping ${n}`, enabled: true, leaseDuration: 0, remoteHost: '' }));
  copy.summary.mappings = MAPPINGS;
  return copy;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
async function time(runs: number, work: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    ms.push(performance.now() - start);
  }
  return median(ms);
}

const dir = mkdtempSync(path.join(tmpdir(), 'exposure-bench-'));
try {
  const file = values.db ?? path.join(dir, 'history.db');
  const openMs = await time(1, async () => (await openStore({ file })).close());
  const store = await openStore({ file });
  const reports = Array.from({ length: 3 }, (_, i) => report(i));
  const recordMs: number[] = [];
  let last = 0;
  for (let i = 0; i < SCANS; i++) {
    const start = performance.now();
    last = (await store.recordScan(reports[i % 3] as ExposureReport, { options: { ...DEFAULT_SCAN_OPTIONS, wan: false }, trigger: 'schedule' })).id;
    recordMs.push(performance.now() - start);
  }
  const pageMs = await time(50, () => store.listScans({ limit: 20 }));
  const latestMs = await time(50, () => store.latestDone(2));
  const reportMs = await time(50, () => store.getReport(last));
  const diffMs = await time(20, async () => {
    const [a, b] = await store.latestDone(2);
    diffReports((await store.getReport(b?.id ?? 1)) as ExposureReport, (await store.getReport(a?.id ?? 1)) as ExposureReport);
  });
  const where = store.file;
  await store.close();
  const bytes = values.db === undefined ? statSync(file).size : undefined;
  console.log(`history store (${where}): ${SCANS} scans of a ${MAPPINGS}-mapping report (${Math.round(JSON.stringify(reports[0]).length / 1024)} KiB JSON)`);
  console.log(`  open + migrate a new file   ${openMs.toFixed(1)} ms`);
  console.log(`  record one scan (median)    ${median(recordMs).toFixed(2)} ms   (validate, report, facts, one transaction)`);
  console.log(`  history page of 20          ${pageMs.toFixed(2)} ms`);
  console.log(`  two newest done scans       ${latestMs.toFixed(2)} ms`);
  console.log(`  load one report             ${reportMs.toFixed(2)} ms`);
  console.log(`  diff the two newest         ${diffMs.toFixed(2)} ms`);
  if (bytes !== undefined) console.log(`  file size                   ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${(bytes / SCANS / 1024).toFixed(1)} KiB per scan`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
