// Tests of the lab harness itself, against the real miniupnpd 2.3.1 / upnpc / iptables-legacy.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import {
  binaries,
  generateMappings,
  httpGet,
  labPrerequisites,
  leaseLine,
  soapRequest,
  startLab,
  withLab,
  type Lab,
  type LeaseMapping,
} from './lab.js';
import { ROGUE_SSDP_SCRIPT, RogueWatcher } from './rogue-ssdp.js';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';

const WANIPC2 = 'urn:schemas-upnp-org:service:WANIPConnection:2';

interface ListedMapping {
  index: number;
  protocol: string;
  externalPort: number;
  internalClient: string;
  internalPort: number;
  description: string;
}

/** parse `upnpc -l` / `-L` mapping lines: ` 0 TCP  8080->10.1.2.20:80    'desc' '' 0` */
function parseUpnpcList(stdout: string): ListedMapping[] {
  const out: ListedMapping[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(TCP|UDP)\s+(\d+)->([\d.]+):(\d+)\s+'(.*)' '(.*)' (\d+)$/.exec(line);
    if (m) {
      out.push({
        index: Number(m[1]),
        protocol: m[2] ?? '',
        externalPort: Number(m[3]),
        internalClient: m[4] ?? '',
        internalPort: Number(m[5]),
        description: m[6] ?? '',
      });
    }
  }
  return out;
}

async function upnpc(lab: Lab, ...args: string[]): Promise<string> {
  const r = await lab.exec(lab.scanner, binaries.upnpc, ['-u', lab.router.rootDescUrl, ...args], { timeoutMs: 60_000 });
  if (r.timedOut) throw new Error(`upnpc ${args.join(' ')} timed out`);
  return r.stdout + r.stderr;
}

function key(m: { protocol: string; externalPort: number; internalClient: string; internalPort: number; description: string }): string {
  return `${m.protocol} ${m.externalPort}->${m.internalClient}:${m.internalPort} '${m.description}'`;
}

