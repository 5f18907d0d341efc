/**
 * Benchmark (not a test): the whole check, process to process, in the lab (issue 14 item 4, decision 0013). One
 * QNAP (the fake QTS web UI) behind two UPnP mappings (8080, 443), the vantage agent on the WAN side, default
 * ports and engine: `exposure scan --vantage URL` from the LAN against what a user would otherwise run,
 * `upnpc -l` on the LAN followed by `nmap -sT -n -Pn --top-ports 1000 WAN` from the vantage host. Rounds rotate
 * the order; the ratio compares medians of one run. Also shows where exposure's time goes, from its report:
 * start-up and rendering (wall time less the scan), SSDP listening, reading the table, the agent's scan.
 * Needs root (network namespaces).
 *
 *   npm run bench:whole                          # 9 rounds
 *   npm run bench:whole -- --runs 15 --no-build
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ExposureReport } from '../src/core/report.generated.js';
import { labPrerequisites, startLab, type Lab, type LabHost } from '../test/lab/lab.js';
import { parseUpnpcList, startAgent, startFakeServices } from '../test/lab/exposure.js';
import { nmapCounts } from './nmap-output.js';
import { build, EXPOSURE_BIN, loadNote, sampleOf } from './process-timing.js';
import { median } from './stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' }, 'no-build': { type: 'boolean', default: false } } });
const RUNS = Number(values.runs);
const TOKEN = 'bench-token-'.padEnd(48, 'w');
const TARGET = 1.0;

async function timed(lab: Lab, host: LabHost, cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string }> {
  const started = process.hrtime.bigint();
  const result = await lab.exec(host, cmd, args, { timeoutMs: 300_000, ...(env ? { env: { ...process.env, ...env } } : {}) });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${String(result.code)}: ${result.stderr.slice(0, 500)}`);
  return { ms, stdout: result.stdout };
}

interface Phases {
  wallMs: number;
  scanMs: number;
  discoveryMs: number;
  tableMs: number;
  agentMs: number;
}

async function exposureRun(lab: Lab, agent: string): Promise<Phases> {
  const run = await timed(lab, lab.scanner, process.execPath, [EXPOSURE_BIN, 'scan', '--vantage', agent, '--format', 'json', '--fail-on', 'none', '--quiet'], { EXPOSURE_VANTAGE_TOKEN: TOKEN });
  const report = JSON.parse(run.stdout) as ExposureReport;
  const mappings = report.gateways.reduce((sum, gateway) => sum + gateway.mappings.length, 0);
  const open = report.wan.ports.filter((port) => port.state === 'open').map((port) => port.port).sort((a, b) => a - b);
  if (mappings !== 2 || open.join(',') !== '443,8080' || report.wan.vantage !== 'agent') throw new Error(`exposure saw ${mappings} mappings, open ${open.join(',')}, vantage ${report.wan.vantage}`);
  if (!report.hosts.some((host) => host.device?.vendor === 'QNAP')) throw new Error('exposure did not fingerprint the QNAP');
  return {
    wallMs: run.ms,
    scanMs: Date.parse(report.finishedAt) - Date.parse(report.startedAt),
    discoveryMs: report.discovery.windowMs,
    tableMs: Math.max(0, ...report.gateways.map((gateway) => gateway.enumeration.durationMs)),
    agentMs: report.wan.durationMs ?? 0,
  };
}

async function pairRun(lab: Lab): Promise<{ upnpcMs: number; nmapMs: number }> {
  // upnpc discovers the router itself, as a user would run it; nmap runs where the agent runs, on the WAN side.
  const upnpc = await timed(lab, lab.scanner, 'upnpc', ['-l']);
  if (parseUpnpcList(upnpc.stdout).length !== 2) throw new Error(`upnpc -l listed ${parseUpnpcList(upnpc.stdout).length} mappings`);
  const nmap = await timed(lab, lab.wan, 'nmap', ['-sT', '-n', '-Pn', '--top-ports', '1000', lab.router.wanAddress]);
  const open = nmapCounts(nmap.stdout).openPorts.sort((a, b) => a - b);
  if (open.join(',') !== '443,8080') throw new Error(`nmap found open ${open.join(',')}`);
  return { upnpcMs: upnpc.ms, nmapMs: nmap.ms };
}

const prerequisites = labPrerequisites();
if (!prerequisites.ok) {
  console.error(`bench: the lab cannot run here: ${prerequisites.reason}`);
  process.exit(2);
}
if (!values['no-build']) build();
const lab = await startLab({
  mappings: [
    { protocol: 'TCP', externalPort: 8080, internalClient: '@nas', internalPort: 8080, description: 'libminiupnpc' },
    { protocol: 'TCP', externalPort: 443, internalClient: '@nas', internalPort: 443, description: 'NAT-PMP 443 tcp' },
  ],
});
try {
  const firmware = { version: '5.1.0', number: '2399', build: '20230515' };
  await startFakeServices(lab, lab.nas, {
    qnap: [
      { host: '0.0.0.0', port: 8080, firmware, modelName: 'TS-X53D', displayModelName: 'TS-453D', hostname: 'LabNAS', flags: { stunnelPort: '443' } },
      { host: '0.0.0.0', port: 443, firmware, tls: 'qnap-default', flags: { stunnelPort: '443' } },
    ],
  });
  // The agent's default limit (6 scans per client per 10 min) would refuse a bench's rounds; its scanning is unchanged.
  const agent = await startAgent(lab, TOKEN, ['--rate-limit', '1000']);
  const before = loadNote();
  // One warm-up of each: the first run reads the program and nmap from disk.
  await exposureRun(lab, agent);
  await pairRun(lab);
  const exposure: Phases[] = [];
  const pair: Array<{ upnpcMs: number; nmapMs: number }> = [];
  for (let round = 0; round < RUNS; round++) {
    if (round % 2 === 0) {
      exposure.push(await exposureRun(lab, agent));
      pair.push(await pairRun(lab));
    } else {
      pair.push(await pairRun(lab));
      exposure.push(await exposureRun(lab, agent));
    }
  }
  const after = loadNote();
  const exposureSample = sampleOf('exposure scan --vantage', exposure.map((run) => run.wallMs));
  const pairSample = sampleOf('upnpc -l, then nmap --top-ports 1000', pair.map((run) => run.upnpcMs + run.nmapMs));
  const ratio = exposureSample.median / pairSample.median;
  const med = (pick: (phases: Phases) => number): string => `${median(exposure.map(pick)).toFixed(0).padStart(6)} ms`;
  console.log(`\nThe whole check in the lab, process to process, median of ${RUNS} rounds (${before} at the start, ${after} at the end)\n`);
  for (const sample of [exposureSample, pairSample]) console.log(`  ${sample.name.padEnd(40)} ${sample.median.toFixed(0).padStart(6)} ms   [${sample.ms.map((ms) => ms.toFixed(0)).join(', ')}]`);
  console.log(`    upnpc -l                               ${median(pair.map((run) => run.upnpcMs)).toFixed(0).padStart(6)} ms`);
  console.log(`    nmap -sT --top-ports 1000              ${median(pair.map((run) => run.nmapMs)).toFixed(0).padStart(6)} ms`);
  console.log('\n  where exposure\'s time goes (medians, from its report)');
  console.log(`    start-up, rendering, exit              ${med((run) => run.wallMs - run.scanMs)}`);
  console.log(`    the scan (startedAt to finishedAt)     ${med((run) => run.scanMs)}`);
  // These overlap: the agent is asked once the default gateway's table is read, while SSDP still listens for
  // other routers (decision 0013), so they do not add up to the scan.
  console.log(`      SSDP listening (beside the agent)    ${med((run) => run.discoveryMs)}`);
  console.log(`      reading the mapping table            ${med((run) => run.tableMs)}`);
  console.log(`      the agent's port scan                ${med((run) => run.agentMs)}`);
  console.log(`      the scan less the agent's scan       ${med((run) => run.scanMs - run.agentMs)}`);
  console.log(`\n  exposure / (upnpc -l + nmap)             ${ratio.toFixed(2)}   target <= ${TARGET}   ${ratio <= TARGET ? 'met' : 'NOT MET'}`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/whole-check.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), runs: RUNS, load: { before, after }, exposure, pair, ratio, target: TARGET }, null, 2)}\n`);
} finally {
  await lab.down();
}
