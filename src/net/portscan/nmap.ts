import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { abortError, createError, type ExposureError } from '../../core/errors.js';
import { MAX_NMAP_XML_CHARS } from './nmap-limits.js';
import type { NmapXmlScan } from './nmap-xml.js';
import { formatPortList } from './port-spec.js';
import { scanTarget } from './target.js';
import type { PortScanEngine, PortScanOptions, PortScanResult } from './types.js';

export interface NmapInstallation {
  path: string;
  version: string;
}

export interface NmapEngineConfig {
  /** -sS instead of -sT. Needs raw sockets: honoured only as root, otherwise -sT with a warning. */
  synScan?: boolean;
}

/** `nmap --version` answers in about 10 ms; a binary that takes seconds is not one we want to scan with. */
const VERSION_TIMEOUT_MS = 3000;
/** nmap catches SIGTERM and exits within milliseconds; this only covers a wedged process. */
const KILL_GRACE_MS = 2000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const MAX_WARNINGS = 50;
const MAX_WARNING_CHARS = 300;
/** stderr lines kept for the error message when nmap fails without output. */
const STDERR_TAIL_LINES = 8;

let installation: Promise<NmapInstallation | undefined> | undefined;
let executable: Promise<string | undefined> | undefined;

async function isExecutableFile(candidate: string): Promise<boolean> {
  try {
    if (!(await stat(candidate)).isFile()) return false;
    await access(candidate, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function nmapVersion(candidate: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(candidate, ['--version'], { timeout: VERSION_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024, windowsHide: true }, (error, stdout) => {
      resolve(error ? undefined : /Nmap version (\d[\w.+-]*)/.exec(stdout)?.[1]);
    });
  });
}

function nmapFolders(): string[] {
  // Relative PATH entries ('' or '.') would run whatever `nmap` sits in the current folder.
  return (process.env['PATH'] ?? '').split(path.delimiter).filter((folder) => path.isAbsolute(folder));
}

const NMAP_NAME = process.platform === 'win32' ? 'nmap.exe' : 'nmap';

async function locateNmap(): Promise<NmapInstallation | undefined> {
  for (const folder of nmapFolders()) {
    const candidate = path.join(folder, NMAP_NAME);
    if (!(await isExecutableFile(candidate))) continue;
    const version = await nmapVersion(candidate);
    if (version !== undefined) return { path: candidate, version };
  }
  return undefined;
}

async function locateExecutable(): Promise<string | undefined> {
  for (const folder of nmapFolders()) {
    const candidate = path.join(folder, NMAP_NAME);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** The first nmap on PATH that answers `nmap --version`; looked up once per process. For choosing an engine. */
export async function findNmap(): Promise<NmapInstallation | undefined> {
  installation ??= locateNmap();
  return installation;
}

/**
 * The nmap a scan runs. When findNmap has answered, its choice; otherwise the first executable on PATH, without
 * asking `nmap --version` first: that costs a whole nmap start (10-15 ms, 1% of a full-range scan), and the scan's
 * own XML says which nmap ran. A file that is not nmap fails the scan with EXP_ERR_NMAP_FAILED.
 */
async function nmapToRun(): Promise<string | undefined> {
  if (installation !== undefined) return (await installation)?.path;
  executable ??= locateExecutable();
  return executable;
}

/** Checks the options before anything is spawned; returns them with the target in canonical form. */
function validate(options: PortScanOptions): PortScanOptions {
  const target = scanTarget(options.target);
  if (target === undefined) {
    throw createError('EXP_ERR_USAGE', `nmap target must be an IPv4 or IPv6 address, not "${options.target.slice(0, 60)}"`, {
      hint: 'Give the address itself, e.g. 203.0.113.7 or 2001:db8::7; names, zone ids and option-like text are refused.',
    });
  }
  const { ports } = options;
  const sorted = ports.every((port, index) => Number.isInteger(port) && port >= 1 && port <= 65535 && (index === 0 || port > (ports[index - 1] ?? 0)));
  if (ports.length === 0 || !sorted) throw createError('EXP_ERR_USAGE', 'nmap ports must be a non-empty, sorted list of unique ports 1-65535');
  // setTimeout fires at once for anything above 2^31-1 ms, which would kill every scan at its start.
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs <= 0 || options.timeoutMs > MAX_TIMEOUT_MS) {
    throw createError('EXP_ERR_USAGE', `nmap timeoutMs must be an integer from 1 to ${MAX_TIMEOUT_MS}`);
  }
  return { ...options, target: target.address };
}

/**
 * The argument array, target last after `--`. Flags for a WAN target (one address, seen from the internet):
 * -n (no DNS: nothing leaks to a resolver), -Pn (a home router drops pings; the address is known to exist),
 * -T4 (nmap's advice for broadband: 1.25 s max RTT), --max-retries 2 (T4 allows 6; filtered ports cost each retry,
 * and three probes outlast normal loss), --host-timeout = timeoutMs (our own timer fires first; nmap's is the
 * backstop should this process die without killing it), --version-light with -sV (a silent port costs
 * about 26 s instead of 166 s at the default intensity, measured on loopback; HTTP, TLS and banner probes stay in).
 */
export function nmapArguments(options: PortScanOptions, scanType: '-sT' | '-sS' = '-sT'): string[] {
  return [
    '-n', '-Pn', scanType,
    '-T4', '--max-retries', '2',
    '--host-timeout', `${options.timeoutMs}ms`,
    // No --noninteractive: nmap 7.93 then stops writing --stats-every progress. stdin is /dev/null anyway.
    '--stats-every', '1s',
    '-oX', '-',
    '-p', formatPortList(options.ports),
    ...(options.serviceDetection === true ? ['-sV', '--version-light'] : []),
    // nmap reads an IPv6 literal as a name unless told the scan is IPv6.
    ...(net.isIPv6(options.target) ? ['-6'] : []),
    '--', options.target,
  ];
}

/**
 * Share of the whole run for each nmap task, so one bar can span the port scan and -sV. The NSE slice is the
 * version scripts -sV runs after the service scan.
 */
function progressFraction(task: string, percent: number, serviceDetection: boolean): number | undefined {
  const share = percent / 100;
  const portScan = task === 'Connect Scan' || task === 'SYN Stealth Scan';
  if (!serviceDetection) return portScan ? share : undefined;
  if (portScan) return share * 0.5;
  if (task === 'Service scan') return 0.5 + share * 0.4;
  if (task === 'NSE') return 0.9 + share * 0.1;
  return undefined;
}

class StderrLines {
  readonly kept: string[] = [];
  readonly tail: string[] = [];
  private omitted = 0;
  private pending = '';
  private readonly decoder = new StringDecoder('utf8');

  push(chunk: Buffer): void {
    const lines = (this.pending + this.decoder.write(chunk)).split('\n');
    // An endless line is cut like any other: its start is kept.
    this.pending = (lines.pop() ?? '').slice(0, MAX_WARNING_CHARS);
    for (const line of lines) this.line(line);
  }

  end(): string[] {
    this.line(this.pending + this.decoder.end());
    this.pending = '';
    return this.omitted > 0 ? [...this.kept, `(${this.omitted} more nmap messages not kept)`] : [...this.kept];
  }

  private line(raw: string): void {
    const line = raw.trimEnd().slice(0, MAX_WARNING_CHARS);
    if (line.trim() === '') return;
    this.tail.push(line);
    if (this.tail.length > STDERR_TAIL_LINES) this.tail.shift();
    if (this.kept.length < MAX_WARNINGS) this.kept.push(line);
    else this.omitted++;
  }
}

/** Reads <taskprogress .../> lines as they stream by on stdout (nmap writes them into the XML itself). */
class ProgressReader {
  private pending = '';
  private best = 0;
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly options: PortScanOptions) {}

  push(chunk: Buffer): void {
    if (this.options.onProgress === undefined) return;
    const lines = (this.pending + this.decoder.write(chunk)).split('\n');
    // Only the unfinished last line is carried, and only its start: a taskprogress element is short and always
    // begins a line of its own.
    this.pending = (lines.pop() ?? '').slice(0, 1024);
    for (const line of lines) {
      const match = /^<taskprogress task="([^"]{1,64})" [^>]*percent="(\d{1,3}(?:\.\d+)?)"/.exec(line);
      if (!match?.[1] || match[2] === undefined) continue;
      const fraction = progressFraction(match[1], Math.min(Number(match[2]), 100), this.options.serviceDetection === true);
      if (fraction === undefined) continue;
      this.best = Math.max(this.best, fraction);
      const total = this.options.ports.length;
      // The last step is left for the end of the run: 100% of the port scan is not the end of -sV.
      this.options.onProgress(Math.min(Math.floor(this.best * total), total - 1), total);
    }
  }
}

