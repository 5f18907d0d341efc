// Every shipped vendor pack, as rapid7/recog checks its fingerprints: each fingerprint's and indicator's positive
// examples match with the engine the scan uses (src/vendors/match.ts) and extract what they say, the negative ones
// do not match; each grammar's examples parse (or not) and order as written; regexes stay fast on hostile answers.
import t from 'tap';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { builtinPacks, loadPacks, validatePack, type Example, type LoadedPack, type VendorPack } from '../../src/vendors/load.js';
import { csrfToken, requestKey } from '../../src/vendors/fingerprint-host.js';
import { extract, mapValue, matchFingerprint, titleOf, type CertAnswer, type HttpAnswer } from '../../src/vendors/match.js';
import { firmwareOf } from '../../src/vendors/device.js';
import { regexProblem } from '../../src/vendors/regex-safety.js';

const MAX_EXAMPLE_BYTES = 256 * 1024;

function answerOf(pack: LoadedPack, example: Example): { http?: HttpAnswer; cert?: CertAnswer } {
  if (example.cert) return { cert: { subject: example.cert.subject, issuer: example.cert.issuer, selfSigned: example.cert.selfSigned } };
  let body = example.body ?? '';
  if (example.bodyFile !== undefined) {
    const file = path.join(pack.dir, example.bodyFile);
    if (statSync(file).size > MAX_EXAMPLE_BYTES) throw new Error(`${file} is larger than 256 KiB`);
    body = readFileSync(file, 'utf8');
  }
  return { http: { status: example.status ?? 200, headers: example.headers ?? {}, body, title: titleOf(body) } };
}

const packs = builtinPacks();

t.test('the shipped packs load together (ids unique across packs)', async (t) => {
  t.ok(packs.length >= 1);
  t.ok(packs.some((pack) => pack.pack.id === 'qnap'));
  t.doesNotThrow(() => loadPacks());
});

