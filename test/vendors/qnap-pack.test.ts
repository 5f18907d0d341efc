import t from 'tap';
import { readFile } from 'node:fs/promises';
import { validatePack } from '../../src/vendors/load.js';
import { loadFingerprints, loadVulnerabilities } from '../../src/vendors/qnap.js';

// Moved from test/qnap/data.test.ts: the QNAP data now lives in probes/vendors/qnap/pack.json (one schema for every vendor).
type Pack = { fingerprints: Array<Record<string, unknown>>; advisories: Array<{ id: string; affected: Array<{ productLine: string; fixes: Array<Record<string, unknown>> }> } & Record<string, unknown>> } & Record<string, unknown>;
const FILE = 'probes/vendors/qnap/pack.json';
const read = async (): Promise<Pack> => JSON.parse(await readFile(new URL(`../../${FILE}`, import.meta.url), 'utf8')) as Pack;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const validate = (data: unknown) => validatePack(data, FILE, 'probes/vendors/qnap', 'builtin');

t.test('the shipped data passes its schema and the checks beyond it', async (t) => {
  const data = await read();
  t.doesNotThrow(() => validate(data));
  t.ok(loadFingerprints().length >= 8);
  t.ok(loadVulnerabilities().advisories.length >= 10);
});

t.test('the fingerprints cover what the issue names, every one safe, and a Server header never identifies QNAP', async (t) => {
  const fingerprints = loadFingerprints();
  const requests = fingerprints.map((fingerprint) => `${fingerprint.request?.method ?? 'TLS'} ${fingerprint.request?.path ?? ''}${fingerprint.request?.body ?? ''}`);
  for (const needed of ['GET /cgi-bin/authLogin.cgi', 'POST /cgi-bin/authLogin.cgi&r=0', 'GET /cgi-bin/', 'GET /cgi-bin/html/login.html', 'GET /photo/', 'GET /photo/api/user.php', 'TLS ']) {
    t.ok(requests.includes(needed), needed);
  }
  for (const fingerprint of fingerprints) {
    t.equal(fingerprint.safety, 'safe', fingerprint.id);
    const conditions = [...(fingerprint.match.all ?? []), ...(fingerprint.match.any ?? [])];
    if (fingerprint.identifies) {
      t.ok(conditions.some((condition) => condition.source !== 'header' && condition.source !== 'status'), `${fingerprint.id} identifies QNAP by more than headers and status`);
      t.ok((fingerprint.match.all?.length ?? 0) + (fingerprint.match.any ? 1 : 0) >= 2, `${fingerprint.id} needs two pieces of evidence`);
    }
    if (conditions.every((condition) => condition.source === 'header' || condition.source === 'status')) t.notOk(fingerprint.identifies, `${fingerprint.id}: headers alone never identify`);
  }
});

t.test('the advisories the issue names are there, with KEV and ransomware facts', async (t) => {
  const { advisories } = loadVulnerabilities();
  const byCve = (cve: string) => advisories.find((advisory) => advisory.cve.includes(cve));
  t.equal(byCve('CVE-2021-28799')?.kev.listed, true);
  t.equal(byCve('CVE-2021-28799')?.knownRansomware, true);
  t.equal(byCve('CVE-2020-36195')?.kev.listed, false, 'not in KEV');
  t.equal(byCve('CVE-2020-2509')?.kev.listed, true);
  t.equal(byCve('CVE-2020-2509')?.knownRansomware, false, 'KEV says Unknown');
  t.ok(advisories.find((advisory) => advisory.id === 'QSA-21-57')?.campaigns?.some((campaign) => campaign.includes('DeadBolt')));
  t.equal(byCve('CVE-2022-27593')?.kev.knownRansomwareCampaignUse, 'Known');
  for (const cve of ['CVE-2019-7192', 'CVE-2019-7194', 'CVE-2019-7195', 'CVE-2018-19949', 'CVE-2022-27596', 'CVE-2023-23368', 'CVE-2024-21899', 'CVE-2024-27130', 'CVE-2024-50388']) t.ok(byCve(cve), cve);
  for (const advisory of advisories) t.ok(advisory.references.length > 0, `${advisory.id} has references`);
});

