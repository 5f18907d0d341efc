import t from 'tap';
import { readFile } from 'node:fs/promises';
import { loadFingerprints, loadVulnerabilities, validateFingerprints, validateVulnerabilities } from '../../src/qnap/data.js';

const read = async (file: string): Promise<unknown> => JSON.parse(await readFile(new URL(`../../probes/qnap/${file}`, import.meta.url), 'utf8'));
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

t.test('the shipped data files pass their schemas and the checks beyond them', async (t) => {
  const fingerprints = await read('fingerprints.json');
  const vulnerabilities = await read('vulnerabilities.json');
  t.doesNotThrow(() => validateFingerprints(fingerprints));
  t.doesNotThrow(() => validateVulnerabilities(vulnerabilities));
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
    if (fingerprint.identifiesQnap) {
      t.ok(conditions.some((condition) => condition.source !== 'header' && condition.source !== 'status'), `${fingerprint.id} identifies QNAP by more than headers and status`);
      t.ok((fingerprint.match.all?.length ?? 0) + (fingerprint.match.any ? 1 : 0) >= 2, `${fingerprint.id} needs two pieces of evidence`);
    }
    if (conditions.every((condition) => condition.source === 'header' || condition.source === 'status')) t.notOk(fingerprint.identifiesQnap, `${fingerprint.id}: headers alone never identify`);
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
  t.ok(advisories.find((advisory) => advisory.id === 'QSA-21-57')?.campaigns.some((campaign) => campaign.includes('DeadBolt')));
  t.equal(byCve('CVE-2022-27593')?.kev.knownRansomwareCampaignUse, 'Known');
  for (const cve of ['CVE-2019-7192', 'CVE-2019-7194', 'CVE-2019-7195', 'CVE-2018-19949', 'CVE-2022-27596', 'CVE-2023-23368', 'CVE-2024-21899', 'CVE-2024-27130', 'CVE-2024-50388']) t.ok(byCve(cve), cve);
  for (const advisory of advisories) t.ok(advisory.references.length > 0, `${advisory.id} has references`);
});

t.test('broken data is refused with EXP_ERR_QNAP_DATA, naming the entry', async (t) => {
  const fingerprints = (await read('fingerprints.json')) as { fingerprints: Array<Record<string, unknown>> };
  const vulnerabilities = (await read('vulnerabilities.json')) as { advisories: Array<{ id: string; affected: Array<{ product: string; fixes: Array<Record<string, unknown>> }> } & Record<string, unknown>> };
  const badFingerprints: Array<[string, (data: typeof fingerprints) => void]> = [
    ['unknown field', (data) => { data.fingerprints[0]!['target'] = '10.0.0.1'; }],
    ['intrusive probe', (data) => { data.fingerprints[0]!['safety'] = 'intrusive'; }],
    ['regex that does not compile', (data) => { data.fingerprints[0]!['match'] = { all: [{ source: 'body', regex: '(' }] }; }],
    ['duplicate id', (data) => { data.fingerprints.push(clone(data.fingerprints[0]!)); }],
    ['when names an unknown fingerprint', (data) => { data.fingerprints[0]!['when'] = { matched: ['nope'] }; }],
    ['path that is not a path', (data) => { data.fingerprints[2]!['request'] = { method: 'GET', path: 'http://elsewhere.example/' }; }],
    ['http request method outside GET/POST', (data) => { data.fingerprints[2]!['request'] = { method: 'PUT', path: '/' }; }],
  ];
  for (const [what, spoil] of badFingerprints) {
    const data = clone(fingerprints);
    spoil(data);
    t.throws(() => validateFingerprints(data), { code: 'EXP_ERR_QNAP_DATA' }, what);
  }
  const badAdvisories: Array<[string, (data: typeof vulnerabilities) => void]> = [
    ['hero fix without h', (data) => { data.advisories.find((a) => a.id === 'QSA-21-05')!.affected[1]!.fixes[0]!['fixed'] = '4.5.1.1491 build 20201119'; }],
    ['fix not on its branch', (data) => { data.advisories.find((a) => a.id === 'QSA-21-05')!.affected[0]!.fixes[0]!['branch'] = '4.4'; }],
    ['fix not in QNAP format', (data) => { data.advisories.find((a) => a.id === 'QSA-21-05')!.affected[0]!.fixes[0]!['fixed'] = 'latest'; }],
    ['bad CVE id', (data) => { data.advisories[0]!['cve'] = ['CVE-21-1']; }],
    ['KEV known ransomware without the flag', (data) => { data.advisories.find((a) => a.id === 'QSA-22-24')!['knownRansomware'] = false; }],
  ];
  for (const [what, spoil] of badAdvisories) {
    const data = clone(vulnerabilities);
    spoil(data);
    t.throws(() => validateVulnerabilities(data), { code: 'EXP_ERR_QNAP_DATA' }, what);
  }
});
