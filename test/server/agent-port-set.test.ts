// Consent on a shared (MAP-E) IPv4 address, through the real agent and the real connect engine on loopback: a
// port set that does not hold the caller's source ports is refused and nothing is scanned; a matching one has
// only its own ports scanned; an address whose source ports keep to one PSID is never scanned without a set.
// Listeners on ports inside and outside the set count the connections they get: that is the proof. The source
// ports are the test's choice (localPort), so that they fall inside or outside the set on purpose.
import t, { type Test } from 'tap';
import type { AddressInfo } from 'node:net';
import { buildAgent, type AgentOptions } from '../../src/server/agent/app.js';
import { connectEngine } from '../../src/net/portscan/connect.js';
import { inPortSet, portSetSize, type MapEPortSet } from '../../src/net/map-e-port-set.js';
import { planScan, type ScanPlan } from '../../src/server/agent/scan-plan.js';
import { sharedAddressEvidence } from '../../src/server/agent/shared-address.js';
import { countingListener, request, type Counter } from '../support/agent-client.js';

const TOKEN = 'p'.repeat(43);
const V6PLUS = { psidOffset: 4, psidLength: 8 };
/**
 * The caller and its listeners on a loopback address of their own: other test files scan 127.0.0.1 in full at the
 * same time (test/server/agent-full-range.test.ts), and their connections must not count here.
 */
const CALLER = '127.0.0.73';

/** Port j of block A of a v6plus-like set (a=4, k=8: A*4096 + psid*16 + j). */
const portOf = (psid: number, block: number, j: number): number => block * 4096 + psid * 16 + j;

async function agent(t: Test, options: Partial<AgentOptions> = {}): Promise<number> {
  const app = await buildAgent({ token: TOKEN, engine: () => Promise.resolve(connectEngine), limits: { rateLimitMax: 100 }, ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  return (app.server.address() as AddressInfo).port;
}

interface Lab {
  set: MapEPortSet;
  /** Listeners inside the set (two blocks) and outside it (another PSID; below 4096, nobody's). */
  inside: Counter[];
  outside: Counter[];
}

/** A PSID whose four listener ports are free here (below the ephemeral range, so other tests rarely hold them). */
async function lab(t: Test, host = CALLER): Promise<Lab> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const psid = 1 + Math.floor(Math.random() * 250);
    const wanted = { inside: [portOf(psid, 1, 3), portOf(psid, 2, 5)], outside: [portOf(psid + 1, 1, 3), 3000 + psid] };
    const inside = await Promise.all(wanted.inside.map((port) => countingListener(t, host, port)));
    const outside = await Promise.all(wanted.outside.map((port) => countingListener(t, host, port)));
    if ([...inside, ...outside].every((counter) => counter !== undefined)) {
      return { set: { ...V6PLUS, psid }, inside: inside as Counter[], outside: outside as Counter[] };
    }
  }
  throw new Error('no free ports for the lab');
}

const total = (counters: Counter[]): number => counters.reduce((sum, counter) => sum + counter.connections(), 0);
const portsOf = (lab: Lab): string => [...lab.inside, ...lab.outside].map((counter) => counter.port).sort((a, b) => a - b).join(',');

t.test('a port set that does not hold the caller\'s source port is refused, and nothing is scanned', async (t) => {
  const port = await agent(t);
  const home = await lab(t);
  // The caller's NAT used a port of the next PSID: the set it sends is not its own.
  const answer = await request(port, { localAddress: CALLER, token: TOKEN, localPort: portOf(home.set.psid + 1, 5, 1), body: { ports: portsOf(home), udp: false, portSet: home.set } });
  t.equal(answer.status, 403, JSON.stringify(answer.body));
  t.equal(answer.body.error?.code, 'EXP_ERR_AGENT_PORT_SET_MISMATCH');
  t.match(answer.body.error?.message, new RegExp(`${portOf(home.set.psid + 1, 5, 1)} are outside it`));
  t.equal(total([...home.inside, ...home.outside]), 0, 'not one connection to any port, in the set or not');

  // A whoami from a port outside the set taints the record too, even when the scan itself comes from inside.
  t.equal((await request(port, { localAddress: CALLER, token: TOKEN, localPort: portOf(home.set.psid + 2, 6, 2) })).status, 200);
  const tainted = await request(port, { localAddress: CALLER, token: TOKEN, localPort: portOf(home.set.psid, 6, 2), body: { ports: portsOf(home), udp: false, portSet: home.set } });
  t.equal(tainted.status, 403);
  t.equal(total([...home.inside, ...home.outside]), 0);
});

