// PENDING (not picked up by tap: the name does not end in .test.ts). The complete MAP-E line file: once the agent's
// fingerprints stay inside the caller's port set (below), rename it over map-e.e2e.test.ts (one lab per file).
// Measured on a scratch merge of main + i16-ipv6 + i16-access (19:50): reported map-e, the v6plus set trusted, the outside view
// only inside the set, but the wan-side counters saw ONE packet outside the set: a SYN to the shared address's port
// 443. The agent's fingerprints follow the HTTPS port the device names (QNAP authLogin.cgi stunnelPort, 443 by
// default; src/vendors/fingerprint-host.ts namedHttpsPort) without checking it against the caller's port set. With
// the fake's stunnelPort inside the set the counters read zero outside. Again on i16-lab after main took i16-access
// (20:02): 28 of 29 green, counters 338 inside / 1 outside. Green once that is fixed.
// The MAP-E line (v6プラス-like): IPv4 leaves through a shared address inside one port set; another subscriber owns a
// port outside it on the same address. One lab for the whole file (test/lab/lines.ts).
import t from 'tap';
import { inPortSet, portSetSize } from '../../src/net/map-e-port-set.js';
import { binaries } from './lab.js';
import { scanWithVantage, startAgent, startFakeServices } from './exposure.js';
import { connect, listenAndLog, OTHER_SUBSCRIBER_PORT, withLine } from './lines.js';

/** n TCP connections in a row from a namespace to host:port, each closed at once. */
const CONNECTIONS_SCRIPT = `
const net = require('node:net');
const [host, port, n] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
let left = n;
const next = () => {
  if (left-- === 0) return;
  const s = net.connect({ host, port }, () => s.end());
  s.on('close', next);
  s.on('error', (e) => { process.stderr.write(String(e)); process.exit(2); });
};
next();
`;

const TOKEN = 'lab-token-'.padEnd(48, 'm');

