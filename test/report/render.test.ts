import t from 'tap';
import { terminalSafe } from '../../src/report/sanitize.js';
import { buildReport } from '../../src/report/build.js';
import { renderText } from '../../src/report/render-text.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import type { Observation } from '../../src/core/observation.js';
import type { Gateway } from '../../src/core/report.generated.js';
import { evaluateRules } from '../../src/rules/index.js';

t.test('terminalSafe makes every control and bidi character visible', async (t) => {
  t.equal(terminalSafe('a\u001b[31mb'), 'a\\x1b[31mb');
  t.equal(terminalSafe('line\nbreak\r\ttab'), 'line\\x0abreak\\x0d\\x09tab');
  t.equal(terminalSafe('\u009b2J'), '\\x9b2J', 'C1 CSI');
  t.equal(terminalSafe('abc\u202Etxt.exe'), 'abc\\u202etxt.exe');
  t.equal(terminalSafe('QNAP TS-453D · Müller'), 'QNAP TS-453D · Müller', 'ordinary text untouched');
});

const gateway = (overrides: Partial<Gateway>): Gateway => ({
  location: 'http://10.0.0.1:5000/rootDesc.xml', address: '10.0.0.1', igdVersion: 2, deviceType: 'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  friendlyName: 'Router', manufacturer: 'M', modelName: 'X', services: [], connectionService: 'urn:schemas-upnp-org:service:WANIPConnection:2',
  externalIp: '11.1.1.1', externalIpClass: 'public', connectionStatus: 'Connected', uptimeSeconds: 10, mappings: [], mappingsTruncated: false,
  enumeration: { method: 'GetListOfPortMappings', requests: 1, durationMs: 1, stopReason: 'end-of-table' }, errors: [], ...overrides,
});

function report(observations: Observation[]) {
  const at = new Date().toISOString();
  const all: Observation[] = [{ probe: 'upnp-igd', kind: 'discovery', subject: 'lan', at, data: { method: 'ssdp', windowMs: 1500, responses: [] } }, ...observations];
  return buildReport({ startedAt: new Date(), finishedAt: new Date(), options: DEFAULT_SCAN_OPTIONS, observations: all, findings: evaluateRules(all) });
}

t.test('rules: reserved external address, off-LAN client, truncated table', async (t) => {
  const at = new Date().toISOString();
  const r = report([
    {
      probe: 'upnp-igd', kind: 'gateway', subject: 'g', at,
      data: gateway({
        externalIp: '100.64.3.4', externalIpClass: 'cgnat', mappingsTruncated: true,
        mappings: [{ protocol: 'TCP', externalPort: 445, internalClient: '8.8.8.8', internalPort: 445, description: '', enabled: true, leaseDuration: 0, remoteHost: '', internalClientOnLan: false }],
      }),
    },
  ]);
  const byRule = (rule: string) => r.findings.filter((f) => f.rule === rule);
  t.equal(byRule('wan-address-not-public')[0]?.severity, 'info');
  t.match(byRule('wan-address-not-public')[0]?.title, /100\.64\.3\.4/);
  t.equal(byRule('upnp-mapping-off-lan')[0]?.severity, 'high', 'a public internal client: UPnProxy');
  t.equal(byRule('upnp-mapping')[0]?.severity, 'high', 'critical (445, permanent) lowered one step behind CGNAT');
  t.equal(byRule('upnp-igd-enabled')[0]?.severity, 'low');
  t.equal(byRule('upnp-mapping-table-incomplete').length, 1);
  t.equal(r.summary.highestSeverity, 'high');
  t.equal(r.findings[0]?.severity, 'high', 'sorted by severity');
});

t.test('a private internal client on another subnet is low, not UPnProxy', async (t) => {
  const at = new Date().toISOString();
  const r = report([
    {
      probe: 'upnp-igd', kind: 'gateway', subject: 'g', at,
      data: gateway({ mappings: [{ protocol: 'UDP', externalPort: 9000, internalClient: '192.168.77.5', internalPort: 9000, description: '', enabled: true, leaseDuration: 60, remoteHost: '', internalClientOnLan: false }] }),
    },
  ]);
  t.equal(r.findings.filter((f) => f.rule === 'upnp-mapping-off-lan').length, 0);
  t.equal(r.findings.find((f) => f.rule === 'upnp-mapping-other-subnet')?.severity, 'low');
});

t.test('no gateway: one info finding, highest severity info', async (t) => {
  const r = report([]);
  t.same(r.findings.map((f) => f.id), ['upnp-igd-not-found']);
  t.equal(r.summary.highestSeverity, 'info');
  t.match(renderText(r), /No UPnP router found/);
});

t.test('finding ids are unique, stable and kebab-case', async (t) => {
  const at = new Date().toISOString();
  const mapping = { protocol: 'TCP' as const, externalPort: 80, internalClient: '10.0.0.2', internalPort: 80, description: '', enabled: true, leaseDuration: 5, remoteHost: '' };
  const r = report([
    { probe: 'upnp-igd', kind: 'gateway', subject: 'a', at, data: gateway({ mappings: [mapping] }) },
    { probe: 'upnp-igd', kind: 'gateway', subject: 'b', at, data: gateway({ address: '10.0.0.254', location: 'http://10.0.0.254/x', mappings: [mapping] }) },
  ]);
  const ids = r.findings.map((f) => f.id);
  t.equal(new Set(ids).size, ids.length);
  // Neither router names a UDN: each is named by its LOCATION host and port, whatever the other does.
  t.ok(ids.includes('upnp-mapping-loc-10-0-0-1-5000-tcp-80'));
  t.ok(ids.includes('upnp-mapping-loc-10-0-0-254-80-tcp-80'));
  for (const id of ids) t.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
});

t.test('an invalid report is refused with a typed error', async (t) => {
  const at = new Date().toISOString();
  t.throws(
    () => buildReport({ startedAt: new Date(), finishedAt: new Date(), options: DEFAULT_SCAN_OPTIONS, observations: [{ probe: 'upnp-igd', kind: 'gateway', subject: 'g', at, data: { ...gateway({}), igdVersion: 3 as 2 } }], findings: [] }),
    { code: 'EXP_ERR_REPORT_INVALID' },
  );
});
