/**
 * test/lab/lab.ts — a closed home network in Linux network namespaces, with the real miniupnpd 2.3.1 as router.
 *
 * Topology (one lab; every name carries a per-run id `es<pid36><n36>`, e.g. `es1k3f0`):
 *
 *   <id>-s  scanner  eth0 10.A.B.10/24 ─┐
 *   <id>-n  nas      eth0 10.A.B.20/24 ─┼─ br0 10.A.B.1/24 (mcast_snooping 0) ┐
 *   <id>-o  other    eth0 10.A.B.30/24 ─┘   (ports lan1..lan3)                 ├─ <id>-r router: miniupnpd, MASQUERADE on wan0
 *   <id>-w  wan      eth0 11.A.B.2/24  ──────────────── wan0 11.A.B.1/24 ─────┘
 *
 * (reservedWan: 100.64.B.1/24 and 100.64.B.2/24 instead of 11.A.B.x — CGNAT, the double-NAT case.)
 * IPv6 is disabled in every lab namespace unless `ipv6: true` (then test/lab/lines.ts adds the addresses). LAN hosts route by default via 10.A.B.1; the wan host has no default route (it is "the internet": it can
 * only reach the router's WAN address). veth pairs are created directly inside the namespaces
 * (`ip -n R link add X type veth peer name Y netns N`), so nothing is ever created in, or attached to,
 * the host's own network namespace: the lab is a closed box.
 *
 * Router firewall (iptables-legacy, which is what miniupnpd-iptables drives): nat MINIUPNPD (from PREROUTING
 * -i wan0), nat MINIUPNPD-POSTROUTING (from POSTROUTING -o wan0), nat MASQUERADE -o wan0, mangle MINIUPNPD,
 * filter MINIUPNPD (from FORWARD -i wan0 ! -o wan0), then FORWARD from WAN: ESTABLISHED,RELATED accepted,
 * everything else dropped. So only what miniupnpd maps is reachable from the wan host.
 *
 * miniupnpd: `miniupnpd -d -f <conf> -P <pidfile>` in <id>-r, stdout+stderr → router.logFile. Fixed HTTP
 * port (router.upnpPort, 5000), rootDesc at `http://10.A.B.1:5000/rootDesc.xml` (router.rootDescUrl),
 * NAT-PMP/PCP on 10.A.B.1:5351, SSDP on 10.A.B.1:1900 + 239.255.255.250 on br0. secure_mode=no,
 * random uuid, `allow 1-65535 10.A.B.0/24 1-65535`, `deny 0-65535 0.0.0.0/0 0-65535`.
 * startLab() resolves only once the log says "HTTP listening" (after the lease file has been loaded).
 *
 * Exported API
 *   interface LeaseMapping { protocol: 'TCP'|'UDP'; externalPort; internalClient; internalPort; description;
 *                            expiresAt?: number }   // internalClient: IPv4 or '@scanner'|'@nas'|'@other';
 *                                                   // expiresAt: unix seconds, 0/absent = permanent
 *   interface LabOptions   { mappings?; igdV1?; reservedWan?; natPmp? (default true); net?: {a,b}; uuid?;
 *                            extraConfig?: string[]; startTimeoutMs?;
 *                            ipv6?: boolean        // keep IPv6 on, quietly (no DAD, RA, SLAAC, RS); addresses: lines.ts
 *                            extraHosts?: string[] // more namespaces `<id>-<name>` (lab.extra[name]), torn down alike
 *                            beforeRouter?(lab)    // rewire after the base topology, before miniupnpd starts }
 *   interface LabHost      { ns; address; iface }
 *   interface Lab          { id; namespaces; tmpDir; router; wan; scanner; nas; other; lan: {prefix, cidr};
 *                            exec(host|ns, cmd, args, {timeoutMs?, input?, env?}) → {code, stdout, stderr, timedOut};
 *                            spawn(host|ns, cmd, args, {env?}) → ChildProcess (killed on down());
 *                            restartRouter(Partial<LabOptions>?); resolveClient('@nas'|…); down() (idempotent) }
 *   labPrerequisites(): {ok:true} | {ok:false, reason}
 *   startLab(opts?): Promise<Lab>
 *   withLab(t, opts?): Promise<Lab|undefined>   // tap: teardown registered; missing prerequisites → skip
 *                                                // (t.plan(0, reason)), or t.fail(reason) when env CI is set
 *   leaseLine(m): string                        // one lease-file line, validated (see below)
 *   generateMappings(n, internalClient, opts?): LeaseMapping[]
 *   httpGet(lab, host, url, {method?, headers?, body?, timeoutMs?}) → {status, headers, body: Buffer}
 *                                                // a node one-liner run inside the namespace (no curl needed)
 *   msearch(lab, host, {st, target?, port?, mx?, waitMs?}) → SsdpReply[]   // M-SEARCH from inside a namespace
 *   soapRequest(action, serviceType, args) → {headers, body}               // to build SOAP calls for httpGet
 *   binaries: resolved absolute paths of ip, miniupnpd, iptables-legacy(-restore), upnpc
 *
 * exec()/spawn() refuse any namespace that is not one of this lab's: nothing can run in the host's namespace.
 *
 * Seeding mappings through the lease file (miniupnpd 2.3.1, upnpredirect.c reload_from_lease_file):
 *   line = `PROTO:EXTPORT:INTCLIENT:INTPORT:EXPIRY:DESCRIPTION`, read with fgets(line, 128): a line longer than
 *   126 characters (+ '\n') is split and the rest is parsed as a bogus line, so leaseLine() refuses it.
 *   The description is everything after the 5th ':' — ':' '<' '>' '&' and `]]>` inside it are kept verbatim.
 *   Leading/trailing whitespace of the description is trimmed by miniupnpd. EXPIRY is a unix time; one in the
 *   past makes miniupnpd skip the line ("already expired lease in lease file"). A client outside the LAN /24
 *   is refused by the deny rule (mapping silently absent). SOAP answers truncate descriptions to 64 bytes
 *   (and GetGenericPortMappingEntry then over-reads its stack buffer: see test/fixtures/miniupnpd-2.3.1/README.md).
 *   With reservedWan the lease file is still loaded (before miniupnpd's reserved-address check): those mappings
 *   are listed, while new AddPortMapping calls fail with 501.
 *   Loading costs ~10 ms per mapping (iptables rules), so 1,000 mappings take ~10 s before "HTTP listening".
 */
