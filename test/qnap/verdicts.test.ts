import t from 'tap';
import type { QnapDevice } from '../../src/core/report.generated.js';
import { loadVulnerabilities } from '../../src/vendors/qnap.js';
import { verdictFor, verdictsFor } from '../../src/vendors/verdicts.js';
import { parseFirmware } from '../../src/vendors/qnap.js';

const advisories = loadVulnerabilities().advisories;
const advisory = (id: string) => {
  const found = advisories.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no advisory ${id}`);
  return found;
};

function device(full: string | null, extra: Partial<QnapDevice> = {}): QnapDevice {
  const parsed = full ? parseFirmware(full) : null;
  return {
    vendor: 'QNAP',
    os: parsed ? (parsed.flavor === 'h' ? 'QuTS hero' : parsed.flavor === 'c' ? 'QuTScloud' : 'QTS') : null,
    confidence: 'high',
    firmware: full ? { version: full.split(' ')[0]!, full } : null,
    apps: [],
    ...extra,
  };
}

const status = (id: string, dev: QnapDevice) => verdictFor(advisory(id), dev);

t.test('QTS on a listed branch: below the fix is vulnerable, at or above it fixed, and both builds are cited', async (t) => {
  const below = status('QSA-21-05', device('4.5.2.1500 build 20201201'));
  t.equal(below.status, 'vulnerable');
  t.equal(below.foundVersion, 'QTS 4.5.2.1500 build 20201201');
  t.equal(below.fixedVersion, '4.5.2.1566 build 20210202');
  t.same(below.cve, ['CVE-2020-2509']);
  t.equal(below.kev, true);
  t.equal(status('QSA-21-05', device('4.5.2.1566 build 20210202')).status, 'fixed', 'the fixed build itself');
  t.equal(status('QSA-21-05', device('4.5.2.1594 build 20210302')).status, 'fixed');
  t.equal(status('QSA-21-05', device('4.3.6.1600 build 20210301')).fixedVersion, '4.3.6.1620 build 20210322', 'each branch has its own fix');
  t.equal(status('QSA-21-05', device('4.3.6.1600 build 20210301')).status, 'vulnerable');
});

t.test('4.2.6 builds without a number are ordered by date', async (t) => {
  t.equal(status('QSA-21-05', device('4.2.6 build 20200911')).status, 'vulnerable');
  t.equal(status('QSA-21-05', device('4.2.6 build 20210327')).status, 'fixed');
});

t.test('branch rules: unlisted older branch, newer branch, introduced, older-unknown', async (t) => {
  const between = status('QSA-21-05', device('4.4.3.1400 build 20200817'));
  t.equal(between.status, 'vulnerable', 'a branch that never got the fix, older than the newest fixed branch');
  t.equal(between.fixedVersion, '4.5.1.1495 build 20201123', 'the nearest fixed release above it is cited');
  const oldest = status('QSA-21-05', device('4.1.4.1000 build 20180101'));
  t.equal(oldest.status, 'vulnerable', 'older than every listed branch');
  t.equal(oldest.fixedVersion, '4.2.6 build 20210327', 'the oldest fix is the nearest');
  const newer = status('QSA-21-05', device('5.0.0.1891 build 20211221'));
  t.equal(newer.status, 'fixed', 'newer than every fixed branch');
  t.match(newer.reason, /newer branch/);
  // QSA-21-57 (DeadBolt) affects QTS 4.5.3 and later only.
  t.equal(status('QSA-21-57', device('4.5.2.1566 build 20210202')).status, 'not-applicable');
  t.equal(status('QSA-21-57', device('4.5.3.1652 build 20210428')).status, 'vulnerable', 'branch 4.5 holds 4.5.3: below 4.5.4.1892');
  t.equal(status('QSA-21-57', device('4.5.4.1892 build 20211223')).status, 'fixed');
  t.equal(status('QSA-21-57', device('5.0.0.1850 build 20211101')).status, 'vulnerable');
  t.equal(status('QSA-21-57', device('5.1.0.2348 build 20230325')).status, 'fixed');
  // QSA-24-09's CVE record lists 5.1.x and 4.5.x with every other version unaffected: 5.0 in between is not.
  t.equal(status('QSA-24-09', device('5.0.1.2425 build 20230609')).status, 'not-applicable');
  t.equal(status('QSA-24-09', device('4.3.6.2441 build 20230621')).status, 'not-applicable', 'below the first affected branch');
  // QSA-24-23 says nothing of branches before 5.1: cannot tell.
  t.equal(status('QSA-24-23', device('5.0.1.2425 build 20230609')).status, 'unknown');
  t.equal(status('QSA-24-23', device('5.0.1.2425 build 20230609')).fixedVersion, '5.1.7.2770 build 20240520');
});

t.test('QuTS hero and QuTScloud are compared with their own fixes only', async (t) => {
  t.equal(status('QSA-21-57', device('h5.0.0.1800 build 20211101')).status, 'vulnerable');
  t.equal(status('QSA-21-57', device('h5.0.0.1800 build 20211101')).fixedVersion, 'h5.0.0.1892 build 20211222');
  t.equal(status('QSA-21-57', device('h5.0.0.1892 build 20211222')).status, 'fixed');
  t.equal(status('QSA-21-57', device('c5.0.0.1900 build 20220101')).status, 'vulnerable');
  t.equal(status('QSA-21-57', device('c5.0.0.1919 build 20220119')).status, 'fixed');
  t.equal(status('QSA-24-23', device('c5.1.0.2400 build 20230601')).status, 'not-applicable', 'QuTScloud is not named by QSA-24-23');
  // A hero build whose number is above the QTS fix must not be judged by the QTS fix.
  t.equal(status('QSA-23-01', device('h5.0.1.2240 build 20221130')).status, 'vulnerable', 'h5.0.1.2240 < h5.0.1.2248 although > QTS 5.0.1.2234');
  t.equal(status('QSA-23-31', device('c5.0.1.2400')).status, 'fixed', 'QuTScloud fix without a date: the number decides');
});

t.test('unknown means cannot tell, never fixed and never vulnerable', async (t) => {
  const none = verdictsFor(device(null));
  t.ok(none.length > 0);
  t.notOk(none.some((verdict) => verdict.status === 'vulnerable'), 'no version: nothing is vulnerable');
  t.notOk(none.some((verdict) => verdict.status === 'fixed'));
  t.match(none.find((verdict) => verdict.advisory === 'QSA-21-05')?.reason, /version unknown/);
  const garbage = device(null, { firmware: { version: 'latest', full: 'latest' }, os: null });
  for (const verdict of verdictsFor(garbage)) t.not(verdict.status, 'vulnerable', `${verdict.advisory} with garbage`);
  t.equal(verdictFor(advisory('QSA-21-05'), garbage).status, 'unknown');
  const legacy = device(null, { firmware: { version: '4.3.3', full: '4.3.3' }, os: 'QTS' });
  t.equal(status('QSA-21-05', legacy).status, 'unknown', 'legacy version only, on a branch with a fix: the build decides, and it is missing');
  t.equal(status('QSA-21-05', device(null, { firmware: { version: '4.1.0', full: '4.1.0' } })).status, 'vulnerable', 'legacy version on a branch that never got the fix');
  t.same(verdictsFor(null), [], 'not a QNAP: no verdicts');
});

t.test('app advisories: only with the app version, else unknown saying why', async (t) => {
  const qts = device('5.0.1.2145 build 20220903');
  const hbs = status('QSA-21-13', qts);
  t.equal(hbs.status, 'unknown');
  t.match(hbs.reason, /HBS 3.*could not be read without credentials/);
  t.equal(hbs.knownRansomware, true);
  const noPhoto = status('QSA-22-24', qts);
  t.equal(noPhoto.status, 'unknown');
  t.match(noPhoto.reason, /Photo Station/);
  const withPhoto = (version: string) => status('QSA-22-24', device('5.0.1.2145 build 20220903', { apps: [{ name: 'Photo Station', version, port: 8080 }] }));
  t.equal(withPhoto('6.1.1').status, 'vulnerable');
  t.equal(withPhoto('6.1.1').fixedVersion, '6.1.2');
  t.equal(withPhoto('6.1.2').status, 'fixed');
  t.equal(withPhoto('6.0.21').status, 'vulnerable');
  t.equal(withPhoto('6.0.21').fixedVersion, '6.0.22');
  t.equal(withPhoto('5.5.3').status, 'vulnerable', 'a Photo Station branch that never got the fix');
  t.equal(withPhoto('6.2.0').status, 'fixed', 'newer than every fixed branch');
  t.equal(withPhoto('6.x').status, 'unknown');
  const eCh0raix = status('NAS-201911-25', device('4.3.6.1100 build 20191001', { apps: [{ name: 'Photo Station', version: '5.7.9', port: 8080 }] }));
  t.equal(eCh0raix.status, 'vulnerable');
  t.same(eCh0raix.cve, ['CVE-2019-7192', 'CVE-2019-7194', 'CVE-2019-7195']);
});

t.test('an advisory whose fix moved into an app cannot call a newer firmware fixed', async (t) => {
  t.equal(status('QSA-21-11', device('4.5.2.1566 build 20210202')).status, 'unknown');
  t.equal(status('QSA-21-11', device('4.3.6.1600 build 20210301')).status, 'vulnerable');
});

t.test('each verdict names the product it was decided on, and what could not be read when unknown', async (t) => {
  const qts = status('QSA-23-31', device('4.5.2.1566 build 20210202'));
  t.equal(qts.product, 'QTS');
  t.equal(qts.productKind, 'firmware');
  t.equal(qts.unknownBecause, undefined, 'only unknown verdicts say why');
  t.equal(status('QSA-23-31', device('h4.5.1.1500 build 20210101')).product, 'QuTS hero');
  const photo = status('QSA-22-24', device('4.5.2.1566 build 20210202', { apps: [{ name: 'Photo Station', version: '6.0.12', port: 8080 }] }));
  t.same([photo.status, photo.product, photo.productKind, photo.fixedVersion], ['vulnerable', 'Photo Station', 'app', '6.0.22']);
  const hbs = status('QSA-21-13', device('5.2.8.3350 build 20251113'));
  t.same([hbs.status, hbs.product, hbs.unknownBecause], ['unknown', 'HBS 3', 'app-version']);
  t.equal(status('QSA-21-05', device(null)).unknownBecause, 'firmware-version');
  t.equal(status('QSA-21-05', device(null, { firmware: { version: '4.3.3', full: '4.3.3' }, os: 'QTS' })).unknownBecause, 'build');
  t.equal(status('QSA-21-05', device(null, { firmware: { version: 'latest', full: 'latest' }, os: null })).unknownBecause, 'firmware-format');
  t.equal(status('QSA-24-23', device('5.0.1.2425 build 20230609')).unknownBecause, 'branch-not-listed');
  // QSA-21-11's fix moved into Multimedia Console: the QTS part cannot tell, the app part names what to read.
  const moved = status('QSA-21-11', device('5.2.8.3350 build 20251113'));
  t.same([moved.status, moved.product, moved.unknownBecause], ['unknown', 'Multimedia Console', 'app-version']);
  t.equal(status('QSA-21-11', device('4.3.6.1600 build 20210301')).product, 'QTS', 'vulnerable on the firmware: the firmware is named');
});

t.test('KEV and ransomware flags come from each advisory\'s own data and agree with its sources', async (t) => {
  for (const entry of advisories) {
    const verdict = verdictFor(entry, device('4.5.2.1566 build 20210202'));
    t.equal(verdict.kev, entry.kev.listed, `${entry.id}: kev is the data's`);
    t.equal(verdict.knownRansomware, entry.knownRansomware, `${entry.id}: knownRansomware is the data's`);
    if (entry.kev.listed) t.ok(entry.cve.length > 0 && entry.references.some((reference) => reference.includes('known-exploited-vulnerabilities')), `${entry.id}: a KEV listing needs a CVE and cites the catalog`);
    if (entry.knownRansomware && entry.kev.knownRansomwareCampaignUse !== 'Known') t.ok((entry.campaigns ?? []).length > 0, `${entry.id}: ransomware use not from KEV names the campaign`);
  }
  // QSA-21-11: not in KEV, and QNAP's Qlocker advisory (QSA-21-12) names only CVE-2021-28799: no ransomware claim.
  t.equal(advisory('QSA-21-11').knownRansomware, false);
  t.equal(advisory('QSA-22-24').kev.listed, true);
  t.equal(advisory('QSA-23-31').kev.listed, false);
  t.equal(advisory('QSA-24-09').kev.listed, false);
});