for (const pack of packs) {
  t.test(`${pack.pack.id}: every fingerprint and indicator against its own examples`, async (t) => {
    for (const fingerprint of pack.pack.fingerprints) {
      for (const example of fingerprint.examples.positive) {
        const answer = answerOf(pack, example);
        t.ok(matchFingerprint(fingerprint, answer), `${fingerprint.id} matches: ${example.description}`);
        const extracted = extract(fingerprint, answer);
        for (const [field, expected] of Object.entries(example.expect ?? {})) {
          const value = (extracted.fields as Record<string, string | undefined>)[field] ?? extracted.parts[field];
          t.equal(value, expected, `${fingerprint.id} extracts ${field}: ${example.description}`);
        }
        // A whole version extracted must be one the pack's grammars can read, or the verdicts could never use it.
        if (extracted.fields.version !== undefined && example.expect?.['version'] !== undefined) t.ok(firmwareOf(pack, extracted), `${fingerprint.id}: the version is kept`);
      }
      for (const example of fingerprint.examples.negative) {
        t.notOk(matchFingerprint(fingerprint, answerOf(pack, example)), `${fingerprint.id} does not match: ${example.description}`);
      }
    }
    for (const indicator of pack.pack.indicators ?? []) {
      for (const example of indicator.examples.positive) t.ok(matchFingerprint(indicator, answerOf(pack, example)), `${indicator.id} matches: ${example.description}`);
      for (const example of indicator.examples.negative) t.notOk(matchFingerprint(indicator, answerOf(pack, example)), `${indicator.id} does not match: ${example.description}`);
    }
  });

  t.test(`${pack.pack.id}: grammars read their examples, and fixes parse with their line's grammar`, async (t) => {
    for (const { line, grammar } of pack.lines.values()) {
      for (const text of line.version.examples?.valid ?? []) t.ok(grammar.parse(text), `${line.id}: "${text}" parses`);
      for (const text of line.version.examples?.invalid ?? []) {
        const parsed = grammar.parse(text);
        t.notOk(parsed && grammar.selects(parsed), `${line.id}: "${text}" is not one of its versions`);
      }
    }
  });

  t.test(`${pack.pack.id}: every regex stays fast on a hostile 256 KiB answer`, async (t) => {
    const patterns: string[] = [];
    for (const item of [...pack.pack.fingerprints, ...(pack.pack.indicators ?? [])]) {
      for (const condition of [...(item.match.all ?? []), ...(item.match.any ?? [])]) if (condition.regex) patterns.push(condition.regex);
      for (const extraction of 'extract' in item ? (item.extract ?? []) : []) if (extraction.regex) patterns.push(extraction.regex);
    }
    for (const pattern of patterns) {
      t.equal(regexProblem(pattern), undefined, pattern);
      const expression = new RegExp(pattern, 'i');
      // Runs of what the pattern's own characters are likely to be: spaces, digits, a repeated prefix.
      const prefix = pattern.replace(/[^A-Za-z<>="_ ]/g, '').slice(0, 12) || 'a';
      for (const hostile of [' '.repeat(MAX_EXAMPLE_BYTES), '1.'.repeat(MAX_EXAMPLE_BYTES / 2), prefix.repeat(Math.floor(MAX_EXAMPLE_BYTES / prefix.length))]) {
        // CPU time: what the regex costs, not how long a loaded machine kept this process waiting for a core.
        const started = process.cpuUsage();
        expression.exec(hostile);
        const used = process.cpuUsage(started);
        const took = (used.user + used.system) / 1000;
        t.ok(took < 1000, `${pattern} on ${hostile.slice(0, 6)}...: ${took.toFixed(1)} ms of CPU`);
      }
    }
  });
}

// Issue 15, the vendor data's requests to the engine: request headers from an allow-list, a CSRF cookie echoed once,
// a build-to-version table, a default for a missing then-group. What a pack may ask for stays bounded.
t.test('headers, CSRF cookies and lookup tables: only what the format allows, checked when the pack loads', async (t) => {
  const synology = packs.find((pack) => pack.pack.id === 'synology');
  if (!synology) throw new Error('the Synology pack ships');
  const clone = (): VendorPack => JSON.parse(JSON.stringify(synology.pack)) as VendorPack;
  // Spoilt on purpose, past what the types allow: the loader must refuse what a hand-written pack could hold.
  const request = (data: VendorPack): Record<string, unknown> => data.fingerprints[0].request as unknown as Record<string, unknown>;
  const extraction = (data: VendorPack): Record<string, unknown> => data.fingerprints[0].extract?.[1] as unknown as Record<string, unknown>;
  const bad: Array<[string, (data: VendorPack) => void, RegExp]> = [
    ['a cookie header', (data) => { request(data)['headers'] = { cookie: 'id=1' }; }, /\/fingerprints\/0\/request\/headers.*\(cookie\)/],
    ['an authorization header', (data) => { request(data)['headers'] = { authorization: 'Basic YWRtaW46YWRtaW4=' }; }, /\(authorization\)/],
    ['a header value that starts another header', (data) => { request(data)['headers'] = { 'user-agent': 'x\r\nCookie: a=b' }; }, /\/fingerprints\/0\/request\/headers\/user-agent/],
    ['a CSRF cookie name that is no token', (data) => { request(data)['csrfCookie'] = 'a=b; c'; }, /\/fingerprints\/0\/request\/csrfCookie/],
    ['overlapping table rows', (data) => { extraction(data)['map'] = [{ from: 1, below: 10, value: '4.2' }, { from: 5, below: 20, value: '4.3' }]; }, /\/map\/1.*overlap/],
    ['an empty range', (data) => { extraction(data)['map'] = [{ from: 10, below: 10, value: '4.2' }]; }, /\/map\/0.*empty/],
    ['an open-ended row before another', (data) => { extraction(data)['map'] = [{ from: 1, value: '4.2' }, { from: 50, below: 60, value: '4.3' }]; }, /\/map\/0.*last row/],
  ];
  for (const [what, spoil, where] of bad) {
    const data = clone();
    spoil(data);
    t.throws(() => validatePack(data, synology.file, synology.dir, 'builtin'), { code: 'EXP_ERR_VENDOR_PACK', message: where }, what);
  }
  const table: Parameters<typeof mapValue>[0] = [{ from: 3236, below: 3776, value: '4.2' }, { from: 3776, below: 4458, value: '4.3' }];
  t.same(['3235', '3236', '3775', '3776', '4457', '4458', '12x', '9'.repeat(12)].map((text) => mapValue(table, text)), [undefined, '4.2', '4.2', '4.3', '4.3', undefined, undefined, undefined], 'only the sourced ranges, only digits');
  const dsm = synology.lines.get('dsm')!.grammar;
  t.equal(dsm.compare(dsm.parse('7.1.1-42962')!, dsm.parse('7.1.1-42962-0')!), 0, 'Update 0 written or not');
  t.equal(dsm.compare(dsm.parse('7.2.1-69057')!, dsm.parse('7.2.1-69057-12')!), -1);
});

t.test('a CSRF token is taken only as a short token from the named cookie', async (t) => {
  t.equal(csrfToken({ 'set-cookie': ['session=abc; Path=/', 'X-Csrf-Token=4f2a9c0b; Path=/; HttpOnly'] }, 'X-Csrf-Token'), '4f2a9c0b');
  t.equal(csrfToken({ 'set-cookie': ['X-Csrf-Token=a b; Path=/'] }, 'X-Csrf-Token'), undefined, 'no spaces');
  t.equal(csrfToken({ 'set-cookie': [`X-Csrf-Token=${'a'.repeat(201)}`] }, 'X-Csrf-Token'), undefined, 'bounded');
  t.equal(csrfToken({ 'set-cookie': ['X-Csrf-Token=a,b'] }, 'X-Csrf-Token'), undefined, 'no separators');
  t.equal(csrfToken({ 'set-cookie': ['Other=1'] }, 'X-Csrf-Token'), undefined);
  t.equal(csrfToken({}, 'X-Csrf-Token'), undefined);
  t.not(requestKey({ method: 'GET', path: '/' }), requestKey({ method: 'GET', path: '/', headers: { 'user-agent': 'Mozilla/5.0' } }), 'a request with other headers is another request');
  t.equal(requestKey({ method: 'GET', path: '/', headers: { accept: 'a', 'user-agent': 'b' } }), requestKey({ method: 'GET', path: '/', headers: { 'user-agent': 'b', accept: 'a' } }), 'header order does not matter');
});