t.test('MAP-E line', async (t) => {
  const started = Date.now();
  const firstBlock = 4928; // PSID 0x34: 4928-4943 (research sheet 1.4 worked example)
  const lab = await withLine(t, {
    line: 'map-e',
    mappings: [{ protocol: 'TCP', externalPort: firstBlock + 2, internalClient: '@nas', internalPort: 8080, description: 'QNAP web' }],
  });
  if (!lab) return;
  const mapE = lab.mapE!;
  t.comment(`lab up in ${Date.now() - started} ms`);
  await startFakeServices(lab, lab.nas, { qnap: [{ host: '::', port: 8080, hostname: 'LabNAS', flags: { stunnelPort: '443' } }] });
  lab.spawn(lab.other, process.execPath, ['-e', `require('net').createServer((s) => s.end('another subscriber\\n')).listen(${OTHER_SUBSCRIBER_PORT}, '0.0.0.0')`]);

  await t.test('topology: every outbound source port is inside the set; counters tell inside from outside', async (t) => {
    t.equal(mapE.ranges[0]?.from, firstBlock);
    t.equal(portSetSize(mapE.set), 240);
    t.match(lab.v6.scanner, /^240b:11:/, 'the LAN /64 lies inside the v6plus rule prefix 240b:10::/31');
    t.match(mapE.sharedAddress, /^106\.73\./, 'the shared address is the one the rule gives the prefix');
    const seen = await listenAndLog(lab, lab.wan, 9999, async () => {
      for (const host of [lab.scanner, lab.nas]) {
        const r = await lab.exec(host, process.execPath, ['-e', CONNECTIONS_SCRIPT, lab.wan.address, '9999', '20'], { timeoutMs: 20_000 });
        t.equal(r.code, 0, r.stderr);
      }
    }, 40);
    t.equal(seen.length, 40);
    t.ok(seen.every((s) => s.address.replace(/^::ffff:/, '') === mapE.sharedAddress), 'every connection comes from the shared address');
    const outside = seen.filter((s) => !inPortSet(mapE.set, s.port));
    t.same(outside, [], 'no source port outside the set');
    const blocks = new Set(seen.map((s) => s.port >> 12));
    t.ok(blocks.size >= 10, `the NAT spreads over the blocks (${blocks.size} of 15 used)`);

    await lab.resetPortSetCounters();
    t.same(await lab.portSetCounters(), { inside: 0, outside: 0 });
    t.equal(await connect(lab, lab.wan, mapE.sharedAddress, firstBlock + 2), 'open', 'the UPnP mapping inside the set reaches the NAS');
    const afterInside = await lab.portSetCounters();
    t.ok(afterInside.inside > 0 && afterInside.outside === 0, `counted inside: ${JSON.stringify(afterInside)}`);
    t.equal(await connect(lab, lab.wan, mapE.sharedAddress, OTHER_SUBSCRIBER_PORT), 'open', "another subscriber's port answers on the shared address");
    const afterOutside = await lab.portSetCounters();
    t.ok(afterOutside.outside > 0, `counted outside: ${JSON.stringify(afterOutside)}`);
    await lab.resetPortSetCounters();

    // miniupnpd on this router maps only the home's own ports
    const url = lab.router.rootDescUrl;
    const refused = await lab.exec(lab.scanner, binaries.upnpc, ['-u', url, '-a', lab.scanner.address, '8080', '8080', 'TCP'], { timeoutMs: 30_000 });
    t.match(refused.stdout + refused.stderr, /failed|ConflictInMappingEntry|718|606|Not ?Authorized/i, 'a mapping outside the set is refused');
    const allowed = await lab.exec(lab.scanner, binaries.upnpc, ['-u', url, '-a', lab.scanner.address, '8080', String(firstBlock + 3), 'TCP'], { timeoutMs: 30_000 });
    t.notMatch(allowed.stdout + allowed.stderr, /failed/i, 'a mapping inside the set is accepted');
  });

  await t.test('end to end: reported map-e with its port set, and the agent scans inside it only', async (t) => {
    const agent = await startAgent(lab, TOKEN, ['--engine', 'connect']);
    await lab.resetPortSetCounters();
    const run = await scanWithVantage(lab, agent, TOKEN, ['--ports', 'all']);
    // The LAN has global IPv6 (the MAP-E line's prefix) and the agent was named by its IPv4 address only: the IPv6
    // view could not look, which the scan must say (exit 3), never "nothing found". The IPv4 view is what this is about.
    t.equal(run.code, 3, run.stderr);
    t.match(run.stderr, /the IPv6 outside view failed: EXP_ERR_IPV6_VANTAGE/);
    t.equal(run.report?.coverage.ipv6?.status, 'failed');
    const report = run.report!;
    const access = report.access;
    t.equal(access?.kind, 'map-e', access?.summary ?? 'no access section');
    t.equal(access?.ipv4, mapE.sharedAddress);
    t.equal(access?.portSet?.rule, 'v6plus');
    t.equal(access?.portSet?.psid, mapE.set.psid);
    t.same(access?.portSet?.ranges, mapE.ranges, 'the set the lab NATs into');
    t.equal(access?.portSet?.trusted, true, access?.portSet?.reason ?? 'the set is confirmed by the source ports the agent saw');
    const inSetOpen = report.wan.ports.find((p) => p.port === firstBlock + 2 && p.protocol === 'TCP')?.state;
    t.equal(inSetOpen, 'open', 'the mapping inside the set is found');
    const outsidePorts = report.wan.ports.filter((p) => !inPortSet(mapE.set, p.port)).map((p) => `${p.protocol}/${p.port} ${p.state}`);
    t.same(outsidePorts, [], 'no port outside the set in the outside view');
    t.notOk(report.findings.some((f) => f.id.includes(String(OTHER_SUBSCRIBER_PORT))), "the other subscriber's open port is not this home's finding");
    const counters = await lab.portSetCounters();
    t.ok(counters.inside > 0, `the agent sent packets inside the set (${counters.inside})`);
    t.equal(counters.outside, 0, 'and not one packet to a port outside it');
    t.comment(`counters ${JSON.stringify(counters)}; outside view scope: ${JSON.stringify(report.coverage.outside.scope)}`);
  });
});
