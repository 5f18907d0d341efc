/** Runs the real `exposure` program inside a lab namespace, as a user would on their home network. */
import { fileURLToPath } from 'node:url';
import type { Lab, LabHost } from './lab.js';
import type { ExposureReport, Mapping } from '../../src/core/report.generated.js';

const CLI = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));

export interface ExposureRun {
  code: number | null;
  stdout: string;
  stderr: string;
  report: ExposureReport | undefined;
}

export async function runExposure(lab: Lab, args: string[], host: LabHost = lab.scanner): Promise<ExposureRun> {
  const result = await lab.exec(host, process.execPath, ['--import', 'tsx', CLI, ...args], { timeoutMs: 120_000 });
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
