// The hostile LAN device: answers every M-SEARCH with an IGD:1 reply whose LOCATION the test chooses.
import t from 'tap';
import { msearch, httpGet, withLab } from './lab.js';
import { IGD1, ROGUE_SSDP_SCRIPT, RogueWatcher } from './rogue-ssdp.js';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';

t.test('a rogue SSDP responder on the LAN answers next to miniupnpd, and its LOCATION is only fetched when someone fetches it', async (t) => {
  const lab = await withLab(t);
  if (!lab) return;
  const node = (args: string[]): string[] => [...TS_LOADER_ARGS, ROGUE_SSDP_SCRIPT, ...args];

  // a hit counter on the NAS, where the rogue's LOCATION points
  const counter = new RogueWatcher(lab.spawn(lab.nas, process.execPath, node(['http', '--address', lab.nas.address, '--port', '49000'])));
  const location = `http://${lab.nas.address}:49000/rootDesc.xml`;
  // the rogue on "other"
  const rogue = new RogueWatcher(lab.spawn(lab.other, process.execPath, node(['ssdp', '--address', lab.other.address, '--location', location])));
  // a second rogue on the NAS pointing at the scanner's own loopback
  const loopRogue = new RogueWatcher(
    lab.spawn(lab.nas, process.execPath, node(['ssdp', '--address', lab.nas.address, '--location', 'http://127.0.0.1:5000/rootDesc.xml'])),
  );
  await Promise.all([counter, rogue, loopRogue].map((w) => w.waitFor((e) => e.event === 'ready')));

  const st = 'urn:schemas-upnp-org:device:InternetGatewayDevice:2';
  // SSDP is UDP: a datagram lost while both cores are busy is no finding about the rogue. Ask again (at most three
  // times) until the router and the rogue have both answered one M-SEARCH.
  let replies = await msearch(lab, lab.scanner, { st, waitMs: 1500 });
  for (let attempt = 1; attempt < 3 && !(replies.some((r) => r.address === lab.router.address) && replies.some((r) => r.address === lab.other.address)); attempt++) {
    t.comment(`M-SEARCH ${attempt} got answers from ${replies.map((r) => r.address).join(', ') || 'nobody'}; asking again`);
    replies = await msearch(lab, lab.scanner, { st, waitMs: 1500 });
  }
  const byAddr = new Map(replies.map((r) => [r.address, r]));
  t.equal(byAddr.get(lab.router.address)?.headers.location, lab.router.rootDescUrl, 'miniupnpd answers the multicast M-SEARCH');
  t.equal(byAddr.get(lab.router.address)?.headers.st, st);
  const fromRogue = byAddr.get(lab.other.address);
  t.equal(fromRogue?.headers.location, location, 'the rogue answers with the chosen LOCATION');
  t.equal(fromRogue?.headers.st, IGD1, 'the rogue always claims IGD:1, whatever was asked');
  t.equal(fromRogue?.statusLine, 'HTTP/1.1 200 OK');
  t.equal(byAddr.get(lab.nas.address)?.headers.location, 'http://127.0.0.1:5000/rootDesc.xml');

  const seen = await rogue.waitFor((e) => e.event === 'msearch');
  t.equal(seen.from, lab.scanner.address, 'the rogue logged who searched');
  t.equal(seen.st, st);
  t.equal(seen.man, '"ssdp:discover"');

  // nobody fetched the LOCATION during discovery …
  await new Promise((r) => setTimeout(r, 300));
  t.same(counter.of('http'), [], 'LOCATION not fetched by discovery');
  // … and the counter does count when someone does (so the line above can fail)
  const got = await httpGet(lab, lab.scanner, location);
  t.equal(got.status, 200);
  t.match(got.body.toString('utf8'), IGD1);
  const hit = await counter.waitFor((e) => e.event === 'http');
  t.equal(hit.from, lab.scanner.address);
  t.equal(hit.url, '/rootDesc.xml');
  t.equal(counter.of('http').length, 1);

  // unicast M-SEARCH straight to a rogue is answered too
  const uni = await msearch(lab, lab.scanner, { st: 'ssdp:all', target: lab.other.address, waitMs: 500 });
  t.same(
    uni.map((r) => [r.address, r.headers.location]),
    [[lab.other.address, location]],
  );
});