function failure(exit: string, parsed: NmapXmlScan | undefined, stderrTail: string[], command: string[]): ExposureError {
  const detail = [parsed?.errorMessage, ...stderrTail].filter((line) => line !== undefined && line !== '').join(' | ');
  return createError('EXP_ERR_NMAP_FAILED', `nmap ${exit} without results${detail === '' ? '' : `: ${detail.slice(0, 1000)}`}`, {
    hint: `Run it by hand to see everything nmap says: ${command.join(' ')}; or use the connect engine.`,
  });
}

function runNmap(executable: string, args: string[], options: PortScanOptions, warnings: string[]): Promise<PortScanResult> {
  const started = performance.now();
  const { signal, target, ports, timeoutMs } = options;
  return new Promise<PortScanResult>((resolve, reject) => {
    const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false, windowsHide: true });
    // The XML parser (fast-xml-parser, ~30 ms to load) loads while nmap scans, not before it starts.
    const parser = import('./nmap-xml.js');
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    const stderr = new StderrLines();
    const progress = new ProgressReader(options);
    let stopped: Error | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const stop = (reason: Error): void => {
      if (stopped !== undefined) return;
      stopped = reason;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = (): void => stop(abortError(signal, 'The nmap scan'));
    const deadline = setTimeout(() => stop(createError('EXP_ERR_TIMEOUT', `The nmap scan of ${target} took longer than ${timeoutMs} ms`, {
      hint: 'Raise --timeout, scan fewer ports, or leave out service detection.',
    })), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });

    const settle = (outcome: () => PortScanResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      try {
        resolve(outcome());
      } catch (error) {
        reject(error instanceof Error ? error : new Error('nmap run failed', { cause: error }));
      }
    };

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_NMAP_XML_CHARS) {
        stop(createError('EXP_ERR_NMAP_FAILED', `nmap wrote more than ${MAX_NMAP_XML_CHARS / 1024 / 1024} MiB of output; stopped it`));
        return;
      }
      stdout.push(chunk);
      try {
        progress.push(chunk);
      } catch (error) {
        stop(error instanceof Error ? error : new Error('onProgress threw', { cause: error }));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      // Without a pid nothing ran and no 'close' is owed; after a spawn, 'close' still reports the end.
      if (child.pid === undefined) {
        settle(() => {
          throw createError('EXP_ERR_NMAP_FAILED', `nmap could not be started: ${error.message}`, { cause: error });
        });
      }
    });
    child.on('close', (code, signalName) => void parser.then(({ parseNmapXml }) => settle(() => {
      const messages = stderr.end();
      if (stopped !== undefined) throw stopped;
      const xml = Buffer.concat(stdout).toString('utf8');
      const exit = code === null ? `was killed by ${signalName ?? 'a signal'}` : `exited with code ${code}`;
      let parsed: NmapXmlScan | undefined;
      try {
        parsed = parseNmapXml(xml, { target, ports });
      } catch (error) {
        if (code === 0) throw error;
      }
      if (parsed?.host === 'timed-out') {
        throw createError('EXP_ERR_TIMEOUT', `nmap gave up on ${target} at its host timeout (${timeoutMs} ms)`, { hint: 'Raise --timeout or scan fewer ports.' });
      }
      if (parsed?.host !== 'found') throw failure(exit, parsed, stderr.tail, [executable, ...args]);
      if (code !== 0) warnings.push(`nmap ${exit}; its results were kept`);
      if (parsed.errorMessage !== undefined) warnings.push(`nmap: ${parsed.errorMessage.slice(0, MAX_WARNING_CHARS)}`);
      options.onProgress?.(ports.length, ports.length);
      return {
        engine: 'nmap',
        target,
        ports: parsed.ports,
        durationMs: Math.round(performance.now() - started),
        warnings: [...warnings, ...messages, ...parsed.warnings],
        command: [executable, ...args],
      };
    }), (error: unknown) => settle(() => {
      throw error;
    })));
  });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortError(signal, 'The nmap scan');
}

async function scan(given: PortScanOptions, config: NmapEngineConfig): Promise<PortScanResult> {
  // Validation comes before anything is spawned, `nmap --version` included.
  const options = validate(given);
  throwIfAborted(options.signal);
  const nmap = await nmapToRun();
  if (nmap === undefined) {
    throw createError('EXP_ERR_ENGINE_UNAVAILABLE', 'nmap is not installed (no working nmap on PATH)', { hint: 'Install nmap (apt install nmap) or use the connect engine.' });
  }
  throwIfAborted(options.signal);
  const warnings: string[] = [];
  const root = process.getuid?.() === 0;
  if (config.synScan === true && !root) warnings.push('A SYN scan (-sS) needs root; ran a connect scan (-sT) instead');
  const args = nmapArguments(options, config.synScan === true && root ? '-sS' : '-sT');
  return runNmap(nmap, args, options, warnings);
}

export function createNmapEngine(config: NmapEngineConfig = {}): PortScanEngine {
  return { name: 'nmap', scan: (options) => scan(options, config) };
}

/** Connect scan (-sT), so its states mean what the connect engine's do. */
export const nmapEngine: PortScanEngine = createNmapEngine();
