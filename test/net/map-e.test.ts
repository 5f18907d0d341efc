import t from 'tap';
import { checkObservedPorts, formatIpv6, matchMapE, MAX_OBSERVED_PORTS, parseIpv6, ruleProblem, rulesProblem, type MapERule, type MapERules } from '../../src/net/map-e.js';
import { loadMapERules } from '../../probes/access/rules.js';
import { Ajv } from 'ajv';
import schema from '../../schemas/map-e-rules.schema.json' with { type: 'json' };
import data from '../../probes/access/map-e-rules.json' with { type: 'json' };

const rules: MapERules = await loadMapERules();

t.test('v6plus: PSID is bits 48..55, the IPv4 address the 17 EA bits before them (section 1.4 worked example: PSID 52)', async (t) => {
  const match = matchMapE('240b:10:1234:3400::1', rules);
  t.equal(match?.rule.id, 'v6plus');
  t.equal(match?.psid, 52);
  t.equal(match?.ipv4, '106.72.18.52');
  t.equal(match?.userPrefix, '240b:10:1234:3400::/56');
  t.equal(match?.size, 240);
  t.same(match?.ranges[0], { from: 4928, to: 4943 });
  t.same(match?.ranges.at(-1), { from: 62272, to: 62287 });
  // Bit 31 (the last bit of the second group) is the IPv4 address's 16th bit.
  t.equal(matchMapE('240b:11:abcd:ff00::', rules)?.ipv4, '106.73.171.205');
  t.equal(matchMapE('240b:253:1:100::', rules)?.ipv4, '14.13.0.1');
  t.equal(matchMapE('240b:253:1:100::', rules)?.psid, 1);
});

t.test('the OCN rule: PSID is bits 50..55 (section 1.4 worked example: PSID 5, 1008 ports)', async (t) => {
  const match = matchMapE('2400:4050:1234:c500::9', rules);
  t.equal(match?.rule.id, 'ocn-virtual-connect');
  t.equal(match?.psid, 5);
  t.equal(match?.size, 1008);
  t.same(match?.ranges[0], { from: 1104, to: 1119 });
  t.same(match?.ranges.at(-1), { from: 64592, to: 64607 });
  t.equal(match?.ipv4, undefined, 'no IPv4 prefix in the data for this rule: only the port set');
  t.equal(matchMapE('2400:4153:ffff:3f00::', rules)?.psid, 63);
});

t.test('the other rules: IPv6 option /31 with its IPv4, the /38 and NURO rules port set only', async (t) => {
  t.equal(matchMapE('2404:7a84:1:200::', rules)?.ipv4, '133.206.0.1');
  t.equal(matchMapE('2404:7a84:1:200::', rules)?.rule.status, 'unconfirmed-attribution');
  t.equal(matchMapE('2404:7a82:1:200::', rules)?.rule.id, 'ipv6-option-38');
  t.equal(matchMapE('240d:f:1234:5600::', rules)?.rule.status, 'wip');
  t.equal(matchMapE('240d:f:1234:5600::', rules)?.psid, 0x56);
});

t.test('agrees with the calculator\'s formulas (missing233/map-e index.html) on 2,000 addresses', async (t) => {
  let state = 12345;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state & 0xffff;
  };
  let checked = 0;
  for (let i = 0; i < 1000; i += 1) {
    const h1 = [0x10, 0x11, 0x12, 0x13, 0x250, 0x253][i % 6] ?? 0x10;
    const h2 = next();
    const h3 = next();
    const address = `240b:${h1.toString(16)}:${h2.toString(16)}:${h3.toString(16)}::1`;
    const match = matchMapE(address, rules);
    const base: Record<number, [number, number]> = { 0x10: [106, 72], 0x12: [14, 8], 0x250: [14, 10], 0x252: [14, 12] };
    const [a, b] = base[h1 & 0xfffe] ?? [0, 0];
    if (match?.psid !== (h3 & 0xff00) >> 8 || match.ipv4 !== [a, b | (h1 & 1), h2 >> 8, h2 & 0xff].join('.')) t.fail(address);
    const ocn = matchMapE(`2400:4051:${h2.toString(16)}:${h3.toString(16)}::`, rules);
    if (ocn?.psid !== (h3 & 0x3f00) >> 8) t.fail(`OCN ${h2} ${h3}`);
    checked += 2;
  }
  t.equal(checked, 2000);
});

t.test('hostile and foreign addresses match nothing and throw nothing', async (t) => {
  for (const address of ['', '1.2.3.4', '2001:db8::1', 'fe80::1%eth0', '240b:10::1%1', '::ffff:106.72.0.1', 'gggg::1', '240b:10:::1', `240b:10::${'1:'.repeat(40)}1`, 'x'.repeat(1_000_000), '240b:10:0:0:0:0:0:0:0']) {
    t.equal(matchMapE(address, rules), undefined, JSON.stringify(address.slice(0, 40)));
  }
  t.equal(matchMapE(42 as unknown as string, rules), undefined);
});

