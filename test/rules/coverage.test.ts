// Coverage: what a scan could look at, judged from its observations. The rule above all: a scan that could not look
// never reads as "nothing found".
import t from 'tap';
import { buildReport } from '../../src/report/build.js';
import { judgeCoverage } from '../../src/rules/coverage.js';
import { DEFAULT_SCAN_OPTIONS, type ScanOptions } from '../../src/core/options.js';
import type { Observation } from '../../src/core/observation.js';
import type { Gateway, Wan, WanPort } from '../../src/core/report.generated.js';
import { evaluateRules } from '../../src/rules/index.js';
import { renderText } from '../../src/report/render-text.js';
import { renderMarkdown } from '../../src/report/render-markdown.js';
import { renderHtml } from '../../src/report/render-html.js';
import { homeGateway } from '../support/coverage-scans.js';

const at = '2030-01-01T00:00:00.000Z';
const gateway = (overrides: Partial<Gateway> = {}): Gateway => homeGateway({ mappings: [], ...overrides });
const discovery: Observation = { probe: 'upnp-igd', kind: 'discovery', subject: 'lan', at, data: { method: 'ssdp', windowMs: 1500, responses: [] } };
const gatewayObservation = (data: Gateway): Observation => ({ probe: 'upnp-igd', kind: 'gateway', subject: data.location, at, data });
const wanObservation = (data: Wan): Observation => ({ probe: 'wan-scan', kind: 'wan', subject: 'wan', at, data });
const tcp = (port: number, state: WanPort['state'] = 'closed'): WanPort => ({ port, protocol: 'TCP', state });
const agentWan = (ports: WanPort[], asked: number): Wan => ({ vantage: 'agent', outsideView: true, address: '11.1.1.1', engine: 'nmap', agentUrl: 'https://agent.example', ports, portsAsked: asked, portSpec: '1-3' });
const withVantage: ScanOptions = { ...DEFAULT_SCAN_OPTIONS, vantageUrl: 'https://agent.example:7447' };
const noWan: ScanOptions = { ...DEFAULT_SCAN_OPTIONS, wan: false };

function build(observations: Observation[], options: ScanOptions = noWan) {
  return buildReport({ startedAt: new Date(at), finishedAt: new Date(at), options, observations, findings: evaluateRules(observations) });
}

t.test('a router read to the end and an agent that answered every port: complete', async (t) => {
  const coverage = judgeCoverage([discovery, gatewayObservation(gateway()), wanObservation(agentWan([tcp(1), tcp(2), tcp(3, 'open')], 3))], withVantage);
  t.same(coverage.inside, { status: 'complete', requested: true, gateways: { found: 1, read: 1 }, mappings: { read: 0, complete: true } });
  t.same(coverage.outside, { status: 'complete', requested: true, vantage: 'agent', ports: { asked: 3, answered: 3 } });
  t.equal(coverage.complete, true);
});

t.test('inside view: each way of not reading the whole table has its own code', async (t) => {
  const nothing = judgeCoverage([discovery], noWan);
  t.equal(nothing.inside.status, 'partial', 'nobody answering discovery is not a failure (UPnP may be off) but not complete either');
  t.equal(nothing.inside.reason?.code, 'EXP_ERR_IGD_NOT_FOUND');
  t.match(nothing.inside.reason?.message, /--vantage/);
  t.equal(nothing.complete, false);

  const truncated = judgeCoverage([discovery, gatewayObservation(gateway({ mappingsTruncated: true, enumeration: { method: 'GetListOfPortMappings', requests: 3, durationMs: 1, stopReason: 'max-mappings' } }))], noWan);
  t.equal(truncated.inside.status, 'partial');
  t.equal(truncated.inside.reason?.code, 'EXP_ERR_IGD_MAPPINGS_INCOMPLETE');
  t.match(truncated.inside.reason?.message, /--max-mappings/);
  t.same(truncated.inside.mappings, { read: 0, complete: false });

  const deadline = judgeCoverage([discovery, gatewayObservation(gateway({ enumeration: { method: 'GetGenericPortMappingEntry', requests: 9, durationMs: 1, stopReason: 'deadline' } }))], noWan);
  t.match(deadline.inside.reason?.message, /--timeout/);

  const services = [{ serviceType: 'urn:schemas-upnp-org:service:Layer3Forwarding:1', serviceId: 'L3F', controlUrl: 'http://10.0.0.1/l3f' }];
  const unusable = judgeCoverage([discovery, gatewayObservation(gateway({ services, connectionService: null, errors: [{ code: 'EXP_ERR_IGD_NO_CONNECTION_SERVICE', message: 'none' }] }))], noWan);
  t.equal(unusable.inside.status, 'failed');
  t.equal(unusable.inside.reason?.code, 'EXP_ERR_IGD_NO_CONNECTION_SERVICE');
  t.same(unusable.inside.serviceTypes, ['urn:schemas-upnp-org:service:Layer3Forwarding:1']);
  t.match(unusable.inside.reason?.message, /Layer3Forwarding/);

  const named: ScanOptions = { ...noWan, gatewayUrl: 'http://10.0.0.1:5000/rootDesc.xml' };
  const unreachable = judgeCoverage([{ ...discovery, data: { method: 'gateway-url', windowMs: 0, responses: [] } }, { probe: 'upnp-igd', kind: 'warning', subject: named.gatewayUrl ?? '', at, data: { code: 'EXP_ERR_HTTP_NETWORK', message: 'refused' } }], named);
  t.equal(unreachable.inside.status, 'failed');
  t.equal(unreachable.inside.reason?.code, 'EXP_ERR_HTTP_NETWORK');
  t.match(unreachable.inside.reason?.message, /--gateway/);

  const oneOfTwo = judgeCoverage([discovery, gatewayObservation(gateway()), { probe: 'upnp-igd', kind: 'warning', subject: 'http://10.0.0.2/d.xml', at, data: { code: 'EXP_ERR_HTTP_TIMEOUT', message: 'slow' } }], noWan);
  t.equal(oneOfTwo.inside.status, 'partial');
  t.same(oneOfTwo.inside.gateways, { found: 2, read: 1 });

  const noExternal = judgeCoverage([discovery, gatewayObservation(gateway({ externalIp: null, externalIpClass: 'unknown' }))], noWan);
  t.equal(noExternal.inside.status, 'partial');
  t.equal(noExternal.inside.reason?.code, 'EXP_ERR_IGD_UNREADABLE');
});

