/**
 * test/lab/lines.ts — the lines people really have, built on the lab (test/lab/lab.ts): IPv6 IPoE with the router's
 * IPv6 firewall on, pinholed or off; a MAP-E-like router whose IPv4 leaves through a shared address inside one port
 * set; a DS-Lite-like router whose IPv4 leaves through a second NAT it does not control. Still a closed box: every
 * link is a veth between two lab namespaces, nothing touches the host's network namespace.
 *
 *   line 'ipv6'     LAN 2001:db8:A:B::/64 on br0 (router ::1, scanner ::10, nas ::20, other ::30)
 *                   WAN 2001:db8:A:1BB::/64 on wan0 (router ::1, wan ::2; BB = B + 0x100), IPv4 as in lab.ts
 *   line 'map-e'    the same, but the LAN /64 is 240b:11:AABB:PP00::/64 (PP = the PSID): inside the v6plus rule
 *                   prefix 240b:10::/31, so the shipped rule data computes the PSID from the scanner's own address.
 *                   IPv4 leaves SNAT-ed into that PSID's 15 blocks of 16 ports (one SNAT rule per block, taken in
 *                   turn); a DNAT for port 8443 (outside the set) to the "other" host plays another subscriber.
 *                   The router's WAN IPv4 is the shared address the rule computes (106.73.A.B), point-to-point to
 *                   the wan host (11.A.B.2).
 *                   The wan host counts every packet it sends to the shared address, inside the set or not.
 *   line 'ds-lite'  an extra namespace "aftr" between router and wan: router wan0 192.0.0.2/29 (the B4 address),
 *                   aftr 192.0.0.1/29, which MASQUERADEs to its own 11.A.B.1 toward the wan host (11.A.B.2).
 *                   IPv6 is routed natively through the aftr namespace (it also plays the ISP's IPv6 network).
 *
 * 240b:10::/31 is a real, routed v6plus rule prefix (research sheet section 1.4). The lab is a closed box of
 * namespaces with no route out, so using it here sends nothing anywhere; every other IPv6 address is 2001:db8::/32.
 *
 * Choices (decision 0022): no real MAP-E (ip6tnl to a BR) or DS-Lite (ip6tnl to an AFTR) tunnel. What the scanner
 * and the agent can observe is the same without it: the agent sees IPv4 from the shared / AFTR address, with the
 * source ports the NAT chose; the router's WAN IPv4 is what its IGD reports. A tunnel would only add its MTU.
 *
 * Firewalls: iptables-legacy and ip6tables-legacy, as miniupnpd-iptables drives the legacy backend for both
 * (its IPv6 pinholes go into ip6tables filter MINIUPNPD). The IPv6 mode lives in its own chain (LINE6), so a
 * test switches it without restarting anything: setIpv6Firewall('firewall' | 'pinhole' | 'open').
 */
import { portSetRanges, type MapEPortSet, type PortRange } from '../../src/net/map-e-port-set.js';
import { binaries, withLab, type Lab, type LabHost, type LabOptions, type TapTest } from './lab.js';

export type Ipv6Firewall = 'firewall' | 'pinhole' | 'open';
export type LineKind = 'ipv6' | 'map-e' | 'ds-lite';

export interface LineOptions extends Omit<LabOptions, 'ipv6' | 'extraHosts' | 'beforeRouter'> {
  line: LineKind;
  /** the router's IPv6 forward filter from the WAN; default 'firewall' */
  ipv6Firewall?: Ipv6Firewall;
  /** the one port the 'pinhole' mode opens to the NAS's IPv6 address; default 8080 */
  pinholePort?: number;
  /** map-e: the PSID (8 bits, v6plus: offset 4, length 8); default 0x34 (ports 4928-4943, ...) */
  psid?: number;
}

export interface Host6 {
  /** the host's global IPv6 address */
  address6: string;
}

export interface LineLab extends Lab {
  line: LineKind;
  v6: {
    /** the LAN /64, e.g. 2001:db8:1b:7::/64 */
    lanCidr: string;
    router: string;
    scanner: string;
    nas: string;
    other: string;
    /** the wan host's (the agent's) IPv6 address */
    wan: string;
    routerWan: string;
  };
  /** map-e only */
  mapE?: {
    set: MapEPortSet;
    ranges: PortRange[];
    /** the shared IPv4 address (the router's WAN address) */
    sharedAddress: string;
    /** a port outside the set that the router DNATs to lab.other: another subscriber's service */
    otherSubscriberPort: number;
  };
  /** ds-lite only: the AFTR namespace; address is its public IPv4 */
  aftr?: LabHost;
  ipv6Firewall: Ipv6Firewall;
  setIpv6Firewall(mode: Ipv6Firewall): Promise<void>;
  /** map-e: packets the wan host sent to the shared address, to ports inside / outside the set (TCP and UDP) */
  portSetCounters(): Promise<{ inside: number; outside: number }>;
  resetPortSetCounters(): Promise<void>;
}

