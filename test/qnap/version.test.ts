import t from 'tap';
import { compareFirmware, compareNumbers, firmwareFromParts, formatFirmware, onBranch, parseAppVersion, parseFirmware } from '../../src/vendors/qnap.js';

t.test('every firmware format seen parses, and prints back the way advisories write it', async (t) => {
  const cases: Array<[string, string, [number, number, number], number | null, number | null]> = [
    ['5.1.1.2491 build 20230815', '', [5, 1, 1], 2491, 20230815],
    ['4.5.2.1566 build 20210202', '', [4, 5, 2], 1566, 20210202],
    ['4.2.6 build 20210327', '', [4, 2, 6], null, 20210327],
    ['h5.0.0.1892 build 20211222', 'h', [5, 0, 0], 1892, 20211222],
    ['c5.0.0.1919 build 20220119', 'c', [5, 0, 0], 1919, 20220119],
    ['c5.1.5.2651', 'c', [5, 1, 5], 2651, null],
    ['4.3.3', '', [4, 3, 3], null, null],
    ['QTS 5.1.1.2491 build 20230815', '', [5, 1, 1], 2491, 20230815],
    ['5.0.1.2376_20230421', '', [5, 0, 1], 2376, 20230421],
  ];
  for (const [text, flavor, release, number, build] of cases) {
    const parsed = parseFirmware(text);
    t.same(parsed, { flavor, release, number, build }, text);
  }
  t.equal(formatFirmware(parseFirmware('h5.0.0.1892 build 20211222')!), 'h5.0.0.1892 build 20211222');
  t.equal(formatFirmware(parseFirmware('4.2.6 build 20210327')!), '4.2.6 build 20210327');
  t.equal(formatFirmware(parseFirmware('c5.1.5.2651')!), 'c5.1.5.2651');
});

t.test('garbage is not a version', async (t) => {
  for (const text of ['', 'latest', '5', '5.1', 'x5.1.1', '5.1.1.2491 build 2023', '5.1.1 build 20231345', '5.1.1.2491 build 20230815; rm -rf /', '<b>5.1.1</b>', '5.1.1.9999999', '9'.repeat(200), '5.1.1.2491 build 19990101']) {
    t.equal(parseFirmware(text), null, JSON.stringify(text.slice(0, 40)));
  }
  t.equal(parseFirmware(undefined), null);
  t.equal(parseFirmware(null), null);
});

t.test('authLogin.cgi fields: each must have its own shape', async (t) => {
  t.same(firmwareFromParts('5.1.1', '2491', '20230815'), { flavor: '', release: [5, 1, 1], number: 2491, build: 20230815 });
  t.same(firmwareFromParts('h5.0.0', '1892', '20211222'), { flavor: 'h', release: [5, 0, 0], number: 1892, build: 20211222 });
  t.same(firmwareFromParts('4.2.6', undefined, '20210327'), { flavor: '', release: [4, 2, 6], number: null, build: 20210327 });
  t.same(firmwareFromParts('4.3.3', undefined, undefined), { flavor: '', release: [4, 3, 3], number: null, build: null }, 'legacy <version> only');
  t.equal(firmwareFromParts('5.1.1', '24x91', '20230815'), null);
  t.equal(firmwareFromParts('5.1.1', '2491', 'yesterday'), null);
  t.equal(firmwareFromParts('5.1.1.2491', '2491', '20230815'), null, 'a number twice is not half-parsed');
  t.equal(firmwareFromParts(undefined, '2491', '20230815'), null);
});

t.test('ordering within a release: number first, then the date when a side lacks it', async (t) => {
  const v = (text: string) => parseFirmware(text)!;
  t.equal(compareFirmware(v('4.5.2.1500 build 20201201'), v('4.5.2.1566 build 20210202')), -1);
  t.equal(compareFirmware(v('4.5.2.1566 build 20210202'), v('4.5.2.1566 build 20210202')), 0);
  t.equal(compareFirmware(v('4.5.2.1594 build 20210302'), v('4.5.2.1566 build 20210202')), 1);
  t.equal(compareFirmware(v('4.5.3.1652 build 20210428'), v('4.5.2.1566 build 20210202')), 1, 'the release decides first');
  t.equal(compareFirmware(v('4.2.6 build 20200911'), v('4.2.6 build 20210327')), -1, 'no number: the date');
  t.equal(compareFirmware(v('4.2.6.1000 build 20210401'), v('4.2.6 build 20210327')), 1, 'one side without number: the date');
  t.equal(compareFirmware(v('c5.1.5.2700'), v('c5.1.5.2651')), 1, 'no date on either side: the number');
  t.equal(compareFirmware(v('4.3.3'), v('4.3.3.1624 build 20210416')), null, 'legacy version only: cannot tell');
  t.equal(compareFirmware(v('h5.0.0.1892 build 20211222'), v('5.0.0.1891 build 20211221')), null, 'QuTS hero is never ordered against QTS');
});

t.test('app versions and branches', async (t) => {
  t.same(parseAppVersion('6.0.22'), [6, 0, 22]);
  t.same(parseAppVersion('16.0.0415'), [16, 0, 415]);
  t.equal(parseAppVersion('6.0.22-beta'), null);
  t.equal(parseAppVersion(''), null);
  t.equal(compareNumbers([6, 0, 3], [6, 0, 22]), -1);
  t.equal(compareNumbers([6, 1], [6, 1, 0]), 0);
  t.ok(onBranch([4, 5, 2], [4, 5]));
  t.ok(onBranch([4, 5, 2], [4, 5, 2]));
  t.notOk(onBranch([4, 5, 2], [4, 5, 1]));
  t.notOk(onBranch([4, 5], [4, 5, 2]));
});