t.test('with a matching set only the asked ports inside it are scanned', async (t) => {
  const port = await agent(t);
  const home = await lab(t);
  const sources = [portOf(home.set.psid, 7, 1), portOf(home.set.psid, 3, 9)];
  t.equal((await request(port, { localAddress: CALLER, token: TOKEN, localPort: sources[0] })).status, 200, 'a whoami first, as a client does');
  const answer = await request(port, { localAddress: CALLER, token: TOKEN, localPort: sources[1], body: { ports: portsOf(home), udp: false, portSet: home.set } });
  t.equal(answer.status, 200, JSON.stringify(answer.body));
  t.same(home.inside.map((counter) => counter.connections()), [1, 1], 'each port of the set: one connection');
  t.same(home.outside.map((counter) => counter.connections()), [0, 0], 'the other PSID and the ports below 4096: none');
  const ports = answer.body['ports'] as Array<{ port: number; state: string }>;
  t.same(ports.map((entry) => entry.port), home.inside.map((counter) => counter.port), 'the answer lists the in-set ports only');
  t.same(ports.map((entry) => entry.state), ['open', 'open']);
  t.same(answer.body['scope'], { portSet: home.set, portsAsked: 4, portsInScope: 2, observedSourcePorts: [sources[1], sources[0]] });
});

t.test('"all" with a set is every port of the set and nothing else', async (t) => {
  const port = await agent(t);
  const home = await lab(t);
  const answer = await request(port, { localAddress: CALLER, token: TOKEN, localPort: portOf(home.set.psid, 4, 4), body: { ports: 'all', udp: false, portSet: home.set, timeoutSeconds: 60 } });
  t.equal(answer.status, 200, JSON.stringify(answer.body));
  const ports = (answer.body['ports'] as Array<{ port: number }>).map((entry) => entry.port);
  t.equal(ports.length, 240, 'v6plus: 15 blocks of 16');
  t.ok(ports.every((entry) => inPortSet(home.set, entry)), 'every one inside the set');
  t.same(home.inside.map((counter) => counter.connections()), [1, 1]);
  t.same(home.outside.map((counter) => counter.connections()), [0, 0]);
  t.match(answer.body['scope'], { portsAsked: 65_535, portsInScope: 240 });
});

