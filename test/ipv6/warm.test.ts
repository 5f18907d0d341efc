// The echo to ff02::1 before the neighbour table is read: the arguments it runs ping with, iputils' recorded
// output, and hostile or failing runs. `ping` itself is never run here: from the host's own namespace it would send
// multicast (the lab test test/lab/ipv6.e2e.test.ts runs the real one inside the lab).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { ObservationKinds } from '../../src/core/observation.js';
import { warmNeighbours, WARM_LIMITS, type PingRunner } from '../../probes/ipv6-lan/warm.js';

const RECORDED = readFileSync(fileURLToPath(new URL('./fixtures/iputils-20221126-ping-ff02-1.txt', import.meta.url)), 'utf8');
const own = (address: string, temporary: boolean, iface = 'eth0'): ObservationKinds['ipv6-address'] => ({ address, prefix: '2001:db8:1:3::/64', sources: ['interface'], thisHost: true, interface: iface, temporary, router: false });
const signal = new AbortController().signal;

t.test("iputils' recorded answer: the three other hosts, from this host's stable global address", async (t) => {
  const calls: string[][] = [];
  const run: PingRunner = async (args, options) => {
    calls.push([...args]);
    t.same([options.timeoutMs, options.maxBytes], [WARM_LIMITS.timeoutMs, WARM_LIMITS.maxBytes], 'bounded in time and bytes');
    return { code: 1, stdout: RECORDED };
  };
  const warmed = await warmNeighbours([own('2001:db8:1:3:aaaa:bbbb:cccc:dddd', true), own('2001:db8:1:3::10', false)], signal, run);
  t.same(calls, [['-6', '-n', '-c', '2', '-w', '1', '-I', '2001:db8:1:3::10', 'ff02::1%eth0']]);
  t.same(warmed, { status: 'sent', replies: 3 }, 'exit 1 (the deadline) is still sent; this host is not counted');
});

t.test('no global address with an interface: nothing sent', async (t) => {
  let ran = false;
  const warmed = await warmNeighbours([{ ...own('2001:db8:1:3::10', false), interface: undefined }], signal, async () => {
    ran = true;
    return { code: 0, stdout: '' };
  });
  t.same(warmed, { status: 'not-sent', replies: 0 });
  t.equal(ran, false);
});

t.test('hostile output: a flood of reply lines is read up to the line limit, junk ignored', async (t) => {
  const lines = Array.from({ length: 5000 }, (_, index) => `64 bytes from 2001:db8:1:3::${(index + 0x100).toString(16)}: icmp_seq=1 ttl=64 time=0.1 ms`);
  const junk = ['64 bytes from <script>: icmp_seq=1', '64 bytes from 10.0.0.1: icmp_seq=1', `64 bytes from ${'a'.repeat(100000)}: x`];
  const warmed = await warmNeighbours([own('2001:db8:1:3::10', false)], signal, async () => ({ code: 0, stdout: [...junk, ...lines].join('\n') }));
  t.equal(warmed.replies, WARM_LIMITS.maxReplyLines - junk.length);
});

t.test('no ping program: no-ping; a ping that fails: failed with its reason', async (t) => {
  const missing: PingRunner = async () => Promise.reject(Object.assign(new Error('spawn ping ENOENT'), { code: 'ENOENT' }));
  t.same(await warmNeighbours([own('2001:db8:1:3::10', false)], signal, missing), { status: 'no-ping', replies: 0, error: 'ENOENT' });
  const refused: PingRunner = async () => ({ code: 2, stdout: '' });
  t.match(await warmNeighbours([own('2001:db8:1:3::10', false)], signal, refused), { status: 'failed', error: 'ping exited 2' });
});

t.test('an aborted scan is not a failed echo: the abort is thrown', async (t) => {
  const controller = new AbortController();
  const run: PingRunner = async () => {
    controller.abort();
    return Promise.reject(new Error('aborted'));
  };
  await t.rejects(warmNeighbours([own('2001:db8:1:3::10', false)], controller.signal, run));
});
