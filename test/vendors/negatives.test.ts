// Routers' own admin pages, bare and stock web servers and pages about a vendor, through the engine the scan runs:
// no pack's device, no version, no indicator, and so no NAS finding of any vendor.
import t from 'tap';
import { NEGATIVE_KINDS, startNegative } from '../support/fake-nas.js';
import { judgeForwarded, recognise } from '../support/fake-nas/engine.js';

t.test('routers, bare web servers and pages about a vendor match no pack and no indicator', async (t) => {
  for (const kind of NEGATIVE_KINDS) {
    const fake = await startNegative(kind);
    try {
      const seen = await recognise(fake);
      t.equal(seen.device, null, `${kind}: no vendor's device`);
      t.same(seen.indicators, [], `${kind}: no indicator`);
      // Headers that wait for a 403 (My Cloud OS 5) cost nothing on a port that did not answer 403.
      t.notOk(fake.requests.some((request) => /Mozilla\//.test(request.headers['user-agent'] ?? '')), `${kind}: never asked as a browser`);
      const rules = judgeForwarded(seen, 8080).findings.map((finding) => finding.rule);
      t.notOk(rules.some((rule) => /^(qnap|nas|vendor)-/.test(rule)), `${kind}: no NAS finding (${rules.join(', ')})`);
    } finally {
      await fake.close();
    }
  }
});
