import t from 'tap';
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { baselineDiff } from '../../src/alerts/baseline.js';
import { withCoverageStreak } from '../../src/alerts/coverage-streak.js';
import { matchesFilter } from '../../src/alerts/filter.js';
import { buildPayload } from '../../src/alerts/payload.js';
import { checkStoredPayload, isWebhookPayload, payloadProblem } from '../../src/alerts/payload-validator.js';
import type { ExposureReport, Host } from '../../src/core/report.generated.js';
import { diffReports } from '../../src/diff/diff.js';
import type { Change, ReportDiff } from '../../src/diff/types.js';
import { exampleReport } from '../support/reports.js';

interface Schema {
  definitions: Record<string, unknown> & { Change: { properties: { kind: { enum: string[] } } } };
}

const readSchema = async (name: string): Promise<Schema> => JSON.parse(await readFile(new URL(`../../schemas/${name}.schema.json`, import.meta.url), 'utf8')) as Schema;

/** ajv compiling the published schema with full formats: what a receiver would do. */
async function referenceValidator(): Promise<(data: unknown) => boolean> {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  ajvFormats.default(ajv);
  return ajv.compile(await readSchema('webhook-payload'));
}

const SUMMARY = { highestSeverity: 'critical', counts: { info: 0, low: 3, medium: 1, high: 0, critical: 1 }, riskScore: 71, headline: 'CRITICAL: ...', gateways: 1, mappings: 3, openWanPorts: 0, wanAddress: '11.22.33.44' } as const;

function withWan(report: ExposureReport, vantage: 'agent' | 'local', open: readonly number[]): ExposureReport {
  const outside: ExposureReport['coverage']['outside'] =
    vantage === 'agent' ? { status: 'complete', requested: true, vantage } : { status: 'partial', requested: false, vantage, reason: { code: 'EXP_ERR_NO_VANTAGE', message: 'hairpin' } };
  return {
    ...report,
    coverage: { ...report.coverage, outside },
    wan: { ...report.wan, vantage, outsideView: vantage === 'agent', address: '11.22.33.44', engine: 'connect', portSpec: '1-1024', ports: open.map((port) => ({ port, protocol: 'TCP' as const, state: 'open' as const })) },
  };
}

function withFirmware(report: ExposureReport, firmware: string): ExposureReport {
  const nas = { address: '192.168.1.20', seenFrom: 'lan', device: { vendor: 'QNAP', model: 'TS-453D', firmware: { full: firmware } } } as unknown as Host;
  return { ...report, hosts: [nas] };
}

/** Pairs of real reports whose diffs, together, hold every kind of change there is. */
function diffsOfEveryKind(): ReportDiff[] {
  const base = exampleReport();
  const diffs: ReportDiff[] = [];
  const moved = exampleReport();
  const [first, second] = moved.gateways[0]?.mappings ?? [];
  if (first) first.internalClient = '192.168.1.99';
  moved.gateways[0]?.mappings.splice(moved.gateways[0].mappings.indexOf(second!), 1);
  moved.gateways[0]?.mappings.push({ protocol: 'TCP', externalPort: 443, internalClient: '192.168.1.20', internalPort: 443, description: '<!channel> & QNAP', enabled: true, leaseDuration: 0, remoteHost: '' });
  moved.gateways[0]!.externalIp = '55.66.77.88';
  const [critical, medium] = moved.findings;
  if (medium) medium.severity = 'high';
  moved.findings = moved.findings.filter((finding) => finding !== critical);
  moved.findings.push({ ...moved.findings[0]!, id: 'upnp-mapping-tcp-443', title: 'TCP/443 is forwarded to 192.168.1.20:443', severity: 'critical' });
  moved.coverage = { ...moved.coverage, complete: false, inside: { ...moved.coverage.inside, status: 'partial' } };
  diffs.push(diffReports(base, moved, { from: 1, to: 2 }));
  diffs.push(diffReports(withWan(base, 'agent', [22, 8080]), withWan(base, 'agent', [8080, 443]), { from: 2, to: 3 }));
  diffs.push(diffReports(withWan(base, 'local', [8080]), withWan(base, 'agent', [8080]), { from: 3, to: 4 }));
  diffs.push(diffReports(withFirmware(base, 'QTS 5.1.0.2348'), withFirmware(base, 'QTS 5.1.4.2596'), { from: 4, to: 5 }));
  diffs.push(baselineDiff(base, 6));
  const failed = exampleReport();
  failed.coverage = { ...failed.coverage, complete: false, inside: { ...failed.coverage.inside, status: 'failed', reason: { code: 'EXP_ERR_IGD_NOT_FOUND', message: 'No router answered' } } };
  diffs.push(withCoverageStreak(diffReports(failed, failed, { from: 6, to: 7 }), [failed, failed, failed, base], 3));
  return diffs;
}

t.test('every JSON example in docs/webhooks.md passes the schema, so the page cannot drift', async (t) => {
  const doc = await readFile(new URL('../../docs/webhooks.md', import.meta.url), 'utf8');
  const examples = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map((match) => JSON.parse(match[1] ?? '') as unknown);
  t.ok(examples.length >= 2, `${examples.length} examples`);
  const reference = await referenceValidator();
  for (const [index, example] of examples.entries()) {
    t.equal(payloadProblem(example), undefined, `example ${index + 1} passes the validator the outbox uses`);
    t.ok(reference(example), `example ${index + 1} passes ajv with full formats`);
  }
});