export const V6PLUS = { psidOffset: 4, psidLength: 8 } as const;
export const OTHER_SUBSCRIBER_PORT = 8443;

const hex = (n: number): string => n.toString(16);

/** Addresses of one line's lab, from the lab's two octets (a, b), so parallel labs never share a prefix. */
export function lineAddresses(line: LineKind, a: number, b: number, psid = 0x34): LineLab['v6'] & { lan: string; wanLink: string; aftrLink: string } {
  const lan = line === 'map-e' ? `240b:11:${hex((a << 8) | b)}:${hex(psid << 8)}` : `2001:db8:${hex(a)}:${hex(b)}`;
  const wanLink = `2001:db8:${hex(a)}:${hex(0x100 + b)}`;
  const aftrLink = `2001:db8:${hex(a)}:${hex(0x200 + b)}`;
  return {
    lan,
    wanLink,
    aftrLink,
    lanCidr: `${lan}::/64`,
    router: `${lan}::1`,
    scanner: `${lan}::10`,
    nas: `${lan}::20`,
    other: `${lan}::30`,
    routerWan: `${wanLink}::1`,
    wan: line === 'ds-lite' ? `${aftrLink}::2` : `${wanLink}::2`,
  };
}

/**
 * The v6plus rule for 240b:10::/31 maps to IPv4 106.72.0.0/15, the 17 bits after the rule prefix (IPv6 bits 31..47)
 * being the IPv4 suffix (RFC 7597 EA bits; the rule table of the missing233/map-e calculator, research sheet 1.4).
 * The lab's LAN is 240b:11:AABB:PP00::/64: bit 31 is 1 and bits 32..47 are AABB, so the address is 106.73.A.B.
 * A real, routed address, harmless here for the same reason as the prefix: the lab has no route out.
 */
export function mapESharedAddress(a: number, b: number): string {
  return `106.73.${a}.${b}`;
}

