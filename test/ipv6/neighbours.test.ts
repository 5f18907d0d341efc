// The neighbour table is filled by any device on the link: parsing must hold against size, shape and content.
import t from 'tap';
import { NEIGHBOUR_LIMITS, parseNeighbourJson, readNeighbours, runIp, type IpRunner } from '../../src/net/neighbours.js';

// The shape `ip -j -6 neigh show` prints (iproute2 6.1, Debian 12), addresses from the documentation prefix.
const RECORDED_SHAPE = JSON.stringify([
  { dst: 'fe80::1', dev: 'br0', lladdr: '02:00:00:00:00:01', router: null, state: ['REACHABLE'] },
  { dst: '2001:db8:1:2::20', dev: 'eth0', lladdr: '24:5e:be:00:00:20', state: ['STALE'] },
  { dst: '2001:db8:1:2:265e:beff:fe00:20', dev: 'eth0', lladdr: '24:5E:BE:00:00:20', state: ['DELAY'] },
  { dst: 'fd00::1', dev: 'eth0', state: ['FAILED'] },
  { dst: '2001:db8:1:2::99', dev: 'eth0', state: ['INCOMPLETE'] },
]);

t.test('a table as ip prints it: usable rows kept, MACs lower-cased, the router flag read', async (t) => {
  const table = parseNeighbourJson(RECORDED_SHAPE, 6);
  t.same(table.neighbours.map((row) => [row.address, row.mac, row.router]), [
    ['fe80::1', '02:00:00:00:00:01', true],
    ['2001:db8:1:2::20', '24:5e:be:00:00:20', false],
    ['2001:db8:1:2:265e:beff:fe00:20', '24:5e:be:00:00:20', false],
  ]);
  t.equal(table.rejected, 2, 'FAILED and INCOMPLETE rows have no MAC');
  t.equal(table.truncated, false);
  t.same(parseNeighbourJson('', 6).neighbours, [], 'an empty table (ip prints nothing)');
  t.same(parseNeighbourJson('[]\n', 6).neighbours, []);
});

t.test('hostile: 100,000 rows are refused by size, or cut by count, quickly', async (t) => {
  const rows = Array.from({ length: 100_000 }, (_, index) => ({ dst: `2001:db8::${(index % 65536).toString(16)}:${Math.floor(index / 65536)}`, dev: 'eth0', lladdr: '02:00:00:00:00:02', state: ['STALE'] }));
  const text = JSON.stringify(rows);
  const started = performance.now();
  t.throws(() => parseNeighbourJson(text, 6), /larger than/, 'over maxBytes: not even parsed');
  // Cutting by count is checked on 10,000 rows: parsing all 100,000 would only cost the suite time.
  const cut = parseNeighbourJson(JSON.stringify(rows.slice(0, 10_000)), 6, { maxBytes: 64 * 1024 * 1024 });
  t.equal(cut.neighbours.length, NEIGHBOUR_LIMITS.maxEntries);
  t.equal(cut.truncated, true);
  const lines = rows.map((row) => JSON.stringify(row)).join('\n');
  t.throws(() => parseNeighbourJson(lines, 6, { maxBytes: 64 * 1024 * 1024 }), /not JSON/, '100,000 lines of JSON objects are not one array');
  t.ok(performance.now() - started < 5000, `${Math.round(performance.now() - started)} ms`);
});

t.test('hostile: odd JSON and odd rows', async (t) => {
  t.throws(() => parseNeighbourJson('{"dst":"2001:db8::1"}', 6), /not a JSON array/);
  t.throws(() => parseNeighbourJson('[{"dst":', 6), /not JSON/);
  t.throws(() => parseNeighbourJson('"text"', 6), /not a JSON array/);
  const odd = [
    null,
    42,
    'fe80::1',
    [],
    { dst: ['2001:db8::1'], dev: 'eth0', lladdr: '02:00:00:00:00:03' },
    { dst: '2001:db8::1', dev: 'eth0', lladdr: '02:00:00:00:00' },
    { dst: '2001:db8::1', dev: 'eth0', lladdr: 'ff:ff:ff:ff:ff:ff' },
    { dst: '2001:db8::1', dev: 'eth0', lladdr: '00:00:00:00:00:00' },
    { dst: '2001:db8::1', dev: 'eth0; rm -rf /', lladdr: '02:00:00:00:00:03' },
    { dst: '2001:db8::1', dev: 'x'.repeat(33), lladdr: '02:00:00:00:00:03' },
    { dst: `2001:db8::1${'0'.repeat(100)}`, dev: 'eth0', lladdr: '02:00:00:00:00:03' },
    { dst: '192.0.2.1', dev: 'eth0', lladdr: '02:00:00:00:00:03' },
    { dst: 'fe80::1%eth0', dev: 'eth0', lladdr: '02:00:00:00:00:03' },
    { dst: '2001:db8::1', dev: 'eth0', lladdr: '02:00:00:00:00:03', state: 'REACHABLE', router: 'yes', __proto__: { polluted: true } },
    { dst: '2001:db8::1', dev: 'eth0', lladdr: '02:00:00:00:00:04', state: ['REACHABLE'] },
    { dst: '2001:DB8::2', dev: 'eth0', lladdr: '02:00:00:00:00:05', state: [1, 'x'.repeat(40), 'STALE'] },
  ];
  const table = parseNeighbourJson(JSON.stringify(odd), 6);
  t.same(table.neighbours.map((row) => [row.address, row.mac, row.state]), [
    ['2001:db8::1', '02:00:00:00:00:03', []],
    ['2001:db8::2', '02:00:00:00:00:05', ['STALE']],
  ], 'one row per address and interface, the first kept; odd states dropped');
  t.equal(table.rejected, 13);
  t.same(parseNeighbourJson(JSON.stringify(odd), 4).neighbours.map((row) => row.address), ['192.0.2.1'], 'no IPv6 row passes as IPv4');
});

t.test('the runner is asked for JSON, of one family, of the named interface only', async (t) => {
  const asked: string[][] = [];
  const run: IpRunner = async (args, options) => {
    asked.push([...args]);
    t.equal(options.maxBytes, NEIGHBOUR_LIMITS.maxBytes);
    t.ok(options.timeoutMs > 0);
    return RECORDED_SHAPE;
  };
  const signal = new AbortController().signal;
  await readNeighbours(6, { signal, run, interface: 'eth0' });
  await readNeighbours(4, { signal, run });
  t.same(asked, [['-j', '-6', 'neigh', 'show', 'dev', 'eth0'], ['-j', '-4', 'neigh', 'show']]);
  await t.rejects(readNeighbours(6, { signal, run, interface: 'eth0 dev lo' }), /not one ip accepts/);
});

t.test('the real ip command: reading the table sends nothing, and an unknown interface fails cleanly', async (t) => {
  const signal = new AbortController().signal;
  const table = await readNeighbours(6, { signal }).catch((error: unknown) => error);
  if (table instanceof Error && (table as NodeJS.ErrnoException).code === 'ENOENT') {
    t.comment('skipped: no ip command here');
    return;
  }
  t.notOk(table instanceof Error, table instanceof Error ? table.message : 'read');
  await t.rejects(readNeighbours(6, { signal, interface: 'nonexistent0' }));
  await t.rejects(runIp(['-j', '-6', 'neigh', 'show'], { signal, timeoutMs: 2000, maxBytes: 1 }), /maxBuffer/, 'an answer over maxBytes is an error, not a cut table');
});
