// A watch whose agent goes down: the scheduler, the real store and a real webhook receiver on a fake clock. One
// failed scan is one coverage-changed and no alert under new-exposure; three in a row are one alert; the scans
// around a gap raise no finding-new or finding-resolved.
import t from 'tap';
import path from 'node:path';
import type { AlertPayload } from '../../src/alerts/payload.js';
import { buildReport } from '../../src/report/build.js';
import { startScheduler } from '../../src/schedule/scheduler.js';
import { openStore } from '../../src/store/index.js';
import { DEFAULT_SCAN_OPTIONS, type ScanOptions } from '../../src/core/options.js';
import type { Observation } from '../../src/core/observation.js';
import type { ExposureReport, Gateway } from '../../src/core/report.generated.js';
import { evaluateRules } from '../../src/rules/index.js';
import type { AlertOn } from '../../src/store/types.js';
import { testClock } from '../support/clock.js';
import { tempDir } from '../support/reports.js';
import { startReceiver } from '../support/webhook-receiver.js';

const options: ScanOptions = { ...DEFAULT_SCAN_OPTIONS, gatewayUrl: 'http://127.0.0.1:1/rootDesc.xml', vantageUrl: 'https://agent.example:7447' };
const mapping = { protocol: 'TCP' as const, externalPort: 8080, internalClient: '10.0.0.5', internalPort: 8080, description: 'QNAP', enabled: true, leaseDuration: 0, remoteHost: '', internalClientOnLan: true };
const gateway: Gateway = {
  location: 'http://10.0.0.1:5000/rootDesc.xml', address: '10.0.0.1', igdVersion: 2, deviceType: 'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  friendlyName: 'Router', manufacturer: 'M', modelName: 'X', udn: 'uuid:11111111-2222-3333-4444-555555555555', services: [], connectionService: 'urn:schemas-upnp-org:service:WANIPConnection:2',
  externalIp: '11.1.1.1', externalIpClass: 'public', connectionStatus: 'Connected', uptimeSeconds: 10, mappings: [mapping], mappingsTruncated: false,
  enumeration: { method: 'GetListOfPortMappings', requests: 1, durationMs: 1, stopReason: 'end-of-table' }, errors: [],
};

function report(agentUp: boolean, at: string): ExposureReport {
  const observations: Observation[] = [
    { probe: 'upnp-igd', kind: 'discovery', subject: 'lan', at, data: { method: 'gateway-url', windowMs: 0, responses: [] } },
    { probe: 'upnp-igd', kind: 'gateway', subject: gateway.location, at, data: gateway },
  ];
  if (agentUp) {
    observations.push({ probe: 'wan-scan', kind: 'wan', subject: 'wan', at, data: { vantage: 'agent', outsideView: true, address: '11.1.1.1', engine: 'nmap', agentUrl: 'https://agent.example:7447', portsAsked: 1, portSpec: '8080', ports: [{ port: 8080, protocol: 'TCP', state: 'open' }] } });
  } else {
    observations.push(
      { probe: 'wan-scan', kind: 'wan', subject: 'wan', at, data: { vantage: 'none', outsideView: false, address: null, engine: null, ports: [], agentUrl: 'https://agent.example:7447', reason: 'the vantage agent failed' } },
      { probe: 'wan-scan', kind: 'warning', subject: 'wan', at, data: { code: 'EXP_ERR_VANTAGE', message: 'Cannot reach the agent' } },
    );
  }
  return buildReport({ startedAt: new Date(at), finishedAt: new Date(at), options, observations, findings: evaluateRules(observations) });
}

/** Runs one scan per second with the agent up or down as `plan` says; returns the alert bodies received, in order. */
async function watch(t: { teardown: (fn: () => unknown) => void }, plan: boolean[], alertOn: AlertOn): Promise<AlertPayload[]> {
  const clock = testClock();
  const receiver = await startReceiver();
  t.teardown(receiver.close);
  const store = openStore({ file: path.join(await tempDir(t), 'h.db'), now: clock.date });
  t.teardown(() => store.close());
  store.createSchedule({ name: 'home', cron: '* * * * * *', options, webhooks: [receiver.url], alertOn });
  let index = 0;
  const run = () => Promise.resolve(report(plan[index++] ?? true, clock.date().toISOString()));
  const scheduler = startScheduler({ store, clock, run, maxJitterMs: 0, outbox: { pollMs: 100, retryBaseMs: 100 } });
  t.teardown(() => scheduler.stop());
  for (let scan = 0; scan < plan.length; scan++) {
    await clock.tick(1000);
    await scheduler.idle();
  }
  return receiver.received.map((received) => received.body as AlertPayload);
}

const matchedKinds = (alert: AlertPayload) => alert.changes.filter((change) => change.matched).map((change) => `${change.kind} ${change.key}`);

t.test('new-exposure: a dead agent is one alert, at the third failed scan in a row', async (t) => {
  const alerts = await watch(t, [true, false, true, false, false, false, false], 'new-exposure');
  t.same(alerts.map((alert) => alert.type), ['exposure.baseline', 'exposure.changes'], 'the baseline, then one alert in seven scans');
  t.same(matchedKinds(alerts[1] as AlertPayload), ['coverage-changed outside']);
  t.match(alerts[1]?.changes[0]?.summary, /the outside view has failed in the last 3 scans: EXP_ERR_VANTAGE/);
});

t.test('any: the agent stopped for one scan is one coverage-changed going down and one coming back, nothing else', async (t) => {
  const alerts = await watch(t, [true, false, true], 'any');
  t.same(alerts.map((alert) => alert.type), ['exposure.baseline', 'exposure.changes', 'exposure.changes']);
  for (const alert of alerts.slice(1)) t.same(alert.changes.map((change) => `${change.kind} ${change.key}`), ['coverage-changed outside']);
});
