/** Runs the real `exposure` program inside a lab namespace, as a user would on their home network. */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpGet, type Lab, type LabHost } from './lab.js';
import { exposureArgv } from '../support/built.js';
import type { ExposureReport, Mapping } from '../../src/core/report.generated.js';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';


export interface ExposureRun {
  code: number | null;
  stdout: string;
  stderr: string;
  report: ExposureReport | undefined;
}

export async function runExposure(lab: Lab, args: string[], host: LabHost = lab.scanner, env?: NodeJS.ProcessEnv): Promise<ExposureRun> {
  const result = await lab.exec(host, process.execPath, exposureArgv(...args), { timeoutMs: 120_000, ...(env ? { env: { ...process.env, ...env } } : {}) });
  let report: ExposureReport | undefined;
  if (args.includes('json')) {
    try {
      report = JSON.parse(result.stdout) as ExposureReport;
    } catch {
      report = undefined;
    }
  }
  return { code: result.code, stdout: result.stdout, stderr: result.stderr, report };
}

export interface UpnpcRow {
  protocol: string;
  externalPort: number;
  internalClient: string;
  internalPort: number;
  description: string;
  remoteHost: string;
  leaseDuration: number;
}

/** Parses `upnpc -l` / `upnpc -L` rows: ` 0 TCP  8080->10.1.2.20:80    'NAS web UI' '' 0`. */
export function parseUpnpcList(output: string): UpnpcRow[] {
  const rows: UpnpcRow[] = [];
  for (const line of output.split('\n')) {
    const match = /^\s*\d+\s+(TCP|UDP)\s+(\d+)->([\d.]+):(\d+)\s+'(.*)'\s+'(.*)'\s+(\d+)\s*$/.exec(line);
    if (!match) continue;
    rows.push({
      protocol: match[1]!,
      externalPort: Number(match[2]),
      internalClient: match[3]!,
      internalPort: Number(match[4]),
      description: match[5]!,
      remoteHost: match[6]!,
      leaseDuration: Number(match[7]),
    });
  }
  return rows;
}

/** The rows, and when they were listed (leases count down from there). */
export async function upnpcList(lab: Lab, flag: '-l' | '-L'): Promise<UpnpcRow[] & { listedAt: number }> {
  const listedAt = Date.now();
  const result = await lab.exec(lab.scanner, 'upnpc', ['-u', lab.router.rootDescUrl, flag], { timeoutMs: 120_000 });
  return Object.assign(parseUpnpcList(result.stdout), { listedAt });
}

export const mappingKey = (m: Pick<Mapping, 'protocol' | 'externalPort'>): string => `${m.protocol}/${m.externalPort}`;

export const AGENT_PORT = 7447;
const SERVICES = fileURLToPath(new URL('../support/fake-services-main.ts', import.meta.url));

/** `exposure agent` on the lab's internet host, with this token; resolves to its URL once /v1/healthz answers. */
export async function startAgent(lab: Lab, token: string, extra: string[] = []): Promise<string> {
  // In the lab's own folder, which its teardown removes.
  const tokenFile = path.join(mkdtempSync(path.join(lab.tmpDir, 'agent-')), 'token');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  lab.spawn(lab.wan, process.execPath, exposureArgv('agent', '--listen', `${lab.wan.address}:${AGENT_PORT}`, '--token-file', tokenFile, ...extra));
  const url = `http://${lab.wan.address}:${AGENT_PORT}`;
  for (let attempt = 0; attempt < 150; attempt++) {
    const health = await httpGet(lab, lab.wan, `${url}/v1/healthz`, { timeoutMs: 1000 }).catch(() => undefined);
    if (health?.status === 200) return url;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the agent did not start');
}

/** Fake QNAP web UIs and a DNS server in one process inside a namespace (test/support/fake-services-main.ts). */
export function startFakeServices(lab: Lab, host: LabHost, config: object): Promise<void> {
  const child: ChildProcess = lab.spawn(host, process.execPath, [...TS_LOADER_ARGS, SERVICES, JSON.stringify(config)]);
  const what = `fake services in ${host.ns}`;
  return new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${String(code)}): ${output}`));
    });
  });
}

/** `exposure scan --vantage URL --format json` from the scanner host, the token in the environment as a user would. */
export function scanWithVantage(lab: Lab, url: string, token: string, args: string[]): Promise<ExposureRun> {
  return runExposure(lab, ['scan', '--vantage', url, '--format', 'json', '--fail-on', 'none', ...args], lab.scanner, { EXPOSURE_VANTAGE_TOKEN: token });
}
