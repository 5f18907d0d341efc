import t from 'tap';
import { NEGATIVE_KINDS, startNegative } from '../support/fake-nas.js';
import { fetchAnswer, matches, packAt, recognise } from '../support/fake-nas/pack-match.js';

const PACKS = ['synology', 'asustor', 'terramaster', 'wd'] as const;

t.test('routers, bare web servers and pages about a vendor match no pack and no indicator', async (t) => {
  for (const kind of NEGATIVE_KINDS) {
    const fake = await startNegative(kind);
    try {
      for (const id of PACKS) {
        const { pack } = packAt(id);
        const seen = await recognise(pack, fake.url);
        t.notOk(seen.identified, `${kind}: not a ${pack.vendor} device`);
        t.equal(seen.version, undefined, `${kind}: no ${pack.vendor} version`);
        for (const indicator of pack.indicators ?? []) {
          t.notOk(matches(await fetchAnswer(fake.url, indicator.request ?? { method: 'GET', path: '/' }), indicator.match), `${kind}: no ${indicator.id}`);
        }
      }
    } finally {
      await fake.close();
    }
  }
});
