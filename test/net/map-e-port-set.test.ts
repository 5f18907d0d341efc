import t from 'tap';
import { inPortSet, portSetProblem, portSetRanges, portSetSize } from '../../src/net/map-e-port-set.js';

// Worked examples of ../shared/research/ipv6-japan-and-vendors.md section 1.4 (checked there with a script).
t.test('v6plus (a=4, k=8), PSID 52: 15 blocks of 16 from 4928', async (t) => {
  const set = { psidOffset: 4, psidLength: 8, psid: 52 };
  const ranges = portSetRanges(set);
  t.equal(ranges.length, 15);
  t.same(ranges[0], { from: 4928, to: 4943 });
  t.same(ranges[1], { from: 9024, to: 9039 });
  t.same(ranges.at(-1), { from: 62272, to: 62287 });
  t.equal(portSetSize(set), 240);
  t.ok(inPortSet(set, 4928) && inPortSet(set, 62287));
  t.notOk(inPortSet(set, 4927) || inPortSet(set, 4944) || inPortSet(set, 52 * 16), 'the block below 4096 belongs to nobody');
});

t.test('the OCN rule (a=6, k=6), PSID 5: 63 blocks of 16 from 1104', async (t) => {
  const set = { psidOffset: 6, psidLength: 6, psid: 5 };
  const ranges = portSetRanges(set);
  t.equal(ranges.length, 63);
  t.same(ranges[0], { from: 1104, to: 1119 });
  t.same(ranges[1], { from: 2128, to: 2143 });
  t.same(ranges.at(-1), { from: 64592, to: 64607 });
  t.equal(portSetSize(set), 1008);
});

t.test('membership agrees with the ranges for every port', async (t) => {
  for (const set of [{ psidOffset: 4, psidLength: 8, psid: 255 }, { psidOffset: 6, psidLength: 6, psid: 0 }, { psidOffset: 0, psidLength: 4, psid: 3 }]) {
    const expanded = new Set(portSetRanges(set).flatMap((range) => Array.from({ length: range.to - range.from + 1 }, (_, i) => range.from + i)));
    let disagreements = 0;
    for (let port = 1; port <= 65_535; port += 1) if (expanded.has(port) !== inPortSet(set, port)) disagreements += 1;
    t.equal(disagreements, 0, `a=${set.psidOffset} k=${set.psidLength} psid=${set.psid}`);
  }
});

t.test('sets RFC 7597 does not allow are refused', async (t) => {
  t.match(portSetProblem({ psidOffset: 4, psidLength: 8, psid: 256 }), /does not fit 8 bits/);
  t.match(portSetProblem({ psidOffset: 10, psidLength: 8, psid: 1 }), /do not fit 16 bits/);
  t.match(portSetProblem({ psidOffset: 4, psidLength: 0, psid: 0 }), /do not fit/);
  t.throws(() => portSetRanges({ psidOffset: 4, psidLength: 8, psid: -1 }), RangeError);
  t.notOk(inPortSet({ psidOffset: 4, psidLength: 8, psid: 52 }, 70_000));
});