t.test('IPv6 text: parse and RFC 5952 form', async (t) => {
  t.equal(formatIpv6(parseIpv6('2001:0DB8:0:0:1:0:0:1') ?? 0n), '2001:db8::1:0:0:1');
  t.equal(formatIpv6(parseIpv6('::') ?? 1n), '::');
  t.equal(formatIpv6(parseIpv6('::ffff:1.2.3.4') ?? 0n), '::ffff:102:304');
  t.equal(parseIpv6('1.2.3.4'), undefined);
});

t.test('observed source ports: trusted only when every one lies in the set and at least one was seen', async (t) => {
  const set = { psidOffset: 4, psidLength: 8, psid: 52 };
  t.same(checkObservedPorts(set, [4930, 9030, 4930]), { trusted: true, observed: [4930, 9030], outside: [] });
  const outside = checkObservedPorts(set, [4930, 50000]);
  t.equal(outside.trusted, false);
  t.same(outside.outside, [50000]);
  t.match(outside.reason, /50000 outside the computed set/);
  t.match(checkObservedPorts(set, []).reason, /no source port was observed/);
  t.match(checkObservedPorts(set, [4930, 0]).reason, /not a port number/);
  t.match(checkObservedPorts(set, [4930, '4931']).reason, /not a port number/);
  t.match(checkObservedPorts(set, [4930.5]).reason, /not a port number/);
  const huge = new Array<number>(5_000_000).fill(4930);
  const started = process.hrtime.bigint();
  t.match(checkObservedPorts(set, huge).reason, /more than the 1024/);
  t.ok(process.hrtime.bigint() - started < 50_000_000n, 'a huge list is refused before it is looked at');
  const many = Array.from({ length: MAX_OBSERVED_PORTS }, (_, i) => 832 + (i % 16) + 4096 * (1 + (i % 15)));
  const check = checkObservedPorts(set, many);
  t.equal(check.trusted, true);
  t.equal(check.observed.length, 64, 'what is kept is bounded');
});

t.test('the rule checks catch numbers that do not agree', async (t) => {
  const good = rules.rules[0] as MapERule;
  t.equal(ruleProblem(good), undefined);
  t.match(ruleProblem({ ...good, prefixes: [{ ipv6: '240b:10::/31', ipv4: '106.72.0.0/16' }] }), /should be a \/15/);
  t.match(ruleProblem({ ...good, psidOffset: 10 }), /do not fit 16 bits/);
  t.match(ruleProblem({ ...good, prefixes: [{ ipv6: '240b:11::/31' }] }), /bits set past its length/);
  t.match(ruleProblem({ ...good, prefixes: [{ ipv6: '240b:10::/40' }] }), /longer than the rule prefix/);
  t.match(ruleProblem({ ...good, eaBitsLength: 40 }), /past the \/64/);
  t.match(ruleProblem({ ...good, prefixes: [{ ipv6: '240b:10::/30', ipv4: '106.72.0.0/15' }] }), /not a \/31 rule prefix/);
  t.match(rulesProblem({ description: '', rules: [good, { ...good, id: 'copy' }] }), /overlaps/);
  t.match(rulesProblem({ description: '', rules: [good, good] }), /used twice/);
});


// The shipped MAP-E rules pass their schema and the checks beyond it; broken data is refused, naming the entry.
const validate = new Ajv({ strict: true }).compile(schema);

t.test('probes/access/map-e-rules.json passes schemas/map-e-rules.schema.json and the number checks', async (t) => {
  t.ok(validate(data), JSON.stringify(validate.errors?.[0] ?? ''));
  t.equal(rulesProblem(data as unknown as MapERules), undefined);
  const loaded = await loadMapERules();
  t.same(loaded.rules.map((rule) => rule.id), ['v6plus', 'ipv6-option-31', 'ipv6-option-38', 'ocn-virtual-connect', 'nuro']);
  t.equal(await loadMapERules(), loaded, 'loaded once');
});

t.test('every rule names its sources with the research sheet\'s tag; unconfirmed and WIP rules say so', async (t) => {
  for (const rule of (data as unknown as MapERules).rules) {
    t.ok(rule.sources.length > 0, rule.id);
    if (rule.status === 'unconfirmed-attribution') t.ok(rule.sources.some((source) => source.confidence === 'UNCONFIRMED'), `${rule.id} carries an UNCONFIRMED source`);
    if (rule.status === 'wip') t.match(rule.label, /WIP/, rule.id);
  }
});

t.test('the schema refuses what the loader must never see', async (t) => {
  const rule = (data as unknown as MapERules).rules[0];
  const broken: unknown[] = [
    { ...data, rules: [] },
    { ...data, rules: [{ ...rule, id: 'Not Kebab' }] },
    { ...data, rules: [{ ...rule, sources: [] }] },
    { ...data, rules: [{ ...rule, sources: [{ url: 'javascript:alert(1)', confidence: 'LOW' }] }] },
    { ...data, rules: [{ ...rule, psidLength: 16 }] },
    { ...data, rules: [{ ...rule, extra: true }] },
    { ...data, rules: [{ ...rule, prefixes: [{ ipv6: '240b:10::/31', ipv4: '106.72.0.0/15; rm -rf' }] }] },
    { ...data, rules: Array.from({ length: 33 }, () => rule) },
  ];
  for (const candidate of broken) t.notOk(validate(candidate), JSON.stringify(candidate).slice(0, 120));
});
