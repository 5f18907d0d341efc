import t from 'tap';
import { median, medianInterval } from '../../bench/stats.js';

t.test('median of odd and even counts, input left unsorted', async (t) => {
  const values = [3, 1, 2];
  t.equal(median(values), 2);
  t.same(values, [3, 1, 2]);
  t.equal(median([4, 1, 3, 2]), 2.5);
});

t.test('the interval of identical samples is that value', async (t) => {
  t.same(medianInterval([1.02, 1.02, 1.02, 1.02, 1.02]), [1.02, 1.02]);
});

t.test('the interval holds the median, widens with spread, and repeats exactly', async (t) => {
  const tight = [1.0, 1.01, 1.02, 1.01, 0.99, 1.0, 1.02, 1.01, 1.0];
  const wide = [0.8, 1.2, 0.9, 1.1, 1.0, 0.85, 1.15, 0.95, 1.05];
  const [tightLow, tightHigh] = medianInterval(tight);
  const [wideLow, wideHigh] = medianInterval(wide);
  t.ok(tightLow <= median(tight) && median(tight) <= tightHigh);
  t.ok(wideLow <= median(wide) && median(wide) <= wideHigh);
  t.ok(wideHigh - wideLow > tightHigh - tightLow, 'more spread, wider interval');
  t.ok(tightLow >= 0.99 && tightHigh <= 1.02, 'never outside the samples');
  t.same(medianInterval(wide), [wideLow, wideHigh], 'seeded: the same samples give the same interval');
});

t.test('no samples, no interval', async (t) => {
  const [low, high] = medianInterval([]);
  t.ok(Number.isNaN(low) && Number.isNaN(high));
});