t.test('source ports confined to one PSID: no scan without a port set', async (t) => {
  const port = await agent(t);
  const home = await lab(t);
  // Four connections through a MAP-E CE: four ports of one PSID, in three blocks.
  for (const source of [portOf(home.set.psid, 5, 0), portOf(home.set.psid, 6, 7), portOf(home.set.psid, 7, 15)]) {
    t.equal((await request(port, { localAddress: CALLER, token: TOKEN, localPort: source })).status, 200);
  }
  const answer = await request(port, { localAddress: CALLER, token: TOKEN, localPort: portOf(home.set.psid, 5, 8), body: { ports: portsOf(home), udp: false } });
  t.equal(answer.status, 403, JSON.stringify(answer.body));
  t.equal(answer.body.error?.code, 'EXP_ERR_AGENT_ADDRESS_SHARED');
  t.match(answer.body.error?.message, /several of its blocks: the address is shared.*Send this line's port set/);
  t.equal(total([...home.inside, ...home.outside]), 0, 'nothing scanned');
  const withSet = await request(port, { localAddress: CALLER, token: TOKEN, localPort: portOf(home.set.psid, 6, 8), body: { ports: portsOf(home), udp: false, portSet: home.set } });
  t.equal(withSet.status, 200, 'with its set, the same caller is scanned inside it');
  t.same(home.outside.map((counter) => counter.connections()), [0, 0]);
});

t.test('an address whose ports are not confined to one PSID is scanned as before', async (t) => {
  const port = await agent(t);
  const home = await lab(t);
  for (const source of [portOf(home.set.psid, 5, 0), portOf(home.set.psid + 3, 6, 7), portOf(home.set.psid + 9, 7, 15)]) {
    t.equal((await request(port, { localAddress: CALLER, token: TOKEN, localPort: source })).status, 200);
  }
  const answer = await request(port, { localAddress: CALLER, token: TOKEN, localPort: portOf(home.set.psid + 20, 5, 8), body: { ports: portsOf(home), udp: false } });
  t.equal(answer.status, 200, JSON.stringify(answer.body));
  t.equal(total([...home.inside, ...home.outside]), 4, 'every asked port');
  t.equal(answer.body['scope'], undefined, 'no scope without a port set');
});

t.test('the looks-shared rule', async (t) => {
  const psid = 0x5a;
  t.equal(sharedAddressEvidence([portOf(psid, 1, 0), portOf(psid, 2, 0), portOf(psid, 3, 0)]), undefined, 'three ports say nothing');
  t.match(sharedAddressEvidence([portOf(psid, 1, 0), portOf(psid, 2, 0), portOf(psid, 3, 0), portOf(psid, 15, 15)]), { portSet: { psidOffset: 4, psidLength: 8, psid }, strength: 'blocks' });
  t.match(sharedAddressEvidence([portOf(psid, 12, 1), portOf(psid, 12, 2), portOf(psid, 12, 3), portOf(psid, 12, 4)]), { strength: 'one-block' }, 'four ports of one aligned 16-port run (a NAT counting up does this too): still refused, said so');
  // OCN: a=6, k=6, ports from 1024; PSID 0x2b in blocks 1, 9 and 40.
  const ocn = (block: number, j: number): number => block * 1024 + 0x2b * 16 + j;
  t.match(sharedAddressEvidence([ocn(1, 2), ocn(9, 3), ocn(40, 4), ocn(63, 0)]), { portSet: { psidOffset: 6, psidLength: 6, psid: 0x2b }, strength: 'blocks' });
  t.equal(sharedAddressEvidence([portOf(3, 0, 1), portOf(3, 0, 2), portOf(3, 0, 3), portOf(3, 0, 4)]), undefined, 'ports below 1024 belong to no subscriber (below 4096 for v6plus)');
  t.equal(sharedAddressEvidence([40_000, 41_000, 52_000, 60_000]), undefined, 'ports of many PSIDs');
  t.equal(sharedAddressEvidence([portOf(psid, 1, 0), portOf(psid, 1, 0), portOf(psid, 2, 0), portOf(psid, 2, 0)]), undefined, 'distinct ports are counted');
});

function plan(request: Parameters<typeof planScan>[0]['request'], seenPorts: number[], maxPorts = 65_535): ScanPlan {
  const result = planScan({ caller: { address: '192.0.2.7', family: 4 }, request, seenPorts, maxPorts, ipv6: { prefixLength: 64, allowDocumentationPrefixes: false } });
  if (result.refused) throw new Error(result.message);
  return result;
}

t.test('UDP and IGD checks only on ports of the set; limits on the ports in scope', async (t) => {
  // 5351 = 1*4096 + 78*16 + 7: in PSID 78's set; 1900 is below 4096, in nobody's.
  const natPmpSet = { ...V6PLUS, psid: 78 };
  t.same(plan({ ports: '80', portSet: natPmpSet }, [portOf(78, 3, 3)]).udp, { ssdp: false, natPmp: true });
  t.equal(plan({ ports: '80', portSet: { ...V6PLUS, psid: 77 } }, [portOf(77, 3, 3)]).udp, false, 'neither port: no UDP check at all');
  t.equal(plan({ ports: '80' }, [portOf(77, 3, 3)]).udp !== false, true, 'no set, one port seen: both UDP checks as before');
  const igd = { port: portOf(77, 2, 0), path: '/rootDesc.xml' };
  t.same(plan({ ports: '80', portSet: { ...V6PLUS, psid: 77 }, igd }, [portOf(77, 3, 3)]).igd, igd, 'the IGD port is the caller\'s');
  const outside = plan({ ports: '80', portSet: { ...V6PLUS, psid: 77 }, igd: { port: 5000, path: '/' } }, [portOf(77, 3, 3)]);
  t.equal(outside.igd, undefined, 'another subscriber\'s port: no IGD check');
  t.match(outside.warnings, [/IGD check was skipped/]);
  t.same(plan({ ports: '80', portSet: { ...V6PLUS, psid: 77 } }, [portOf(77, 3, 3)]).ports, [], '80 is in nobody\'s set: nothing to scan');
  const ocnSet = { psidOffset: 6, psidLength: 6, psid: 5 };
  t.equal(plan({ ports: 'all', portSet: ocnSet }, [6 * 1024 + 5 * 16], 1008).ports.length, portSetSize(ocnSet), 'OCN: 1008 ports, within --max-ports 1008');
  const tooMany = planScan({ caller: { address: '192.0.2.7', family: 4 }, request: { ports: 'all', portSet: ocnSet }, seenPorts: [6 * 1024 + 5 * 16], maxPorts: 1000, ipv6: { prefixLength: 64, allowDocumentationPrefixes: false } });
  t.match(tooMany, { refused: true, status: 413, code: 'EXP_ERR_AGENT_TOO_LARGE' });
  const invalid = planScan({ caller: { address: '192.0.2.7', family: 4 }, request: { ports: '80', portSet: { psidOffset: 10, psidLength: 8, psid: 1 } }, seenPorts: [5000], maxPorts: 100, ipv6: { prefixLength: 64, allowDocumentationPrefixes: false } });
  t.match(invalid, { refused: true, status: 400, code: 'EXP_ERR_AGENT_BAD_REQUEST', message: /Invalid portSet: offset 10 and PSID length 8/ });
  const none = planScan({ caller: { address: '192.0.2.7', family: 4 }, request: { ports: '80', portSet: natPmpSet }, seenPorts: [], maxPorts: 100, ipv6: { prefixLength: 64, allowDocumentationPrefixes: false } });
  t.match(none, { refused: true, status: 403, code: 'EXP_ERR_AGENT_PORT_SET_MISMATCH', message: /seen no source port/ });
});