async function netnsList(): Promise<string[]> {
  const { execFileSync } = await import('node:child_process');
  return execFileSync(binaries.ip, ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((s) => s !== '');
}

t.test('leaseLine validates what miniupnpd 2.3.1 would misread', async (t) => {
  const m: LeaseMapping = { protocol: 'TCP', externalPort: 81, internalClient: '10.1.2.20', internalPort: 80, description: 'a:b<c>&d' };
  t.equal(leaseLine(m), 'TCP:81:10.1.2.20:80:0:a:b<c>&d');
  t.equal(leaseLine({ ...m, expiresAt: 2000000000 }), 'TCP:81:10.1.2.20:80:2000000000:a:b<c>&d');
  t.throws(() => leaseLine({ ...m, description: 'x'.repeat(110) }), /at most 126/);
  t.throws(() => leaseLine({ ...m, description: 'two\nlines' }), /CR, LF or NUL/);
  t.throws(() => leaseLine({ ...m, externalPort: 0 }), /externalPort/);
  t.equal(generateMappings(1000, '10.0.0.1', { mixed: true }).filter((x) => x.protocol === 'UDP').length, 500);
});

t.test('prerequisites are present on this machine (CI installs them)', async (t) => {
  const pre = labPrerequisites();
  if (!pre.ok && process.env.CI === undefined) {
    t.plan(0, pre.reason);
    return;
  }
  t.same(pre, { ok: true });
});

t.test('a default lab: IGDv2, no mappings, NAT and forwarding work', async (t) => {
  const t0 = Date.now();
  const lab = await withLab(t, { mappings: [{ protocol: 'TCP', externalPort: 8080, internalClient: '@nas', internalPort: 8000, description: 'NAS web' }] });
  if (!lab) return;
  t.comment(`lab up in ${Date.now() - t0} ms (id ${lab.id})`);
  const listed = await netnsList();
  for (const ns of lab.namespaces) t.ok(listed.includes(ns), `namespace ${ns} exists`);
  t.equal(readFileSync(`${lab.tmpDir}/miniupnpd.pid`, 'utf8').trim(), String(lab.router.pid), 'pidfile names the daemon we track');

  const root = await httpGet(lab, lab.scanner, lab.router.rootDescUrl);
  t.equal(root.status, 200);
  const xml = root.body.toString('utf8');
  t.match(xml, '<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType>');
  t.match(xml, `<serviceType>${WANIPC2}</serviceType>`);
  t.notMatch(xml, 'InternetGatewayDevice:1');

  const s = await upnpc(lab, '-s');
  t.match(s, `ExternalIPAddress = ${lab.router.wanAddress}\n`);
  t.match(s, 'Status : Connected');

  // the one seeded mapping forwards from the "internet" to the NAS, without SNAT
  const web = new RogueWatcher(lab.spawn(lab.nas, process.execPath, [...TS_LOADER_ARGS, ROGUE_SSDP_SCRIPT, 'http', '--address', lab.nas.address, '--port', '8000']));
  await web.waitFor((e) => e.event === 'ready');
  const viaWan = await httpGet(lab, lab.wan, `http://${lab.router.wanAddress}:8080/x`);
  t.equal(viaWan.status, 200, 'mapped port reaches the NAS from the wan host');
  const hit = await web.waitFor((e) => e.event === 'http');
  t.equal(hit.from, lab.wan.address, 'the NAS sees the real internet source address');
  t.equal(hit.url, '/x');
  await t.rejects(httpGet(lab, lab.wan, `http://${lab.nas.address}:8000/`, { timeoutMs: 3000 }), 'LAN addresses are not reachable from the wan host');

  // LAN → WAN goes out masqueraded
  const wanWeb = new RogueWatcher(lab.spawn(lab.wan, process.execPath, [...TS_LOADER_ARGS, ROGUE_SSDP_SCRIPT, 'http', '--address', lab.wan.address, '--port', '8000']));
  await wanWeb.waitFor((e) => e.event === 'ready');
  t.equal((await httpGet(lab, lab.scanner, `http://${lab.wan.address}:8000/`)).status, 200);
  t.equal((await wanWeb.waitFor((e) => e.event === 'http')).from, lab.router.wanAddress, 'MASQUERADE on the WAN side');

  // after deleting the seeded mapping: zero mappings, and the enumeration ends with 713
  t.match(await upnpc(lab, '-d', '8080', 'TCP'), /UPNP_DeletePortMapping\(\) returned : 0/);
  const l = await upnpc(lab, '-l');
  t.same(parseUpnpcList(l), [], 'no mapping listed');
  t.match(l, 'GetGenericPortMappingEntry() returned 713 (SpecifiedArrayIndexInvalid)');
});

t.test('a lab started with 0 mappings lists none', async (t) => {
  const lab = await withLab(t);
  if (!lab) return;
  const l = await upnpc(lab, '-l');
  t.match(l, `Found valid IGD : http://${lab.router.address}:5000/ctl/IPConn`);
  t.same(parseUpnpcList(l), []);
  t.match(l, 'GetGenericPortMappingEntry() returned 713');
  // miniupnpd unlinks the lease file after reading it and re-creates it only when it adds a mapping
  t.notOk(existsSync(lab.router.leaseFile), 'lease file consumed');
});

t.test('two seeded mappings are listed exactly', async (t) => {
  const lab = await withLab(t, {
    mappings: [
      { protocol: 'TCP', externalPort: 8443, internalClient: '@nas', internalPort: 443, description: 'NAS admin' },
      { protocol: 'UDP', externalPort: 27015, internalClient: '@other', internalPort: 27016, description: 'game:server:1' },
    ],
  });
  if (!lab) return;
  const listed = parseUpnpcList(await upnpc(lab, '-l'));
  t.same(
    listed.map(key).sort(),
    [`TCP 8443->${lab.nas.address}:443 'NAS admin'`, `UDP 27015->${lab.other.address}:27016 'game:server:1'`].sort(),
  );
  t.same(listed.map((m) => m.index), [0, 1], 'GetGenericPortMappingEntry indexes start at 0');
});

t.test('igdV1 describes IGD:1 / WANIPConnection:1; restartRouter switches back and keeps mappings', async (t) => {
  const lab = await withLab(t, {
    igdV1: true,
    mappings: [{ protocol: 'TCP', externalPort: 2222, internalClient: '@nas', internalPort: 22, description: 'ssh' }],
  });
  if (!lab) return;
  const v1 = (await httpGet(lab, lab.scanner, lab.router.rootDescUrl)).body.toString('utf8');
  t.match(v1, '<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>');
  t.match(v1, '<serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>');
  t.notMatch(v1, 'InternetGatewayDevice:2');
  t.notMatch(v1, 'WANIPConnection:2');
  t.match(await upnpc(lab, '-l'), /^\s*0 TCP\s+2222->[\d.]+:22\s+'ssh'/m);

  const oldPid = lab.router.pid;
  const t0 = Date.now();
  await lab.restartRouter({ igdV1: false });
  t.comment(`restartRouter took ${Date.now() - t0} ms`);
  t.not(lab.router.pid, oldPid, 'a new daemon');
  let gone = false;
  try {
    process.kill(oldPid, 0);
  } catch {
    gone = true;
  }
  t.ok(gone, 'old daemon is gone');
  const v2 = (await httpGet(lab, lab.scanner, lab.router.rootDescUrl)).body.toString('utf8');
  t.match(v2, 'urn:schemas-upnp-org:device:InternetGatewayDevice:2');
  t.match(v2, WANIPC2);
  t.same(parseUpnpcList(await upnpc(lab, '-l')).map(key), [`TCP 2222->${lab.nas.address}:22 'ssh'`], 'mapping survived the restart via the lease file');

  await lab.restartRouter({ mappings: [] });
  t.same(parseUpnpcList(await upnpc(lab, '-l')), [], 'restart with mappings: [] clears them');
});

t.test('reservedWan (CGNAT 100.64/10): miniupnpd starts, answers SOAP, reports no external address', async (t) => {
  const lab = await withLab(t, {
    reservedWan: true,
    mappings: [{ protocol: 'TCP', externalPort: 8080, internalClient: '@nas', internalPort: 80, description: 'stale' }],
  });
  if (!lab) return;
  t.match(lab.router.wanAddress, /^100\.64\.\d+\.1$/);
  const log = readFileSync(lab.router.logFile, 'utf8');
  t.match(log, `Reserved / private IP address ${lab.router.wanAddress} on ext interface wan0: Port forwarding is impossible`);

  const soap = soapRequest('GetExternalIPAddress', WANIPC2);
  const r = await httpGet(lab, lab.scanner, `http://${lab.router.address}:5000/ctl/IPConn`, { method: 'POST', ...soap });
  t.equal(r.status, 200);
  t.match(r.body.toString('utf8'), '<NewExternalIPAddress></NewExternalIPAddress>', 'GetExternalIPAddress answers the empty string');

  const st = await httpGet(lab, lab.scanner, `http://${lab.router.address}:5000/ctl/IPConn`, { method: 'POST', ...soapRequest('GetStatusInfo', WANIPC2) });
  // recorded behaviour: miniupnpd 2.3.1 still says Connected here (only the external address is withheld)
  t.match(st.body.toString('utf8'), '<NewConnectionStatus>Connected</NewConnectionStatus>');

  const s = await upnpc(lab, '-s');
  t.match(s, 'GetExternalIPAddress failed. (empty string)');
  // mappings from the lease file are loaded before the reserved-address check: they are still listed
  t.same(parseUpnpcList(await upnpc(lab, '-l')).map(key), [`TCP 8080->${lab.nas.address}:80 'stale'`]);
  // but new ones are refused
  t.match(await upnpc(lab, '-a', lab.nas.address, '81', '8081', 'TCP'), 'failed with code 501 (Action Failed)');
});

t.test('down() removes every namespace, kills miniupnpd and spawned processes, is idempotent', async (t) => {
  const pre = labPrerequisites();
  if (!pre.ok) {
    if (process.env.CI !== undefined) t.fail(pre.reason);
    else t.plan(0, pre.reason);
    return;
  }
  const lab = await startLab();
  const { pid } = lab.router;
  const sleeper = lab.spawn(lab.other, 'sleep', ['600']);
  const sleeperPid = sleeper.pid;
  t.ok(sleeperPid !== undefined && sleeperPid > 0);
  const before = await netnsList();
  t.ok(lab.namespaces.every((n) => before.includes(n)));
  t.ok(existsSync(lab.tmpDir));

  await t.rejects(lab.exec('not-a-lab-namespace', 'true', []), /not a namespace of lab/, 'refuses foreign namespaces');

  const t0 = Date.now();
  await lab.down();
  t.comment(`lab down in ${Date.now() - t0} ms`);
  const after = await netnsList();
  t.same(lab.namespaces.filter((n) => after.includes(n)), [], 'no namespace left');
  const isAlive = (p: number): boolean => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  t.notOk(isAlive(pid), 'miniupnpd is gone');
  t.notOk(sleeperPid !== undefined && isAlive(sleeperPid), 'spawned process is gone');
  t.notOk(existsSync(lab.tmpDir), 'temp dir removed');
  await lab.down();
  t.pass('second down() resolves');
  await t.rejects(lab.exec(lab.scanner, 'true', []), /is down/);
});
