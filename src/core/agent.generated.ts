/* Generated from schemas/agent-*.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * What a client may ask the vantage agent. There is deliberately no target: the agent only ever scans the address the request came from.
 */
export interface AgentScanRequest {
  /**
   * Port spec: qnap, common, top1000, all, single ports and ranges, comma separated. At most the agent's --max-ports ports (default 65535: all).
   */
  ports?: string;
  /**
   * nmap -sV, or banner grabbing with the connect engine.
   */
  serviceDetection?: boolean;
  /**
   * Also check SSDP (UDP 1900) and NAT-PMP (UDP 5351) on the caller's address.
   */
  udp?: boolean;
  /**
   * Where the caller's router serves its UPnP description on the LAN; the agent tries the same port and path from outside.
   */
  igd?: {
    port: number;
    path: string;
  };
  /**
   * How long the scan may take; the agent cuts a longer wish to its --max-duration.
   */
  timeoutSeconds?: number;
  /**
   * Also run the vendor packs' fingerprints (safe, unauthenticated reads of public pages and the TLS certificate) against the caller's open TCP ports.
   */
  fingerprint?: boolean;
  portSet?: PortSet;
  /**
   * Global IPv6 addresses of the caller's network to scan (the caller's own among them). Only over an IPv6 connection, and only addresses inside the caller's /64 (the /64 of the connection's peer address; the agent's operator may widen it to /56); any other address is refused, not scanned. udp and igd do not apply to them.
   *
   * @minItems 1
   * @maxItems 64
   */
  ipv6Targets?: [string, ...string[]];
}
/**
 * Sent when the caller's IPv4 address is shared (MAP-E): the agent scans only the asked ports inside this set, and refuses a set that does not hold every source port it has seen from the caller. A shared address is never scanned in full.
 */
export interface PortSet {
  /**
   * a: the offset bits (ports with A = 0 belong to nobody).
   */
  psidOffset: number;
  /**
   * k: the PSID's length in bits; a + k is at most 16.
   */
  psidLength: number;
  /**
   * The caller's PSID, below 2^k.
   */
  psid: number;
}

/**
 * What the vantage agent saw when it scanned the caller. Every string is untrusted: it came from the scanned services.
 */
export interface AgentScanResponse {
  /**
   * The caller's address as the agent saw it: the only address it scanned.
   */
  address: string;
  engine: 'nmap' | 'connect';
  startedAt: string;
  durationMs: number;
  portSpec: string;
  /**
   * One entry per TCP port asked for (65,535 with all) and, when asked, UDP 1900 and 5351. The agent keeps the whole answer within 8 MiB (dropping TCP banners, then service details, with a warning); the scanner reads at most 16 MiB (src/core/agent-limits.ts).
   *
   * @maxItems 65537
   */
  ports: WanPort[];
  igd?: IgdControl;
  /**
   * @maxItems 100
   */
  warnings: string[];
  fingerprint?: QnapFingerprint;
  qnap?: QnapFingerprint1;
  /**
   * What the agent agreed to scan. Present when the caller sent a port set or IPv6 targets.
   */
  scope?: {
    portSet?: PortSet;
    /**
     * TCP ports the caller asked for.
     */
    portsAsked: number;
    /**
     * Of those, the ports inside the caller's port set: the only ones scanned.
     */
    portsInScope: number;
    /**
     * The caller's source ports the agent checked the set against.
     *
     * @maxItems 64
     */
    observedSourcePorts?: number[];
    /**
     * The prefix IPv6 targets had to be in (the caller's /64, or /56 when the operator widened it).
     */
    ipv6Prefix?: string;
  };
  /**
   * One entry per IPv6 target scanned (requests with ipv6Targets), with its ports and, when asked for, its fingerprints.
   *
   * @maxItems 64
   */
  hosts?: {
    address: string;
    /**
     * @maxItems 65535
     */
    ports: WanPort[];
    fingerprint?: QnapFingerprint2;
  }[];
  /**
   * IPv6 targets the agent did not scan, each with why (outside the caller's prefix, not a global unicast address).
   *
   * @maxItems 64
   */
  hostsRefused?: {
    address: string;
    reason: string;
  }[];
}
export interface WanPort {
  port: number;
  protocol: 'TCP' | 'UDP';
  state: 'open' | 'closed' | 'filtered' | 'open|filtered';
  service?: string;
  product?: string;
  version?: string;
  banner?: string;
}
export interface IgdControl {
  port: number;
  path: string;
  descriptionFetched: boolean;
  /**
   * A read-only SOAP action (GetExternalIPAddress) was answered from outside.
   */
  actionAnswered: boolean;
  friendlyName?: string;
  externalIp?: string;
  error?: string;
}
/**
 * What the fingerprints saw (agents since vendor packs).
 */
