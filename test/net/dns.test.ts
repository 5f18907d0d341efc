import t from 'tap';
import { resolveA } from '../../src/net/dns.js';
import { startFakeDns } from '../support/fake-dns.js';

// Every lookup here goes to the loopback fake: never to the host's resolver.
t.test('A records from the named resolver; no such name is a result; silence times out', async (t) => {
  const dns = await startFakeDns({ records: { 'mynas.myqnapcloud.com': ['203.0.113.7', '203.0.113.8'] } });
  t.teardown(() => dns.close());
  t.same((await resolveA('mynas.myqnapcloud.com', { server: dns.server, timeoutMs: 2000 })).addresses, ['203.0.113.7', '203.0.113.8']);
  const missing = await resolveA('other.myqnapcloud.com', { server: dns.server, timeoutMs: 2000 });
  t.same(missing.addresses, []);
  t.equal(missing.error?.code, 'EXP_ERR_DNS');
  t.match(missing.error?.message, /no such name/);
  t.same(dns.questions, ['mynas.myqnapcloud.com', 'other.myqnapcloud.com']);

  const silent = await startFakeDns({ records: {}, silent: true });
  t.teardown(() => silent.close());
  const started = Date.now();
  const timedOut = await resolveA('mynas.myqnapcloud.com', { server: silent.server, timeoutMs: 300 });
  t.ok(Date.now() - started < 3000, 'bounded in time');
  t.equal(timedOut.error?.code, 'EXP_ERR_DNS');

  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  await t.rejects(resolveA('mynas.myqnapcloud.com', { server: silent.server, timeoutMs: 5000, signal: controller.signal }), { code: 'EXP_ERR_ABORTED' });
});