t.test('outside view: only --vantage asks for one; hairpin and --no-wan never make the scan incomplete', async (t) => {
  const inside = [discovery, gatewayObservation(gateway())];
  const skipped = judgeCoverage(inside, noWan);
  t.same(skipped.outside, { status: 'skipped', requested: false, vantage: 'none', reason: skipped.outside.reason });
  t.equal(skipped.outside.reason?.code, 'EXP_ERR_WAN_SKIPPED');
  t.equal(skipped.complete, true);

  const hairpin = judgeCoverage([...inside, wanObservation({ vantage: 'local', outsideView: false, address: '11.1.1.1', engine: 'connect', ports: [tcp(1)], portsAsked: 1 })], DEFAULT_SCAN_OPTIONS);
  t.equal(hairpin.outside.status, 'partial', 'seen from inside is not the internet\'s view');
  t.equal(hairpin.outside.requested, false);
  t.equal(hairpin.outside.reason?.code, 'EXP_ERR_NO_VANTAGE');
  t.equal(hairpin.complete, true);

  const down = judgeCoverage(
    [...inside, wanObservation({ vantage: 'none', outsideView: false, address: null, engine: null, ports: [], agentUrl: 'https://agent.example:7447', reason: 'the vantage agent failed: x' }), { probe: 'wan-scan', kind: 'warning', subject: 'wan', at, data: { code: 'EXP_ERR_VANTAGE', message: 'Cannot reach the agent' } }],
    withVantage,
  );
  t.equal(down.outside.status, 'failed');
  t.equal(down.outside.requested, true);
  t.equal(down.outside.reason?.code, 'EXP_ERR_VANTAGE');
  t.equal(down.complete, false);

  const short = judgeCoverage([...inside, wanObservation(agentWan([tcp(1), tcp(2), { port: 1900, protocol: 'UDP', state: 'open|filtered' }], 3))], withVantage);
  t.equal(short.outside.status, 'partial', 'UDP probes do not stand in for TCP ports that got no state');
  t.same(short.outside.ports, { asked: 3, answered: 2 });
  t.equal(short.outside.reason?.code, 'EXP_ERR_WAN_PORTS_INCOMPLETE');
});

t.test('an incomplete scan never prints a reassuring verdict or score, in any format', async (t) => {
  const report = build([discovery]);
  t.equal(report.coverage.complete, false);
  t.match(report.summary.headline, /^Incomplete scan: the inside view is incomplete/);
  t.notMatch(report.summary.headline, /nothing found/i);
  const text = renderText(report);
  t.match(text, /^INCOMPLETE SCAN: /m);
  t.match(text, /EXP_ERR_IGD_NOT_FOUND/);
  t.notMatch(text, /0\/100/);
  const markdown = renderMarkdown(report);
  t.match(markdown, /^> \*\*INCOMPLETE SCAN\\: /m);
  t.ok(markdown.indexOf('INCOMPLETE SCAN') < markdown.indexOf('**Verdict:**'));
  t.notMatch(markdown, /0\/100/);
  const html = renderHtml(report);
  t.match(html, /<section class="incomplete" role="alert">/);
  t.notMatch(html, />0<small>\/100/);

  const complete = build([discovery, gatewayObservation(gateway())]);
  t.equal(complete.coverage.complete, true);
  t.notMatch(renderText(complete), /INCOMPLETE/);
  t.match(renderText(complete), /Risk score {2}\d+\/100/);
});