export interface QnapFingerprint {
  /**
   * @maxItems 32
   */
  services: HostService[];
  device: null | QnapDevice;
  /**
   * @maxItems 32
   */
  indicators?: IndicatorMatch[];
}
export interface HostService {
  port: number;
  protocol: 'TCP';
  scheme: 'http' | 'https';
  /**
   * The Server header, weak evidence only.
   */
  server?: string;
  title?: string;
  tls?: {
    subject: string;
    issuer: string;
    selfSigned: boolean;
    validTo?: string;
  };
  fingerprints: FingerprintMatch[];
  error?: string;
}
/**
 * One fingerprint (from a vendor pack, probes/vendors/<pack>/pack.json) that matched an answer. Every string came from the network except id.
 */
export interface FingerprintMatch {
  /**
   * The fingerprint's id in the data file.
   */
  id: string;
  product: string;
  version?: string | null;
  confidence: 'high' | 'medium' | 'low';
  /**
   * The request that produced the answer (method and path), or 'tls' for the certificate.
   */
  path?: string;
  /**
   * What matched, quoted from the answer: untrusted.
   */
  evidence: string;
}
/**
 * What the fingerprints say the device is, merged across its services: facts only, as the device told them (the verdicts are the rules' comparison of these facts with the vendor packs). Every string came from the network except vendor, pack and productLine. Named QnapDevice for the reports written before vendor packs; any vendor's device has this shape.
 */
export interface QnapDevice {
  /**
   * The vendor, as its pack names it (QNAP, Synology...). Reports written before vendor packs say QNAP.
   */
  vendor: string;
  /**
   * The vendor pack that recognised it (probes/vendors/<pack>/pack.json, or a --vendor-pack folder). Absent in reports written before vendor packs (QNAP).
   */
  pack?: string;
  /**
   * The product line's name (QTS, QuTS hero, QuTScloud, DSM...), null when nothing told it.
   */
  os: string | null;
  /**
   * The product line's id in the pack (qts, quts-hero, dsm...).
   */
  productLine?: string;
  model?: string;
  displayModel?: string;
  hostname?: string;
  confidence: 'high' | 'medium' | 'low';
  /**
   * null when no answer told the version.
   */
  firmware: null | {
    /**
     * As the device wrote it, e.g. 5.1.1 or h5.0.0.
     */
    version: string;
    number?: string;
    build?: string;
    /**
     * version.number build build, e.g. 5.1.1.2491 build 20230815: the format QNAP advisories use.
     */
    full: string;
  };
  /**
   * Where the firmware version was read: the port, the request, the fingerprint and the field (version, or fallbackVersion: a weaker source such as Photo Station's built-in firmware).
   */
  versionSource?: {
    port: number;
    path: string;
    fingerprint: string;
    field: 'version' | 'fallbackVersion';
  };
  apps: {
    name: string;
    version: string | null;
    port?: number;
  }[];
  /**
   * Ports where the admin UI answered.
   */
  adminPorts?: number[];
  /**
   * Service flags from authLogin.cgi (e.g. QPhotosEnabled, forceSSL), as reported.
   */
  flags?: {
    [k: string]: string;
  };
}
export interface IndicatorMatch {
  pack: string;
  /**
   * The indicator's id in its pack.
   */
  id: string;
  campaign: string;
  port: number;
  path: string;
  /**
   * What matched, quoted from the answer: untrusted.
   */
  evidence: string;
}
/**
 * The same, as agents written before vendor packs send it; read when fingerprint is absent.
 */
export interface QnapFingerprint1 {
  /**
   * @maxItems 32
   */
  services: HostService[];
  device: null | QnapDevice;
  /**
   * @maxItems 32
   */
  indicators?: IndicatorMatch[];
}
/**
 * A MAP-E (RFC 7597) port set: with offset a, PSID length k and m = 16 - a - k, the set is every port A*2^(16-a) + psid*2^m + j with 1 <= A < 2^a and 0 <= j < 2^m. v6plus: a=4, k=8 (240 ports); the OCN rule: a=6, k=6 (1008 ports).
 */
export interface PortSet {
  /**
   * a: the offset bits (ports with A = 0 belong to nobody).
   */
  psidOffset: number;
  /**
   * k: the PSID's length in bits; a + k is at most 16.
   */
  psidLength: number;
  /**
   * The caller's PSID, below 2^k.
   */
  psid: number;
}
/**
 * What the fingerprints saw on this target's open TCP ports, when the request asked for them.
 */
export interface QnapFingerprint2 {
  /**
   * @maxItems 32
   */
  services: HostService[];
  device: null | QnapDevice;
  /**
   * @maxItems 32
   */
  indicators?: IndicatorMatch[];
}

/**
 * GET /v1/whoami (bearer token): how the agent sees its caller. A client calls it on a few fresh connections before a scan: the address tells the access kind (CGNAT, DS-Lite: the agent sees another address than the router reports), the source ports tell a shared MAP-E address's port set.
 */
export interface AgentWhoamiResponse {
  /**
   * The connection's peer address (IPv4-mapped IPv6 given as IPv4).
   */
  address: string;
  family: 'IPv4' | 'IPv6';
  /**
   * This connection's source port as the agent saw it (after every NAT on the way).
   */
  port: number;
  /**
   * Every source port the agent has seen from this address in the last 10 minutes, this one included, newest first: the set a scan's port set is checked against.
   *
   * @maxItems 64
   */
  seenPorts: number[];
}
