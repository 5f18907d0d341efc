/**
 * Whole-process timing for the benchmarks: a command's wall time from spawn to exit, as a user at a shell sees
 * it, and the machine's load while it ran (other work on a shared machine moves every figure; the ratios of one
 * run, measured rounds apart, move much less).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const EXPOSURE_BIN = path.join(ROOT, 'bin/exposure.js');
const MODULE_HOOK = path.join(ROOT, 'bench/loaded-modules.mjs');

export interface Sample {
  name: string;
  ms: number[];
  median: number;
}

export function sampleOf(name: string, ms: number[]): Sample {
  return { name, ms, median: median(ms) };
}

/** Runs one command to its end and returns its wall time in ms; a non-zero exit it does not allow throws. */
export function timeOnce(cmd: string, args: readonly string[], okCodes: readonly number[] = [0]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error) throw result.error;
  if (!okCodes.includes(result.status ?? -1)) throw new Error(`${cmd} ${args.join(' ')} exited ${String(result.status)}: ${result.stderr.toString().slice(0, 500)}`);
  return ms;
}

/** Peak resident memory of one run in KiB, from GNU time when it is installed (undefined otherwise). */
export function peakRssKiB(cmd: string, args: readonly string[]): number | undefined {
  if (!existsSync('/usr/bin/time')) return undefined;
  const result = spawnSync('/usr/bin/time', ['-f', 'EXPOSURE_BENCH_RSS %M', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const match = /EXPOSURE_BENCH_RSS (\d+)/.exec(result.stderr.toString());
  return match ? Number(match[1]) : undefined;
}

/** The files a run of the built program loads (bench/loaded-modules.mjs), paths relative to the repository. */
export function loadedModules(args: readonly string[]): string[] {
  const out = path.join(tmpdir(), `exposure-modules-${process.pid}.json`);
  spawnSync(process.execPath, ['--import', MODULE_HOOK, EXPOSURE_BIN, ...args], { stdio: 'ignore', env: { ...process.env, EXPOSURE_LOADED_MODULES: out } });
  try {
    return (JSON.parse(readFileSync(out, 'utf8')) as string[]).map((file) => path.relative(ROOT, file));
  } finally {
    rmSync(out, { force: true });
  }
}

/** The third-party packages among loaded files, with how many files each contributed. */
export function packagesOf(files: readonly string[]): Map<string, number> {
  const packages = new Map<string, number>();
  for (const file of files) {
    const match = /node_modules\/(@[^/]+\/[^/]+|[^/]+)\//.exec(file);
    if (match) packages.set(match[1]!, (packages.get(match[1]!) ?? 0) + 1);
  }
  return packages;
}

/** 1-minute load average against the cores: above 1 means other work competed for the CPU during the run. */
export function loadNote(): string {
  return `load average ${loadavg().map((value) => value.toFixed(2)).join(' ')} on ${availableParallelism()} core(s)`;
}

/** Builds dist/ so the measured program is the one that ships; a type error elsewhere still emits, and says so. */
export function build(): void {
  console.error('bench: building dist/ (npm run build) so the measured program is the shipped one');
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    console.error('bench: the build reported type errors; tsc still emitted dist/, which is what is measured');
  }
}