t.test('with findings, an incomplete scan keeps its findings and calls its score a lower bound', async (t) => {
  const mapping = { protocol: 'TCP' as const, externalPort: 445, internalClient: '10.0.0.9', internalPort: 445, description: '', enabled: true, leaseDuration: 0, remoteHost: '', internalClientOnLan: true };
  const report = build([discovery, gatewayObservation(gateway({ mappings: [mapping], mappingsTruncated: true, enumeration: { method: 'GetListOfPortMappings', requests: 1, durationMs: 1, stopReason: 'max-mappings' } }))]);
  t.equal(report.coverage.inside.status, 'partial');
  t.notMatch(report.summary.headline, /^Incomplete/, 'the worst finding leads');
  t.ok(report.summary.riskScore > 0);
  t.match(renderText(report), /Risk score {2}\d+\/100 \(at least: the scan is incomplete\)/);
});

t.test('a failed view with findings: the headline says so first, and no score is given', async (t) => {
  const named: ScanOptions = { ...noWan, gatewayUrl: 'http://10.0.0.1:5000/rootDesc.xml' };
  const observations: Observation[] = [
    { ...discovery, data: { method: 'gateway-url', windowMs: 0, responses: [] } },
    { probe: 'upnp-igd', kind: 'warning', subject: 'http://10.0.0.1:5000/rootDesc.xml', at, data: { code: 'EXP_ERR_HTTP_NETWORK', message: 'refused' } },
    { probe: 'nat-pmp', kind: 'nat-pmp', subject: '10.0.0.1', at, data: { present: true, checked: true, gateway: '10.0.0.1', externalIp: '11.1.1.1' } },
  ];
  const report = buildReport({ startedAt: new Date(at), finishedAt: new Date(at), options: named, observations, findings: evaluateRules(observations) });
  t.ok(report.findings.some((finding) => finding.severity === 'medium'), 'NAT-PMP found');
  t.match(report.summary.headline, /^Incomplete scan \(the inside view failed\): NAT-PMP/);
  const text = renderText(report);
  t.match(text, /Risk score {2}not given \(the inside view failed\)/);
  t.notMatch(text, /\d+\/100/);
});

t.test('reports stored before coverage existed get one read from what they hold', async (t) => {
  const { coverageOf } = await import('../../src/report/coverage-of.js');
  const report = build([discovery, gatewayObservation(gateway())]);
  const legacy = { ...report, wan: { ...report.wan, vantage: 'none' as const, agentUrl: 'https://agent.example', reason: 'the vantage agent failed: down' } } as Partial<typeof report>;
  delete legacy.coverage;
  const coverage = coverageOf(legacy as typeof report);
  t.equal(coverage.outside.status, 'failed');
  t.equal(coverage.inside.status, 'complete');
});

t.test('a router that answered after the agent was asked: its mapped ports not scanned are named, and no claim is made about them', async (t) => {
  const mapping = (externalPort: number) => ({ protocol: 'TCP' as const, externalPort, internalClient: '192.168.1.20', internalPort: externalPort, description: 'late', enabled: true, leaseDuration: 0, remoteHost: '' });
  const defaultGateway = gateway({ mappings: [mapping(8080)] });
  const lateRouter = gateway({ location: 'http://192.168.1.2:5000/rootDesc.xml', address: '192.168.1.2', mappings: [mapping(8080), mapping(9443), mapping(5001)] });
  const observations = [discovery, gatewayObservation(defaultGateway), gatewayObservation(lateRouter), wanObservation(agentWan([tcp(8080, 'open'), tcp(443)], 2))];
  const coverage = judgeCoverage(observations, withVantage);
  t.equal(coverage.outside.status, 'partial');
  t.equal(coverage.outside.reason?.code, 'EXP_ERR_WAN_PORTS_INCOMPLETE');
  t.match(coverage.outside.reason?.message, /TCP 5001, 9443, mapped by a router that answered after the outside view had started, were not scanned from outside; run again with --ports 5001,9443/);
  const findings = evaluateRules(observations);
  t.notOk(findings.some((finding) => finding.rule === 'upnp-mapping-unreachable' && /9443|5001/.test(finding.id)), 'no "unreachable" claim for a port nobody asked about');
  t.ok(findings.some((finding) => finding.rule === 'wan-port-open-mapped'), 'what was scanned is still judged');
});
