import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExposureReport } from '../../src/core/report.generated.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import type { StoredScanOptions } from '../../src/store/types.js';

const example = readFileSync(new URL('../fixtures/report-example.json', import.meta.url), 'utf8');

/** A fresh deep copy of the recorded example report (a scan of the fake IGD), to edit per test. */
export function exampleReport(): ExposureReport {
  return JSON.parse(example) as ExposureReport;
}

export const LOOPBACK_OPTIONS: StoredScanOptions = { ...DEFAULT_SCAN_OPTIONS, wan: false, gatewayUrl: 'http://127.0.0.1:1/rootDesc.xml' };

/** A temporary folder removed at the end of the test. */
export async function tempDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'exposure-store-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