async function ok(lab: Lab, host: LabHost | string, cmd: string, args: string[], input?: string): Promise<string> {
  const r = await lab.exec(host, cmd, args, { timeoutMs: 15_000, ...(input !== undefined ? { input } : {}) });
  if (r.code !== 0) throw new Error(`lines: \`${cmd} ${args.join(' ')}\` failed (code ${String(r.code)}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

const ip = (lab: Lab, host: LabHost | string, ...args: string[]): Promise<string> => ok(lab, host, binaries.ip, args);
const ip6tables = (lab: Lab, host: LabHost | string, ...args: string[]): Promise<string> => ok(lab, host, 'ip6tables-legacy', args);
const iptables = (lab: Lab, host: LabHost | string, ...args: string[]): Promise<string> => ok(lab, host, binaries.iptablesLegacy, args);

/**
 * Bounded wait until no address in the namespace is "tentative". DAD is off (lab.ts ipv6), so this returns on the
 * first look; it guards against a kernel that ignores the setting rather than sleeping on it.
 */
async function settled(lab: Lab, host: LabHost): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const out = await ip(lab, host, '-6', 'addr', 'show');
    if (!out.includes('tentative')) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`lines: IPv6 addresses in ${host.ns} stayed tentative`);
}

function firewallRules(mode: Ipv6Firewall, nas: string, port: number): string[][] {
  if (mode === 'open') return [];
  const rules = [['-A', 'LINE6', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']];
  if (mode === 'pinhole') rules.push(['-A', 'LINE6', '-d', nas, '-p', 'tcp', '--dport', String(port), '-j', 'ACCEPT']);
  rules.push(['-A', 'LINE6', '-j', 'DROP']);
  return rules;
}

/** Build one line's lab; the caller owns teardown (lab.down()), or use withLine. */
export async function withLine(t: TapTest, opts: LineOptions): Promise<LineLab | undefined> {
  const { line, ipv6Firewall = 'firewall', pinholePort = 8080, psid = 0x34, ...base } = opts;
  const set: MapEPortSet = { ...V6PLUS, psid };
  const ranges = portSetRanges(set);
  let addrs: ReturnType<typeof lineAddresses> | undefined;
  const extraConfig = [...(base.extraConfig ?? [])];
  if (line === 'map-e') {
    // a MAP-E router lets UPnP map only its own ports: the first matching rule wins, so these come before lab.ts's
    for (const r of ranges) extraConfig.push(`allow ${r.from}-${r.to} 0.0.0.0/0 1-65535`);
    extraConfig.push('deny 0-65535 0.0.0.0/0 0-65535');
  }

  const lab = (await withLab(t, {
    ...base,
    extraConfig,
    ipv6: true,
    extraHosts: line === 'ds-lite' ? ['aftr'] : [],
    beforeRouter: async (l) => {
      const net = /^10\.(\d+)\.(\d+)$/.exec(l.lan.prefix);
      if (!net) throw new Error(`lines: unexpected LAN ${l.lan.prefix}`);
      const a = Number(net[1]);
      const b = Number(net[2]);
      addrs = lineAddresses(line, a, b, psid);
      const v = addrs;
      const r = l.router;
      await ok(l, r, 'sysctl', ['-qw', 'net.ipv6.conf.all.forwarding=1']);
      await ip(l, r, '-6', 'addr', 'add', `${v.router}/64`, 'dev', 'br0');
      for (const [host, address] of [[l.scanner, v.scanner], [l.nas, v.nas], [l.other, v.other]] as const) {
        await ip(l, host, '-6', 'addr', 'add', `${address}/64`, 'dev', 'eth0');
        await ip(l, host, '-6', 'route', 'add', 'default', 'via', v.router, 'dev', 'eth0');
      }
      if (line === 'ds-lite') {
        const aftr = l.extra.aftr;
        if (!aftr) throw new Error('lines: no aftr namespace');
        // rewire: router wan0 <-> aftr b4 (the softwire's two ends), aftr eth0 <-> wan eth0 (the internet)
        await ip(l, r, 'link', 'del', 'wan0');
        await ip(l, r, 'link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'b4', 'netns', aftr.ns);
        await ip(l, aftr, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', l.wan.ns);
        await ip(l, aftr, 'link', 'set', 'lo', 'up');
        const publicV4 = l.router.wanAddress; // 11.A.B.1 now belongs to the AFTR
        r.wanAddress = '192.0.0.2';
        aftr.address = publicV4;
        aftr.iface = 'eth0';
        await ip(l, r, 'addr', 'add', '192.0.0.2/29', 'dev', 'wan0');
        await ip(l, aftr, 'addr', 'add', '192.0.0.1/29', 'dev', 'b4');
        await ip(l, aftr, 'addr', 'add', `${publicV4}/24`, 'dev', 'eth0');
        await ip(l, l.wan, 'addr', 'add', `${l.wan.address}/24`, 'dev', 'eth0');
        await ip(l, r, '-6', 'addr', 'add', `${v.routerWan}/64`, 'dev', 'wan0');
        await ip(l, aftr, '-6', 'addr', 'add', `${v.wanLink}::2/64`, 'dev', 'b4');
        await ip(l, aftr, '-6', 'addr', 'add', `${v.aftrLink}::1/64`, 'dev', 'eth0');
        await ip(l, l.wan, '-6', 'addr', 'add', `${v.wan}/64`, 'dev', 'eth0');
        for (const [host, dev] of [[r, 'wan0'], [aftr, 'b4'], [aftr, 'eth0'], [l.wan, 'eth0']] as const) await ip(l, host, 'link', 'set', dev, 'up');
        await ip(l, r, 'route', 'add', 'default', 'via', '192.0.0.1');
        await ip(l, r, '-6', 'route', 'add', 'default', 'via', `${v.wanLink}::2`);
        await ip(l, aftr, '-6', 'route', 'add', v.lanCidr, 'via', v.routerWan);
        await ip(l, l.wan, '-6', 'route', 'add', v.lanCidr, 'via', `${v.aftrLink}::1`);
        await ip(l, l.wan, '-6', 'route', 'add', `${v.wanLink}::/64`, 'via', `${v.aftrLink}::1`);
        await ok(l, aftr, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
        // the carrier's NAT: the home's IPv4 leaves as the AFTR's address; nothing comes in unasked
        await ok(l, aftr, binaries.iptablesLegacyRestore, [], [
          '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
          '-A POSTROUTING -o eth0 -s 192.0.0.0/29 -j MASQUERADE', 'COMMIT',
          '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
          '-A FORWARD -i eth0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
          '-A FORWARD -i eth0 -j DROP',
          'COMMIT', '',
        ].join('\n'));
      } else {
        if (line === 'map-e') {
          // the shared IPv4 address is the one the v6plus rule gives this prefix, so that a scanner computing it
          // from the rule data agrees with what the router and the agent see: point-to-point to the wan host
          r.wanAddress = mapESharedAddress(a, b);
          await ip(l, r, 'addr', 'flush', 'dev', 'wan0');
          await ip(l, r, 'addr', 'add', r.wanAddress, 'peer', `${l.wan.address}/32`, 'dev', 'wan0');
          await ip(l, l.wan, 'addr', 'flush', 'dev', 'eth0');
          await ip(l, l.wan, 'addr', 'add', l.wan.address, 'peer', `${r.wanAddress}/32`, 'dev', 'eth0');
        }
        await ip(l, r, '-6', 'addr', 'add', `${v.routerWan}/64`, 'dev', 'wan0');
        await ip(l, l.wan, '-6', 'addr', 'add', `${v.wan}/64`, 'dev', 'eth0');
        await ip(l, l.wan, '-6', 'route', 'add', v.lanCidr, 'via', v.routerWan);
      }
      // the router's IPv6 filter: miniupnpd's pinhole chain first, then the line's mode (LINE6)
      await ok(l, r, 'ip6tables-legacy-restore', [], [
        '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':MINIUPNPD - [0:0]', ':LINE6 - [0:0]',
        '-A FORWARD -i wan0 ! -o wan0 -j MINIUPNPD',
        '-A FORWARD -i wan0 -j LINE6',
        ...firewallRules(ipv6Firewall, v.nas, pinholePort).map((rule) => rule.join(' ')),
        'COMMIT', '',
      ].join('\n'));
      if (line === 'map-e') await mapERouter(l, ranges);
      for (const host of [l.router, l.scanner, l.nas, l.other, l.wan, ...Object.values(l.extra)]) await settled(l, host);
    },
  })) as LineLab | undefined;
  if (!lab || !addrs) return undefined;
  const v = addrs;
  lab.line = line;
  lab.v6 = { lanCidr: v.lanCidr, router: v.router, scanner: v.scanner, nas: v.nas, other: v.other, wan: v.wan, routerWan: v.routerWan };
  lab.ipv6Firewall = ipv6Firewall;
  if (line === 'ds-lite') lab.aftr = lab.extra.aftr;
  if (line === 'map-e') lab.mapE = { set, ranges, sharedAddress: lab.router.wanAddress, otherSubscriberPort: OTHER_SUBSCRIBER_PORT };
  lab.setIpv6Firewall = async (mode) => {
    await ip6tables(lab, lab.router, '-F', 'LINE6');
    for (const rule of firewallRules(mode, v.nas, pinholePort)) await ip6tables(lab, lab.router, ...rule);
    lab.ipv6Firewall = mode;
  };
  lab.portSetCounters = async () => {
    if (line !== 'map-e') throw new Error('lines: port-set counters exist on the map-e line only');
    return readCounters(lab);
  };
  lab.resetPortSetCounters = async () => {
    await iptables(lab, lab.wan, '-Z', 'PSET');
  };
  if (line === 'map-e') await wanCounters(lab, ranges);
  return lab;
}

/** The MAP-E router's IPv4: SNAT into the port set, one rule per block in turn; another subscriber's DNAT. */
async function mapERouter(l: Lab, ranges: PortRange[]): Promise<void> {
  const r = l.router;
  const shared = r.wanAddress;
  const other = `${l.other.address}:${OTHER_SUBSCRIBER_PORT}`;
  const nat: string[] = [];
  for (const proto of ['tcp', 'udp']) {
    ranges.forEach((range, i) => {
      // "--every n-i --packet 0" over the connections the previous rules left: each block takes its turn
      const turn = i < ranges.length - 1 ? `-m statistic --mode nth --every ${ranges.length - i} --packet 0 ` : '';
      nat.push(`-A POSTROUTING -o wan0 -p ${proto} ${turn}-j SNAT --to-source ${shared}:${range.from}-${range.to}`);
    });
  }
  // lab.ts's MASQUERADE would pick any port: the port set replaces it (one restore: ~60 rules in one process)
  await ok(l, r, binaries.iptablesLegacyRestore, ['--noflush'], [
    '*nat',
    '-D POSTROUTING -o wan0 -j MASQUERADE',
    ...nat,
    `-A POSTROUTING -o wan0 -j SNAT --to-source ${shared}`,
    // another subscriber's port forward on the same shared address, outside this home's set
    `-A PREROUTING -i wan0 -p tcp --dport ${OTHER_SUBSCRIBER_PORT} -j DNAT --to-destination ${other}`,
    'COMMIT',
    '*filter',
    `-I FORWARD -i wan0 -p tcp -d ${l.other.address} --dport ${OTHER_SUBSCRIBER_PORT} -j ACCEPT`,
    'COMMIT',
    '',
  ].join('\n'));
}

/** Counters in the wan host: every TCP/UDP packet it sends to the shared address, inside the set (RETURN rules) or not. */
async function wanCounters(lab: LineLab, ranges: PortRange[]): Promise<void> {
  const shared = lab.mapE!.sharedAddress;
  const rules = ['*filter', ':PSET - [0:0]', `-A OUTPUT -d ${shared} -j PSET`];
  for (const proto of ['tcp', 'udp']) {
    for (const range of ranges) rules.push(`-A PSET -p ${proto} --dport ${range.from}:${range.to} -m comment --comment inside -j RETURN`);
  }
  for (const proto of ['tcp', 'udp']) rules.push(`-A PSET -p ${proto} -m comment --comment outside -j RETURN`);
  await ok(lab, lab.wan, binaries.iptablesLegacyRestore, ['--noflush'], [...rules, 'COMMIT', ''].join('\n'));
}

async function readCounters(lab: LineLab): Promise<{ inside: number; outside: number }> {
  const out = await iptables(lab, lab.wan, '-L', 'PSET', '-n', '-v', '-x');
  const counts = { inside: 0, outside: 0 };
  for (const row of out.split('\n')) {
    const m = /^\s*(\d+)\s+\d+\s+RETURN\b.*\/\* (inside|outside) \*\//.exec(row);
    if (m) counts[m[2] as 'inside' | 'outside'] += Number(m[1]);
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------------------------
// Small probes the line tests run inside lab namespaces: one TCP connect, and a listener that logs its peers.

const CONNECT_SCRIPT = `
const net = require('node:net');
const s = net.connect({ host: process.argv[1], port: Number(process.argv[2]) });
const done = (what) => { process.stdout.write(what); s.destroy(); process.exit(0); };
s.setTimeout(Number(process.argv[3]), () => done('timeout'));
s.on('connect', () => done('open'));
s.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : String(e.code)));
`;

/** One TCP connect from inside a namespace: 'open', 'refused', 'timeout' (dropped) or the error code. */
export async function connect(lab: Lab, from: LabHost, host: string, port: number, timeoutMs = 400): Promise<string> {
  const r = await lab.exec(from, process.execPath, ['-e', CONNECT_SCRIPT, host, String(port), String(timeoutMs)], { timeoutMs: timeoutMs + 10_000 });
  return r.stdout.trim();
}

const LISTEN_SCRIPT = `
const net = require('node:net');
const server = net.createServer((s) => { process.stdout.write(JSON.stringify({ address: s.remoteAddress, port: s.remotePort }) + '\\n'); s.end(); });
server.listen(Number(process.argv[1]), () => process.stdout.write('ready\\n'));
`;

export interface Peer {
  address: string;
  port: number;
}

/**
 * A TCP listener on `port` in `host`'s namespace while `during` runs; resolves with the peers it saw (as the
 * listener's kernel saw them: after every NAT on the way), once `expect` connections arrived or 10 s passed.
 */
export async function listenAndLog(lab: Lab, host: LabHost, port: number, during: () => Promise<void>, expect: number): Promise<Peer[]> {
  const child = lab.spawn(host, process.execPath, ['-e', LISTEN_SCRIPT, String(port)]);
  const peers: Peer[] = [];
  let buffered = '';
  let ready: () => void = () => undefined;
  let enough: () => void = () => undefined;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const isEnough = new Promise<void>((resolve) => (enough = resolve));
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line === 'ready') ready();
      else if (line !== '') peers.push(JSON.parse(line) as Peer);
      if (peers.length >= expect) enough();
    }
  });
  const bound = (what: Promise<void>, ms: number, label: string): Promise<void> =>
    Promise.race([what, new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`listener in ${host.ns}: ${label} within ${ms} ms`)), ms).unref())]);
  try {
    await bound(isReady, 10_000, 'not listening');
    await during();
    await bound(isEnough, 10_000, `fewer than ${expect} connections (${peers.length})`);
  } finally {
    child.kill('SIGTERM');
  }
  return peers;
}