t.test('payloads built from real diffs of every kind of change pass the schema', async (t) => {
  const reference = await referenceValidator();
  const kinds = new Set<string>();
  for (const diff of diffsOfEveryKind()) {
    const matched = diff.changes.filter((change) => matchesFilter(change, 'any'));
    for (const [site, kind] of [[undefined, 'changes'], ['grandma-house', 'baseline']] as const) {
      const payload = buildPayload({ webhook: 'https://hooks.example/a', diff, matched: matched.slice(1), alertOn: 'any', schedule: { id: 1, name: 'watch' }, summary: SUMMARY, kind, ...(site ? { site } : {}) });
      const wire = JSON.parse(JSON.stringify(payload)) as unknown;
      t.equal(payloadProblem(wire), undefined, `${diff.changes.map((change) => change.kind).join(', ')}: passes`);
      t.ok(reference(wire), 'and passes ajv with full formats');
    }
    for (const change of diff.changes) kinds.add(change.kind);
  }
  const schema = await readSchema('webhook-payload');
  t.same([...kinds].sort(), [...schema.definitions.Change.properties.kind.enum].sort(), 'every kind the schema lists was built and checked, and no other');
});

t.test('site: "default" unless the watcher names one, and then in the text too', async (t) => {
  const diff = diffsOfEveryKind()[0]!;
  const plain = buildPayload({ webhook: 'https://hooks.example/a', diff, matched: diff.changes, alertOn: 'any', schedule: { id: 1, name: 'watch' }, summary: null });
  t.equal(plain.site, 'default');
  t.match(plain.text, /^\*exposure-scanner \(watch\): /);
  const named = buildPayload({ webhook: 'https://hooks.example/a', diff, matched: diff.changes, alertOn: 'any', schedule: { id: 1, name: 'watch' }, summary: null, site: 'grandma-house' });
  t.equal(named.site, 'grandma-house');
  t.match(named.text, /^\*exposure-scanner \(grandma-house, watch\): /);
  t.equal(named.id, plain.id, 'the site does not change which alert this is');
  const older: Partial<typeof plain> = { ...plain };
  delete older.site;
  t.equal(payloadProblem(older), undefined, 'a body without site (queued by an older version) still passes');
  t.match(payloadProblem({ ...plain, site: 'Grandma House' }), /^\/site must match pattern/);
});

t.test('what the schema refuses, with the first problem in one line', async (t) => {
  const diff = diffsOfEveryKind()[0]!;
  const good = JSON.parse(JSON.stringify(buildPayload({ webhook: 'https://hooks.example/a', diff, matched: diff.changes, alertOn: 'new-exposure', schedule: null, summary: SUMMARY }))) as Record<string, unknown> & { changes: Change[] };
  t.ok(isWebhookPayload(good));
  const added = good.changes.findIndex((change) => change.kind === 'mapping-added');
  const changed = (index: number, edit: Partial<Change> | ((change: Change) => Change)) =>
    ({ ...good, changes: good.changes.map((change, at) => (at !== index ? change : typeof edit === 'function' ? edit(change) : { ...change, ...edit })) });
  const bad: Array<[string, unknown, RegExp]> = [
    ['an unknown field', { ...good, extra: 1 }, /must NOT have additional properties/],
    ['another version', { ...good, version: 2 }, /^\/version must be equal to constant/],
    ['an id that is not 32 hex digits', { ...good, id: 'x' }, /^\/id must match pattern/],
    ['an unknown alert filter', { ...good, alertOn: 'severity:urgent' }, /^\/alertOn must be equal to one of the allowed values/],
    ['a date that is not a date-time', { ...good, to: { ...(good['to'] as object), finishedAt: 'yesterday' } }, /^\/to\/finishedAt must match pattern/],
    ['an unknown change kind', changed(added, { kind: 'mapping-exploded' as Change['kind'] }), /^\/changes\/\d+\/kind must be equal to one of the allowed values/],
    ['a new mapping without the mapping', changed(added, (change) => {
      const rest = { ...change };
      delete rest.after;
      return rest;
    }), /^\/changes\/\d+ must have required property 'after'/],
    ['a mapping with a port out of range', changed(added, (change) => ({ ...change, after: { ...(change.after as object), externalPort: 70000 } })), /^\/changes\/\d+\/after\/externalPort must be <= 65535/],
    ['more than 500 changes', { ...good, changes: Array.from({ length: 501 }, () => good.changes[0]) }, /^\/changes must NOT have more than 500 items/],
  ];
  for (const [what, payload, reason] of bad) t.match(payloadProblem(JSON.parse(JSON.stringify(payload))), reason, what);

  const notJson = checkStoredPayload({ id: 9, body: '{"type":' }, 'https://hooks.example');
  t.match(notJson, { code: 'EXP_ERR_WEBHOOK_PAYLOAD', message: 'Alert 9 to https://hooks.example was not sent: its body does not match schemas/webhook-payload.schema.json (the stored body is not JSON)' });
  const invalid = checkStoredPayload({ id: 10, body: JSON.stringify({ ...good, version: 2 }) }, 'https://hooks.example');
  t.match(invalid, { code: 'EXP_ERR_WEBHOOK_PAYLOAD', message: /\(\/version must be equal to constant\)$/ });
  t.equal(checkStoredPayload({ id: 11, body: JSON.stringify(good) }, 'https://hooks.example'), undefined);
});

t.test('the payload carries report values with the report schema\'s own definitions', async (t) => {
  const report = await readSchema('report');
  const webhook = await readSchema('webhook-payload');
  for (const name of ['Mapping', 'WanPort', 'Severity', 'AddressClass', 'Protocol', 'Port']) t.same(webhook.definitions[name], report.definitions[name], `${name} is the same in both`);
});
