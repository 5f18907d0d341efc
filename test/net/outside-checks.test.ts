import t from 'tap';
import { checkIgdControl, toWanPort } from '../../probes/wan-scan/outside-checks.js';
import { startFakeIgd } from '../support/fake-igd.js';
import { closedPort } from '../support/ports.js';

t.test('an IGD that answers from outside: description fetched, one read-only action answered', async (t) => {
  const igd = await startFakeIgd({ externalIp: '11.22.33.44' });
  t.teardown(igd.close);
  const result = await checkIgdControl('127.0.0.1', igd.port, '/rootDesc.xml', undefined);
  t.same(result, { port: igd.port, path: '/rootDesc.xml', descriptionFetched: true, actionAnswered: true, friendlyName: 'Fake Router', externalIp: '11.22.33.44' });
  t.same(igd.actions, ['GetExternalIPAddress'], 'only the read-only action, nothing that changes the router');
});

t.test('an IGD whose control URLs point elsewhere is not called', async (t) => {
  const igd = await startFakeIgd({ foreignControlHost: '127.0.0.2' });
  t.teardown(igd.close);
  const result = await checkIgdControl('127.0.0.1', igd.port, '/rootDesc.xml', undefined);
  t.equal(result.descriptionFetched, true);
  t.equal(result.actionAnswered, false);
  t.same(igd.actions, []);
});

t.test('nothing listening: not fetched, with the reason', async (t) => {
  const port = await closedPort();
  const result = await checkIgdControl('127.0.0.1', port, '/rootDesc.xml', undefined);
  t.equal(result.descriptionFetched, false);
  t.match(result.error, /ECONNREFUSED|reach/);
});

t.test('engine results become bounded report ports', async (t) => {
  t.same(toWanPort({ port: 22, protocol: 'tcp', state: 'open', service: 'ssh', banner: 'x'.repeat(5000), product: '' }), { port: 22, protocol: 'TCP', state: 'open', service: 'ssh', banner: 'x'.repeat(1024) });
});