import { spawn as cpSpawn, execFileSync, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants as fsConstants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { test as tapTestFn } from 'tap';

// ---------------------------------------------------------------------------------------------------------------
// Types

export interface LeaseMapping {
  protocol: 'TCP' | 'UDP';
  externalPort: number;
  /** dotted IPv4, or '@scanner' | '@nas' | '@other' | '@router' for that lab host's LAN address */
  internalClient: string;
  internalPort: number;
  description: string;
  /** unix seconds; 0 or absent = permanent */
  expiresAt?: number;
}

export interface LabOptions {
  /** seeded through miniupnpd's lease_file before start */
  mappings?: LeaseMapping[];
  /** force_igd_desc_v1=yes */
  igdV1?: boolean;
  /** router WAN gets 100.64.B.1/24 (CGNAT): miniupnpd reports port forwarding impossible */
  reservedWan?: boolean;
  /** enable_natpmp (NAT-PMP and PCP); default true */
  natPmp?: boolean;
  /** second and third octet of the LAN (10.a.b.0/24) and WAN (11.a.b.0/24); default derived from pid+counter */
  net?: { a: number; b: number };
  /** miniupnpd uuid (default: random per start) */
  uuid?: string;
  /** extra miniupnpd.conf lines appended verbatim (e.g. 'secure_mode=yes') */
  extraConfig?: string[];
  /** bound on the wait for "HTTP listening"; default 20 s + 30 ms per mapping */
  startTimeoutMs?: number;
  /**
   * Keep IPv6 on in every namespace, without duplicate address detection, router advertisements, SLAAC or router
   * solicitations, so nothing depends on timing: test/lab/lines.ts gives the static addresses and routes.
   */
  ipv6?: boolean;
  /** more namespaces, `<id>-<name>`, reachable as lab.extra[name] (no links: beforeRouter wires them) */
  extraHosts?: string[];
  /** runs once after the base topology is built and before miniupnpd first starts (lines.ts rewires the WAN here) */
  beforeRouter?: (lab: Lab) => Promise<void>;
}

export interface LabHost {
  ns: string;
  address: string;
  iface: string;
}

export interface RouterHost extends LabHost {
  wanAddress: string;
  wanIface: string;
  lanIface: string;
  upnpPort: number;
  rootDescUrl: string;
  leaseFile: string;
  logFile: string;
  confFile: string;
  /** pid of the running miniupnpd (changes on restartRouter) */
  pid: number;
}

export interface ExecOptions {
  timeoutMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Lab {
  id: string;
  /** every namespace this lab created */
  namespaces: string[];
  tmpDir: string;
  router: RouterHost;
  /** the "internet" host on the router's WAN /24 */
  wan: LabHost;
  scanner: LabHost;
  nas: LabHost;
  other: LabHost;
  /** the namespaces asked for with extraHosts, by name (address and iface empty until beforeRouter sets them) */
  extra: Record<string, LabHost>;
  lan: { prefix: string; cidr: string };
  options: Readonly<LabOptions>;
  exec(host: LabHost | string, cmd: string, args: string[], opts?: ExecOptions): Promise<ExecResult>;
  spawn(host: LabHost | string, cmd: string, args: string[], opts?: { env?: NodeJS.ProcessEnv }): ChildProcess;
  /** stop miniupnpd, flush its chains, rewrite config (+ lease file when opts.mappings is given), start again */
  restartRouter(opts?: Partial<LabOptions>): Promise<void>;
  /** "@scanner" / "@nas" / "@other" / "@router" → LAN address; anything else unchanged */
  resolveClient(client: string): string;
  /** idempotent; kills spawned processes and miniupnpd, deletes the namespaces and the temp dir */
  down(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Binaries and prerequisites

const SEARCH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter((d) => d !== ''), ...SEARCH_DIRS];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, fsConstants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

export const binaries = {
  get ip(): string { return findBinary('ip') ?? 'ip'; },
  get miniupnpd(): string { return findBinary('miniupnpd') ?? 'miniupnpd'; },
  get iptablesLegacy(): string { return findBinary('iptables-legacy') ?? 'iptables-legacy'; },
  get iptablesLegacyRestore(): string { return findBinary('iptables-legacy-restore') ?? 'iptables-legacy-restore'; },
  get upnpc(): string { return findBinary('upnpc') ?? 'upnpc'; },
};

export function labPrerequisites(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `lab needs Linux network namespaces (platform ${process.platform})` };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { ok: false, reason: 'lab needs root (network namespaces, iptables)' };
  const missing: string[] = [];
  for (const [bin, pkg] of [
    ['ip', 'iproute2'],
    ['miniupnpd', 'miniupnpd-iptables'],
    ['iptables-legacy', 'iptables'],
    ['iptables-legacy-restore', 'iptables'],
    ['upnpc', 'miniupnpc'],
    // the NAS of the IPv6 line announces itself by mDNS with the real avahi-daemon (test/lab/avahi.ts), run in a
    // mount namespace of its own (unshare) so parallel labs never share its pid file or services folder
    ['avahi-daemon', 'avahi-daemon'],
    ['unshare', 'util-linux'],
    // the scan's echo to ff02::1 before it reads the neighbour table (probes/ipv6-lan/warm.ts) runs the real ping
    ['ping', 'iputils-ping'],
  ] as const) {
    if (findBinary(bin) === undefined) missing.push(`${bin} (Debian package ${pkg})`);
  }
  if (missing.length > 0) return { ok: false, reason: `lab tools missing: ${missing.join(', ')}` };
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Process helpers

function run(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = cpSpawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

async function must(cmd: string, args: string[], opts: ExecOptions = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`lab: \`${cmd} ${args.join(' ')}\` failed (code ${String(r.code)}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess, graceMs = 1500): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  if (await waitExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitExit(child, 2000);
}

// ---------------------------------------------------------------------------------------------------------------
// Lease file

const LEASE_LINE_MAX = 126; // miniupnpd reads lines with fgets(line, 128): 126 chars + '\n' + NUL

/** One lease-file line for miniupnpd 2.3.1; throws when miniupnpd would misread it. */
export function leaseLine(m: LeaseMapping): string {
  const proto: string = m.protocol; // callers may pass untyped data
  if (proto !== 'TCP' && proto !== 'UDP') throw new Error(`lab: bad protocol ${proto}`);
  for (const [k, v] of [['externalPort', m.externalPort], ['internalPort', m.internalPort]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw new Error(`lab: bad ${k} ${v}`);
  }
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(m.internalClient)) throw new Error(`lab: bad internalClient ${m.internalClient}`);
  if (/[\r\n\0]/.test(m.description)) throw new Error('lab: a description cannot contain CR, LF or NUL in the lease file');
  const line = `${m.protocol}:${m.externalPort}:${m.internalClient}:${m.internalPort}:${m.expiresAt ?? 0}:${m.description}`;
  const len = Buffer.byteLength(line);
  if (len > LEASE_LINE_MAX) {
    throw new Error(`lab: lease line is ${len} bytes, miniupnpd 2.3.1 reads at most ${LEASE_LINE_MAX} (+LF): ${line}`);
  }
  return line;
}

/** n distinct TCP/UDP mappings to one client (external ports from `firstPort`, alternating TCP/UDP when `mixed`). */
export function generateMappings(
  n: number,
  internalClient: string,
  opts: { firstPort?: number; mixed?: boolean; description?: (i: number) => string } = {},
): LeaseMapping[] {
  const first = opts.firstPort ?? 20000;
  if (first + n - 1 > 65535) throw new Error('lab: too many mappings for the port range');
  const out: LeaseMapping[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      protocol: opts.mixed === true && i % 2 === 1 ? 'UDP' : 'TCP',
      externalPort: first + i,
      internalClient,
      internalPort: 1024 + (i % 60000),
      description: opts.description ? opts.description(i) : `seed-${i}`,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Global registry: best-effort teardown on exit / SIGINT / SIGTERM

interface SyncTeardown {
  syncTeardown(): void;
}

const activeLabs = new Set<SyncTeardown>();
let handlersInstalled = false;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const all = (): void => {
    for (const lab of [...activeLabs]) {
      try {
        lab.syncTeardown();
      } catch {
        // best effort
      }
    }
  };
  process.on('exit', all);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      all();
      process.removeListener(sig, handler);
      process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The lab

let labCounter = 0;
const UPNP_PORT = 5000;

class LabImpl implements Lab, SyncTeardown {
  readonly id: string;
  readonly namespaces: string[];
  readonly tmpDir: string;
  readonly router: RouterHost;
  readonly wan: LabHost;
  readonly scanner: LabHost;
  readonly nas: LabHost;
  readonly other: LabHost;
  readonly extra: Record<string, LabHost> = {};
  readonly lan: { prefix: string; cidr: string };
  options: LabOptions;
  private readonly net: { a: number; b: number };
  private readonly children = new Set<ChildProcess>();
  private daemon: ChildProcess | undefined;
  private isDown = false;
  private readonly pidFile: string;

  constructor(opts: LabOptions) {
    const n = labCounter++;
    this.id = `es${process.pid.toString(36)}${n.toString(36)}`;
    this.net = opts.net ?? { a: 1 + (process.pid % 200), b: 1 + (n % 250) };
    const { a, b } = this.net;
    if (![a, b].every((x) => Number.isInteger(x) && x >= 0 && x <= 255)) throw new Error('lab: net octets must be 0..255');
    this.options = { ...opts };
    this.tmpDir = mkdtempSync(join(tmpdir(), `exposure-lab-${this.id}-`));
    const ns = (s: string): string => `${this.id}-${s}`;
    const lanPrefix = `10.${a}.${b}`;
    this.lan = { prefix: lanPrefix, cidr: `${lanPrefix}.0/24` };
    const wanAddrs = this.wanAddresses(opts.reservedWan === true);
    this.router = {
      ns: ns('r'),
      address: `${lanPrefix}.1`,
      iface: 'br0',
      lanIface: 'br0',
      wanIface: 'wan0',
      wanAddress: wanAddrs.router,
      upnpPort: UPNP_PORT,
      rootDescUrl: `http://${lanPrefix}.1:${UPNP_PORT}/rootDesc.xml`,
      leaseFile: join(this.tmpDir, 'miniupnpd.leases'),
      logFile: join(this.tmpDir, 'miniupnpd.log'),
      confFile: join(this.tmpDir, 'miniupnpd.conf'),
      pid: 0,
    };
    this.pidFile = join(this.tmpDir, 'miniupnpd.pid');
    this.wan = { ns: ns('w'), address: wanAddrs.peer, iface: 'eth0' };
    this.scanner = { ns: ns('s'), address: `${lanPrefix}.10`, iface: 'eth0' };
    this.nas = { ns: ns('n'), address: `${lanPrefix}.20`, iface: 'eth0' };
    this.other = { ns: ns('o'), address: `${lanPrefix}.30`, iface: 'eth0' };
    this.namespaces = [this.router.ns, this.wan.ns, this.scanner.ns, this.nas.ns, this.other.ns];
    for (const name of opts.extraHosts ?? []) {
      if (!/^[a-z][a-z0-9]{0,7}$/.test(name) || ['r', 'w', 's', 'n', 'o'].includes(name) || this.extra[name] !== undefined) {
        throw new Error(`lab: bad extra host name ${name}`);
      }
      this.extra[name] = { ns: ns(name), address: '', iface: '' };
      this.namespaces.push(ns(name));
    }
  }

  private wanAddresses(reserved: boolean): { router: string; peer: string } {
    const { a, b } = this.net;
    return reserved ? { router: `100.64.${b}.1`, peer: `100.64.${b}.2` } : { router: `11.${a}.${b}.1`, peer: `11.${a}.${b}.2` };
  }

  private nsOf(host: LabHost | string): string {
    const ns = typeof host === 'string' ? host : host.ns;
    if (!this.namespaces.includes(ns)) throw new Error(`lab: ${ns} is not a namespace of lab ${this.id}`);
    if (this.isDown) throw new Error(`lab ${this.id} is down`);
    return ns;
  }

  async exec(host: LabHost | string, cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const ns = this.nsOf(host);
    return await run(binaries.ip, ['netns', 'exec', ns, cmd, ...args], opts);
  }

  spawn(host: LabHost | string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    const ns = this.nsOf(host);
    const child = cpSpawn(binaries.ip, ['netns', 'exec', ns, cmd, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    child.on('error', () => this.children.delete(child));
    return child;
  }

  private ipn(ns: string, ...args: string[]): Promise<string> {
    return must(binaries.ip, ['-n', ns, ...args]);
  }

  async build(): Promise<void> {
    const r = this.router.ns;
    for (const ns of this.namespaces) {
      await must(binaries.ip, ['netns', 'add', ns]);
      await this.ipn(ns, 'link', 'set', 'lo', 'up');
      if (this.options.ipv6 === true) {
        // IPv6 on, but as quiet and deterministic as without it: set before any interface exists, so every one
        // inherits no DAD (addresses usable at once), no RA/SLAAC (only the static addresses) and no solicitations
        const quiet = ['accept_dad=0', 'accept_ra=0', 'autoconf=0', 'router_solicitations=0', 'dad_transmits=0'];
        await must(binaries.ip, ['netns', 'exec', ns, 'sysctl', '-qw', ...quiet.flatMap((q) => [`net.ipv6.conf.all.${q}`, `net.ipv6.conf.default.${q}`])]);
      } else {
        // keep the box quiet and deterministic: no IPv6 (no DAD, no router solicitations)
        await must(binaries.ip, ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      }
    }
    // WAN link
    await this.ipn(r, 'link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.wan.ns);
    await this.ipn(r, 'addr', 'add', `${this.router.wanAddress}/24`, 'dev', 'wan0');
    await this.ipn(this.wan.ns, 'addr', 'add', `${this.wan.address}/24`, 'dev', 'eth0');
    await this.ipn(r, 'link', 'set', 'wan0', 'up');
    await this.ipn(this.wan.ns, 'link', 'set', 'eth0', 'up');
    // LAN bridge
    await this.ipn(r, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
    await this.ipn(r, 'addr', 'add', `${this.router.address}/24`, 'dev', 'br0');
    await this.ipn(r, 'link', 'set', 'br0', 'up');
    let port = 1;
    for (const h of [this.scanner, this.nas, this.other]) {
      const p = `lan${port++}`;
      await this.ipn(r, 'link', 'add', p, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns);
      await this.ipn(r, 'link', 'set', p, 'master', 'br0');
      await this.ipn(r, 'link', 'set', p, 'up');
      await this.ipn(h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0');
      await this.ipn(h.ns, 'link', 'set', 'eth0', 'up');
      await this.ipn(h.ns, 'route', 'add', 'default', 'via', this.router.address);
    }
    await must(binaries.ip, ['netns', 'exec', r, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await must(binaries.ip, ['netns', 'exec', r, binaries.iptablesLegacyRestore], { input: this.iptablesRules() });
  }

  private iptablesRules(): string {
    return [
      '*nat',
      ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
      ':MINIUPNPD - [0:0]', ':MINIUPNPD-POSTROUTING - [0:0]',
      '-A PREROUTING -i wan0 -j MINIUPNPD',
      '-A POSTROUTING -o wan0 -j MINIUPNPD-POSTROUTING',
      '-A POSTROUTING -o wan0 -j MASQUERADE',
      'COMMIT',
      '*mangle',
      ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
      ':MINIUPNPD - [0:0]',
      '-A PREROUTING -i wan0 -j MINIUPNPD',
      'COMMIT',
      '*filter',
      ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
      ':MINIUPNPD - [0:0]',
      '-A FORWARD -i wan0 ! -o wan0 -j MINIUPNPD',
      '-A FORWARD -i wan0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD -i wan0 -j DROP',
      'COMMIT',
      '',
    ].join('\n');
  }

  private config(): string {
    const o = this.options;
    const lines = [
      `ext_ifname=${this.router.wanIface}`,
      `listening_ip=${this.router.lanIface}`,
      `port=${this.router.upnpPort}`,
      'enable_upnp=yes',
      `enable_natpmp=${o.natPmp === false ? 'no' : 'yes'}`,
      'secure_mode=no',
      'system_uptime=no',
      `lease_file=${this.router.leaseFile}`,
      `uuid=${o.uuid ?? randomUUID()}`,
    ];
    if (o.igdV1 === true) lines.push('force_igd_desc_v1=yes');
    lines.push(...(o.extraConfig ?? []));
    lines.push(`allow 1-65535 ${this.lan.cidr} 1-65535`, 'deny 0-65535 0.0.0.0/0 0-65535', '');
    return lines.join('\n');
  }

  /** '@scanner' | '@nas' | '@other' | '@router' → that host's LAN address; anything else unchanged */
  resolveClient(client: string): string {
    const roles: Record<string, LabHost> = { '@scanner': this.scanner, '@nas': this.nas, '@other': this.other, '@router': this.router };
    return roles[client]?.address ?? client;
  }

  private writeLeaseFile(mappings: LeaseMapping[]): void {
    const seen = new Set<string>();
    const lines = mappings.map((m) => {
      const key = `${m.protocol}:${m.externalPort}`;
      if (seen.has(key)) throw new Error(`lab: duplicate mapping ${key}`);
      seen.add(key);
      return leaseLine({ ...m, internalClient: this.resolveClient(m.internalClient) });
    });
    writeFileSync(this.router.leaseFile, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  }

  async startDaemon(): Promise<void> {
    writeFileSync(this.router.confFile, this.config());
    rmSync(this.pidFile, { force: true });
    const logFd = openSync(this.router.logFile, 'a');
    const startOffset = readFileSync(this.router.logFile).length;
    let child: ChildProcess;
    try {
      child = cpSpawn(binaries.ip, ['netns', 'exec', this.router.ns, binaries.miniupnpd, '-d', '-f', this.router.confFile, '-P', this.pidFile], {
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    this.daemon = child;
    if (child.pid === undefined) throw new Error('lab: could not spawn miniupnpd');
    this.router.pid = child.pid; // `ip netns exec` execs miniupnpd: same pid
    const n = this.options.mappings?.length ?? 0;
    const timeoutMs = this.options.startTimeoutMs ?? 20_000 + 30 * n;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const log = readFileSync(this.router.logFile).subarray(startOffset).toString('utf8');
      if (/HTTP listening on port \d+/.test(log)) break;
      const exited = child.exitCode !== null || child.signalCode !== null;
      if (exited || Date.now() > deadline) {
        const tail = log.split('\n').slice(-25).join('\n');
        await stopChild(child);
        throw new Error(
          `lab: miniupnpd ${exited ? `exited (code ${String(child.exitCode)}, signal ${String(child.signalCode)})` : `did not say "HTTP listening" within ${timeoutMs} ms`}; log tail:\n${tail}`,
        );
      }
      await sleep(n > 100 ? 100 : 20);
    }
  }

  private async stopDaemon(): Promise<void> {
    const d = this.daemon;
    this.daemon = undefined;
    if (d) await stopChild(d, 3000);
  }

  async restartRouter(opts: Partial<LabOptions> = {}): Promise<void> {
    if (this.isDown) throw new Error(`lab ${this.id} is down`);
    await this.stopDaemon();
    const wasReserved = this.options.reservedWan === true;
    this.options = { ...this.options, ...opts };
    const r = this.router.ns;
    for (const [table, chain] of [['nat', 'MINIUPNPD'], ['nat', 'MINIUPNPD-POSTROUTING'], ['filter', 'MINIUPNPD'], ['mangle', 'MINIUPNPD']] as const) {
      await must(binaries.ip, ['netns', 'exec', r, binaries.iptablesLegacy, '-t', table, '-F', chain]);
    }
    if ((this.options.reservedWan === true) !== wasReserved) {
      const w = this.wanAddresses(this.options.reservedWan === true);
      await this.ipn(r, 'addr', 'flush', 'dev', 'wan0');
      await this.ipn(r, 'addr', 'add', `${w.router}/24`, 'dev', 'wan0');
      await this.ipn(this.wan.ns, 'addr', 'flush', 'dev', 'eth0');
      await this.ipn(this.wan.ns, 'addr', 'add', `${w.peer}/24`, 'dev', 'eth0');
      this.router.wanAddress = w.router;
      this.wan.address = w.peer;
    }
    if (opts.mappings !== undefined) this.writeLeaseFile(opts.mappings);
    await this.startDaemon();
  }

  async up(): Promise<void> {
    activeLabs.add(this);
    installExitHandlers();
    this.writeLeaseFile(this.options.mappings ?? []);
    await this.build();
    if (this.options.beforeRouter) await this.options.beforeRouter(this);
    await this.startDaemon();
  }

  async down(): Promise<void> {
    if (this.isDown) return;
    this.isDown = true;
    const errors: string[] = [];
    await Promise.all([...this.children].map((c) => stopChild(c)));
    await this.stopDaemon();
    for (const ns of this.namespaces) {
      // anything still running inside one of our namespaces was started through this lab: kill it by pid
      const pids = await run(binaries.ip, ['netns', 'pids', ns]).catch(() => undefined);
      for (const p of (pids?.stdout ?? '').split(/\s+/).filter((s) => /^\d+$/.test(s))) {
        try {
          process.kill(Number(p), 'SIGKILL');
        } catch {
          // gone
        }
      }
      const r = await run(binaries.ip, ['netns', 'del', ns]);
      if (r.code !== 0 && !/No such file/.test(r.stderr)) errors.push(`ip netns del ${ns}: ${r.stderr.trim()}`);
    }
    if (process.env.LAB_KEEP_TMP === undefined) rmSync(this.tmpDir, { recursive: true, force: true });
    activeLabs.delete(this);
    if (errors.length > 0) throw new Error(`lab ${this.id} teardown: ${errors.join('; ')}`);
  }

  /** synchronous last-resort teardown (process exit / signal) */
  syncTeardown(): void {
    if (this.isDown) return;
    this.isDown = true;
    for (const c of this.children) {
      if (c.pid !== undefined && c.exitCode === null) {
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    if (this.router.pid > 0 && alive(this.router.pid)) {
      try {
        process.kill(this.router.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const ns of this.namespaces) {
      try {
        execFileSync(binaries.ip, ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // best effort
      }
    }
    if (process.env.LAB_KEEP_TMP === undefined) rmSync(this.tmpDir, { recursive: true, force: true });
    activeLabs.delete(this);
  }
}

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const pre = labPrerequisites();
  if (!pre.ok) throw new Error(`lab unavailable: ${pre.reason}`);
  const lab = new LabImpl(opts);
  try {
    await lab.up();
  } catch (e) {
    await lab.down().catch(() => undefined);
    throw e;
  }
  return lab;
}

// ---------------------------------------------------------------------------------------------------------------
// tap integration

/** the type of `t` inside a tap test callback */
export type TapTest = Parameters<Parameters<typeof tapTestFn>[0]>[0];

/**
 * Bring a lab up for a tap test and register its teardown. Call it before any assertion in that test.
 * Missing prerequisites: the test is skipped with the reason (t.plan(0, reason)) — except when env CI is set,
 * where a lab that cannot run is a failure (t.fail). Returns undefined in both cases; the caller returns.
 */
export async function withLab(t: TapTest, opts: LabOptions = {}): Promise<Lab | undefined> {
  const pre = labPrerequisites();
  if (!pre.ok) {
    if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false' && process.env.CI !== '0') {
      t.fail(`lab prerequisites missing in CI: ${pre.reason}`);
    } else {
      t.plan(0, `lab skipped: ${pre.reason}`);
    }
    return undefined;
  }
  const lab = await startLab(opts);
  t.teardown(() => lab.down());
  return lab;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers that run small node programs inside a lab namespace (no curl / python needed)

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const HTTP_SCRIPT = `
const http = require('node:http');
const [url, method, hdrs, body] = [process.argv[1], process.argv[2], JSON.parse(process.argv[3]), process.argv[4]];
const req = http.request(url, { method, headers: hdrs, agent: false }, (res) => {
  const chunks = [];
  res.on('data', (c) => chunks.push(c));
  res.on('end', () => process.stdout.write(JSON.stringify({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('base64') })));
});
req.on('error', (e) => { process.stderr.write(String(e)); process.exit(2); });
req.end(body === '' ? undefined : body);
`;

export async function httpGet(
  lab: Lab,
  host: LabHost | string,
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const r = await lab.exec(host, process.execPath, ['-e', HTTP_SCRIPT, url, opts.method ?? 'GET', JSON.stringify(opts.headers ?? {}), opts.body ?? ''], {
    timeoutMs: opts.timeoutMs ?? 10_000,
  });
  if (r.code !== 0) throw new Error(`lab httpGet ${url} failed (code ${String(r.code)}): ${r.stderr.trim()}`);
  const parsed = JSON.parse(r.stdout) as { status: number; headers: Record<string, string | string[]>; body: string };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return { status: parsed.status, headers, body: Buffer.from(parsed.body, 'base64') };
}

/** A SOAP request (headers + body) for httpGet(..., { method: 'POST', ...soapRequest(...) }). */
export function soapRequest(action: string, serviceType: string, args: Record<string, string | number> = {}): { headers: Record<string, string>; body: string } {
  const argXml = Object.entries(args)
    .map(([k, v]) => `<${k}>${String(v)}</${k}>`)
    .join('');
  return {
    headers: { 'Content-Type': 'text/xml; charset="utf-8"', SOAPAction: `"${serviceType}#${action}"` },
    body:
      '<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
      `<s:Body><u:${action} xmlns:u="${serviceType}">${argXml}</u:${action}></s:Body></s:Envelope>\r\n`,
  };
}

export interface SsdpReply {
  address: string;
  port: number;
  raw: Buffer;
  /** header names lower-cased */
  headers: Record<string, string>;
  statusLine: string;
}

const MSEARCH_SCRIPT = `
const dgram = require('node:dgram');
const [target, port, st, mx, waitMs] = [process.argv[1], Number(process.argv[2]), process.argv[3], process.argv[4], Number(process.argv[5])];
const s = dgram.createSocket('udp4');
const msg = 'M-SEARCH * HTTP/1.1\\r\\nHOST: 239.255.255.250:1900\\r\\nMAN: "ssdp:discover"\\r\\nMX: ' + mx + '\\r\\nST: ' + st + '\\r\\n\\r\\n';
s.on('message', (m, r) => process.stdout.write(JSON.stringify({ address: r.address, port: r.port, raw: m.toString('base64') }) + '\\n'));
s.bind(0, () => { s.send(msg, port, target); setTimeout(() => s.close(), waitMs); });
`;

/** Send one M-SEARCH from inside `host`'s namespace (multicast by default) and collect replies for waitMs. */
export async function msearch(
  lab: Lab,
  host: LabHost | string,
  opts: { st: string; target?: string; port?: number; mx?: number; waitMs?: number },
): Promise<SsdpReply[]> {
  const waitMs = opts.waitMs ?? 1500;
  const r = await lab.exec(
    host,
    process.execPath,
    ['-e', MSEARCH_SCRIPT, opts.target ?? '239.255.255.250', String(opts.port ?? 1900), opts.st, String(opts.mx ?? 1), String(waitMs)],
    { timeoutMs: waitMs + 10_000 },
  );
  if (r.code !== 0) throw new Error(`lab msearch failed (code ${String(r.code)}): ${r.stderr.trim()}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const j = JSON.parse(l) as { address: string; port: number; raw: string };
      const raw = Buffer.from(j.raw, 'base64');
      const lines = raw.toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      return { address: j.address, port: j.port, raw, headers, statusLine: lines[0] ?? '' };
    });
}