t.test('broken data is refused with EXP_ERR_VENDOR_PACK, naming the file and the entry', async (t) => {
  const pack = await read();
  const fingerprint = (data: Pack, index: number): Record<string, unknown> => data.fingerprints[index]!;
  const bad: Array<[string, (data: Pack) => void, string, RegExp]> = [
    ['unknown field', (data) => { fingerprint(data, 0)['target'] = '10.0.0.1'; }, 'EXP_ERR_VENDOR_PACK', /\/fingerprints\/0/],
    ['intrusive probe', (data) => { fingerprint(data, 0)['safety'] = 'intrusive'; }, 'EXP_ERR_VENDOR_PACK', /\/fingerprints\/0\/safety/],
    ['regex that does not compile', (data) => { fingerprint(data, 0)['match'] = { all: [{ source: 'body', regex: '(' }] }; }, 'EXP_ERR_VENDOR_PACK_REGEX', /\/fingerprints\/0\/match\/all\/0\/regex/],
    ['duplicate id', (data) => { data.fingerprints.push(clone(fingerprint(data, 0))); }, 'EXP_ERR_VENDOR_PACK', /\/fingerprints\/10\/id/],
    ['when names an unknown fingerprint', (data) => { fingerprint(data, 0)['when'] = { matched: ['nope'] }; }, 'EXP_ERR_VENDOR_PACK', /\/fingerprints\/0\/when/],
    ['path that is not a path', (data) => { fingerprint(data, 2)['request'] = { method: 'GET', path: 'http://elsewhere.example/' }; }, 'EXP_ERR_VENDOR_PACK', /\/fingerprints\/2\/request\/path/],
    ['http request method outside GET/POST', (data) => { fingerprint(data, 2)['request'] = { method: 'PUT', path: '/' }; }, 'EXP_ERR_VENDOR_PACK', /\/fingerprints\/2\/request\/method/],
    ['a fingerprint without negative examples', (data) => { fingerprint(data, 0)['examples'] = { positive: [{ description: 'x' }], negative: [] }; }, 'EXP_ERR_VENDOR_PACK', /\/fingerprints\/0\/examples\/negative/],
    ['an unbounded quantifier', (data) => { fingerprint(data, 0)['match'] = { all: [{ source: 'body', regex: '\\s*x' }] }; }, 'EXP_ERR_VENDOR_PACK_REGEX', /unbounded/],
    ['hero fix without h', (data) => { data.advisories.find((a) => a.id === 'QSA-21-05')!.affected[1]!.fixes[0]!['fixed'] = '4.5.1.1491 build 20201119'; }, 'EXP_ERR_VENDOR_PACK', /\/advisories\/\d+\/affected\/1\/fixes\/0\/fixed/],
    ['fix not on its branch', (data) => { data.advisories.find((a) => a.id === 'QSA-21-05')!.affected[0]!.fixes[0]!['branch'] = '4.4'; }, 'EXP_ERR_VENDOR_PACK', /not on branch 4\.4/],
    ['fix not in QNAP format', (data) => { data.advisories.find((a) => a.id === 'QSA-21-05')!.affected[0]!.fixes[0]!['fixed'] = 'latest'; }, 'EXP_ERR_VENDOR_PACK', /"latest" is not a QTS version/],
    ['bad CVE id', (data) => { data.advisories[0]!['cve'] = ['CVE-21-1']; }, 'EXP_ERR_VENDOR_PACK', /\/advisories\/0\/cve\/0/],
    ['KEV known ransomware without the flag', (data) => { data.advisories.find((a) => a.id === 'QSA-22-24')!['knownRansomware'] = false; }, 'EXP_ERR_VENDOR_PACK', /knownRansomware/],
    ['a product line the pack does not have', (data) => { data.advisories[0]!.affected[0]!.productLine = 'hbs-4'; }, 'EXP_ERR_VENDOR_PACK', /product line hbs-4 is not in this pack/],
  ];
  for (const [what, spoil, code, where] of bad) {
    const data = clone(pack);
    spoil(data);
    t.throws(() => validate(data), { code, message: where }, what);
    t.throws(() => validate(data), { message: new RegExp(FILE.replace(/[./]/g, '\\$&')) }, `${what}: the message names the file`);
  }
});
