/**
 * Benchmark (not a test): what the history costs. Records N scans of a report with M mappings into a fresh
 * database (WAL, synchronous=NORMAL), then times the reads the CLI and the API do: a page of history, the two
 * newest done scans, a report, a diff. Prints medians and the file size per scan.
 *
 *   node --import tsx bench/history-store.ts                  # 1,000 scans of a 50-mapping report
 *   node --import tsx bench/history-store.ts --scans 200 --mappings 1000
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

const { values } = parseArgs({ options: { scans: { type: 'string', default: '1000' }, mappings: { type: 'string', default: '50' } } });
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
function time(runs: number, work: () => void): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    ms.push(performance.now() - start);
  }
  return median(ms);
}

const dir = mkdtempSync(path.join(tmpdir(), 'exposure-bench-'));
try {
  const file = path.join(dir, 'history.db');
  const openMs = time(1, () => openStore({ file }).close());
  const store = openStore({ file });
  const reports = Array.from({ length: 3 }, (_, i) => report(i));
  const recordMs: number[] = [];
  for (let i = 0; i < SCANS; i++) {
    const start = performance.now();
    store.recordScan(reports[i % 3] as ExposureReport, { options: { ...DEFAULT_SCAN_OPTIONS, wan: false }, trigger: 'schedule' });
    recordMs.push(performance.now() - start);
  }
  const pageMs = time(50, () => store.listScans({ limit: 20 }));
  const latestMs = time(50, () => store.latestDone(2));
  const reportMs = time(50, () => store.getReport(SCANS));
  const diffMs = time(20, () => {
    const [a, b] = store.latestDone(2);
    diffReports(store.getReport(b?.id ?? 1) as ExposureReport, store.getReport(a?.id ?? 1) as ExposureReport);
  });
  store.close();
  const bytes = statSync(file).size;
  console.log(`history store: ${SCANS} scans of a ${MAPPINGS}-mapping report (${Math.round(JSON.stringify(reports[0]).length / 1024)} KiB JSON)`);
  console.log(`  open + migrate a new file   ${openMs.toFixed(1)} ms`);
  console.log(`  record one scan (median)    ${median(recordMs).toFixed(2)} ms   (validate, report, facts, one transaction)`);
  console.log(`  history page of 20          ${pageMs.toFixed(2)} ms`);
  console.log(`  two newest done scans       ${latestMs.toFixed(2)} ms`);
  console.log(`  load one report             ${reportMs.toFixed(2)} ms`);
  console.log(`  diff the two newest         ${diffMs.toFixed(2)} ms`);
  console.log(`  file size                   ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${(bytes / SCANS / 1024).toFixed(1)} KiB per scan`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
