/* Generated from schemas/report.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * public: routable; private: RFC 1918; cgnat: 100.64.0.0/10 (RFC 6598); reserved: any other special-use block; unknown: not an IPv4 address.
 */
export type AddressClass = 'public' | 'private' | 'cgnat' | 'reserved' | 'unknown';
export type Protocol = 'TCP' | 'UDP';
export type Port = number;
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/**
 * The result of one exposure scan. Every string that came from the network is untrusted text: renderers escape it.
 */
export interface ExposureReport {
  schemaVersion: '1.0';
  tool: {
    name: string;
    version: string;
  };
  startedAt: string;
  finishedAt: string;
  incident?: Incident;
  coverage: Coverage;
  options: ScanOptionsEcho;
  localNetworks?: LocalNetwork[];
  discovery: Discovery;
  gateways: Gateway[];
  natPmp: NatPmp;
  findings: Finding[];
  summary: Summary;
  warnings: Warning[];
  wan: Wan;
  hosts: Host[];
  /**
   * The vendor packs the scan's devices were held against (id, version, the date of their advisory data). Absent in reports written before vendor packs.
   *
   * @maxItems 64
   */
  vendorPacks?: VendorPackUsed[];
  myqnapcloud: MyQnapCloud;
  /**
   * Data of probes registered after schema 1.0 (a probe without report fields of its own): by probe id, then by observation kind, the data of each observation, checked against the schema the probe declares for that kind. Absent when no such probe observed anything.
   */
  probes?: {
    [k: string]: {
      /**
       * @maxItems 100000
       */
      [k: string]: unknown[];
    };
  };
  /**
   * Every door from the internet into this network that the scan found, one per external port: a UPnP mapping, an open port on the external address, or a service of the router itself. Written by the risk engine so renderers (the exposure diagram) never join tables themselves.
   *
   * @maxItems 70000
   */
  exposures?: Exposure[];
  access?: Access;
}
/**
 * Present when the report is about an incident: a host shows signs that it has been hit (a vendor pack's indicator of compromise matched, e.g. DeadBolt's ransom screen in place of the login page). Built by the rules from the vendor-compromise findings; renderers show it first, before anything else. Absent when no host shows such signs, and in reports written before incident mode.
 */
export interface Incident {
  /**
   * One line for the banner: which host shows which campaign's signs. Carries network text (an address): escape it.
   */
  title: string;
  /**
   * The campaigns whose signs were seen (DeadBolt), as the packs name them.
   *
   * @minItems 1
   * @maxItems 32
   */
  campaigns: [string, ...string[]];
  /**
   * The addresses of the hosts that show them.
   *
   * @minItems 1
   * @maxItems 64
   */
  hosts: [string, ...string[]];
  /**
   * The ids of the compromise findings (vendor-compromise-<campaign>-<address>), each with its own steps.
   *
   * @minItems 1
   * @maxItems 64
   */
  findings: [string, ...string[]];
  /**
   * What to do first: the vendor's incident steps from the first compromise finding (firstStepsFinding), first step first. Incident response, not hardening.
   *
   * @maxItems 32
   */
  firstSteps: string[];
  /**
   * The finding firstSteps come from; other compromised hosts may need their own vendor's steps (their findings).
   */
  firstStepsFinding: string;
  /**
   * Where the steps and the indicator come from.
   *
   * @maxItems 32
   */
  references: string[];
}
/**
 * What this scan could look at. A view that was asked for and is not complete means the findings are not the whole picture: renderers show an INCOMPLETE banner and no reassuring score, the CLI exits 3 when a requested view failed, and the diff compares a view's findings and ports only when both scans covered it. inside: the router's own tables (UPnP IGD discovery, description, external address, every port mapping). outside: the external address as scanned by the vantage agent (requested with --vantage) or, when none is named, from inside (hairpin NAT, which is not an outside view).
 */
export interface Coverage {
  /**
   * True when every view that was asked for is complete. The passive second opinion (coverage.passive) is not counted: it only adds what a third party saw before, so its failure leaves the active views' answer standing; it is shown, never silent.
   */
  complete: boolean;
  inside: ViewCoverage;
  outside: ViewCoverage;
  ipv6?: ViewCoverage1;
  passive?: ViewCoverage2;
}
export interface ViewCoverage {
  /**
   * complete: everything this view looks at was read; partial: some of it was (see reason); failed: the view was attempted and nothing usable came back; skipped: the view did not run; not-applicable: the line leaves this view nothing to look at (the outside IPv4 view on DS-Lite or CGNAT, where no inbound IPv4 reaches the home: see access and reason). A not-applicable view does not make the scan incomplete.
   */
  status: 'complete' | 'partial' | 'failed' | 'skipped' | 'not-applicable';
  /**
   * Whether the user asked for this view (inside: always; outside: only with --vantage). Only requested views make a scan incomplete.
   */
  requested: boolean;
  reason?: CoverageReason;
  gateways?: {
    /**
     * Routers found (by discovery or --gateway).
     */
    found: number;
    /**
     * Routers whose mapping table was read to the end.
     */
    read: number;
  };
  mappings?: {
    read: number;
    /**
     * False when a table was cut short (limit, deadline, error).
     */
    complete: boolean;
  };
  /**
   * When no usable connection service was found: the service types the router described.
   *
   * @maxItems 64
   */
  serviceTypes?: string[];
  vantage?: 'agent' | 'local' | 'none';
  ports?: {
    asked: number;
    answered: number;
  };
  /**
   * What this view was allowed to look at, when less than asked: a MAP-E port set, the caller's IPv6 prefix, nothing at all on DS-Lite or CGNAT.
   */
  scope?: {
    description: string;
    portsInScope?: number;
    portsOutOfScope?: number;
  };
}
export interface CoverageReason {
  code: string;
  /**
   * What could not be checked and how to fix it.
   */
  message: string;
}
/**
 * The LAN's global IPv6 addresses as scanned by the vantage agent over IPv6.
 */
export interface ViewCoverage1 {
  /**
   * complete: everything this view looks at was read; partial: some of it was (see reason); failed: the view was attempted and nothing usable came back; skipped: the view did not run; not-applicable: the line leaves this view nothing to look at (the outside IPv4 view on DS-Lite or CGNAT, where no inbound IPv4 reaches the home: see access and reason). A not-applicable view does not make the scan incomplete.
   */
  status: 'complete' | 'partial' | 'failed' | 'skipped' | 'not-applicable';
  /**
   * Whether the user asked for this view (inside: always; outside: only with --vantage). Only requested views make a scan incomplete.
   */
  requested: boolean;
  reason?: CoverageReason;
  gateways?: {
    /**
     * Routers found (by discovery or --gateway).
     */
    found: number;
    /**
     * Routers whose mapping table was read to the end.
     */
    read: number;
  };
  mappings?: {
    read: number;
    /**
     * False when a table was cut short (limit, deadline, error).
     */
    complete: boolean;
  };
  /**
   * When no usable connection service was found: the service types the router described.
   *
   * @maxItems 64
   */
  serviceTypes?: string[];
  vantage?: 'agent' | 'local' | 'none';
  ports?: {
    asked: number;
    answered: number;
  };
  /**
   * What this view was allowed to look at, when less than asked: a MAP-E port set, the caller's IPv6 prefix, nothing at all on DS-Lite or CGNAT.
   */
  scope?: {
    description: string;
    portsInScope?: number;
    portsOutOfScope?: number;
  };
}
/**
 * A passive second opinion (--passive internetdb): what a third party last saw on the WAN address. Shown beside the active views and never counted in complete (decision 0023).
 */
export interface ViewCoverage2 {
  /**
   * complete: everything this view looks at was read; partial: some of it was (see reason); failed: the view was attempted and nothing usable came back; skipped: the view did not run; not-applicable: the line leaves this view nothing to look at (the outside IPv4 view on DS-Lite or CGNAT, where no inbound IPv4 reaches the home: see access and reason). A not-applicable view does not make the scan incomplete.
   */
  status: 'complete' | 'partial' | 'failed' | 'skipped' | 'not-applicable';
  /**
   * Whether the user asked for this view (inside: always; outside: only with --vantage). Only requested views make a scan incomplete.
   */
  requested: boolean;
  reason?: CoverageReason;
  gateways?: {
    /**
     * Routers found (by discovery or --gateway).
     */
    found: number;
    /**
     * Routers whose mapping table was read to the end.
     */
    read: number;
  };
  mappings?: {
    read: number;
    /**
     * False when a table was cut short (limit, deadline, error).
     */
    complete: boolean;
  };
  /**
   * When no usable connection service was found: the service types the router described.
   *
   * @maxItems 64
   */
  serviceTypes?: string[];
  vantage?: 'agent' | 'local' | 'none';
  ports?: {
    asked: number;
    answered: number;
  };
  /**
   * What this view was allowed to look at, when less than asked: a MAP-E port set, the caller's IPv6 prefix, nothing at all on DS-Lite or CGNAT.
   */
  scope?: {
    description: string;
    portsInScope?: number;
    portsOutOfScope?: number;
  };
}
/**
 * The options that shaped this scan, so a report explains itself.
 */
export interface ScanOptionsEcho {
  /**
   * False when --no-wan kept every probe on the LAN.
   */
  wan: boolean;
  gatewayUrl?: string;
  interface?: string;
  discoveryWindowMs: number;
  timeoutSeconds: number;
  maxMappings?: number;
  enumeration?: 'auto' | 'list' | 'index';
  maxInFlight?: number;
  /**
   * Origin of the vantage agent (never the token).
   */
  vantageUrl?: string;
  /**
   * Origin of the vantage agent as reached over IPv6 (--vantage6), when given.
   */
  vantage6Url?: string;
  /**
   * The passive second opinions asked (--passive): each was sent the WAN IPv4 address.
   */
  passive?: 'internetdb'[];
  /**
   * Origin of the InternetDB endpoint, when --passive-endpoint replaced the public one.
   */
  passiveEndpoint?: string;
  engine?: 'auto' | 'nmap' | 'connect';
  ports?: string;
  nas?: string[];
  myqnapcloud?: string[];
}
export interface LocalNetwork {
  interface: string;
  address: string;
  cidr: string;
}
export interface Discovery {
  method: 'ssdp' | 'gateway-url';
  windowMs: number;
  interfaces?: string[];
  unicastTargets?: string[];
  responses: SsdpResponse[];
  responsesTruncated?: boolean;
}
export interface SsdpResponse {
  /**
   * Address the answer came from.
   */
  from: string;
  location: string;
  st: string;
  usn: string;
  server: string;
  /**
   * False when the LOCATION was not fetched (see refusedReason).
   */
  fetched: boolean;
  refusedReason?: string;
}
export interface Gateway {
  location: string;
  address: string;
  igdVersion: 1 | 2 | null;
  deviceType: string;
  friendlyName: string;
  manufacturer: string;
  modelName: string;
  modelNumber?: string;
  udn?: string;
  /**
   * SSDP SERVER header, when discovered by SSDP.
   */
  server?: string;
  services: Service[];
  rejectedUrls?: RejectedUrl[];
  /**
   * The WAN connection service the mappings and external IP were read from.
   */
  connectionService?: string | null;
  externalIp: string | null;
  externalIpClass: AddressClass;
  connectionStatus: string | null;
  uptimeSeconds: number | null;
  firewall?: Ipv6Firewall;
  mappings: Mapping[];
  mappingsTruncated: boolean;
  enumeration: Enumeration;
  errors: Warning[];
}
export interface Service {
  serviceType: string;
  serviceId?: string;
  controlUrl: string;
}
export interface RejectedUrl {
  serviceType: string;
  url: string;
  reason: string;
}
export interface Ipv6Firewall {
  enabled: boolean | null;
  inboundPinholeAllowed: boolean | null;
}
export interface Mapping {
  protocol: Protocol;
  externalPort: Port;
  internalClient: string;
  internalPort: Port;
  /**
   * Written by whichever LAN device asked for the mapping: untrusted.
   */
  description: string;
  enabled: boolean;
  /**
   * Seconds left; 0 means permanent.
   */
  leaseDuration: number;
  /**
   * Empty means any remote host.
   */
  remoteHost: string;
  /**
   * The description contained markup, or arrived unescaped.
   */
  descriptionHasMarkup?: boolean;
  /**
   * Whether the internal client is on a subnet of this machine; null when unknown.
   */
  internalClientOnLan?: boolean | null;
  /**
   * Service type of the connection the mapping was read from.
   */
  service?: string;
}
export interface Enumeration {
  method: 'GetListOfPortMappings' | 'GetGenericPortMappingEntry' | 'none';
  requests: number;
  durationMs: number;
  stopReason: 'end-of-table' | 'repeated-entry' | 'max-mappings' | 'deadline' | 'error' | 'not-attempted';
  firstIndex?: 0 | 1;
  fallbackReason?: string;
}
export interface Warning {
  code: string;
  message: string;
  upnpErrorCode?: number;
  /**
   * The probe that could not do something (upnp-igd, wan-scan, qnap...); absent on warnings the scan itself added, and in reports written before it was recorded. Lets a stored report be judged again exactly (exposure history rejudge).
   */
  probe?: string;
  /**
   * What the warning is about, as the probe named it (a device URL, an address, "wan").
   */
  subject?: string;
}
export interface NatPmp {
  present: boolean;
  gateway?: string;
  externalIp: string | null;
  externalIpClass?: AddressClass;
  resultCode?: number;
  epochSeconds?: number;
  /**
   * False when no gateway address was known to ask.
   */
  checked?: boolean;
  /**
   * A PCP server (RFC 6887) answered the NAT-PMP request.
   */
  pcp?: boolean;
}
export interface Finding {
  /**
   * Stable across scans: the rule plus what it is about, so diffs can follow it.
   */
  id: string;
  rule: string;
  severity: Severity;
  title: string;
  description: string;
  evidence: Evidence[];
  remediation: string[];
  references: string[];
  classification: Classification;
  /**
   * Key of the door (exposures[].key, e.g. tcp-8080) this finding is about. Findings sharing a door count once in the risk score.
   */
  exposure?: string;
}
export interface Evidence {
  /**
   * What the evidence is about: a gateway location, a mapping like TCP/8080, an address.
   */
  subject: string;
  detail: string;
}
/**
 * What a finding is, for filtering and triage: the CVEs it rests on, whether CISA lists them as known exploited (KEV), and whether ransomware is known to use them.
 */
export interface Classification {
  cve: string[];
  /**
   * At least one CVE the finding rests on (one that applies, never one that could not be judged) is in the CISA Known Exploited Vulnerabilities catalog.
   */
  kev: boolean;
  /**
   * A ransomware campaign is known to have used a weakness the finding rests on (KEV knownRansomwareCampaignUse, or the vendor's own advisory).
   */
  knownRansomware: boolean;
  cwe?: string[];
  /**
   * Vendor advisory ids the finding rests on, e.g. QSA-21-13.
   */
  advisories?: string[];
  /**
   * The same advisories one by one, with the product each concerns and its own KEV and ransomware flags, so that no sentence attaches a flag to an advisory that does not carry it.
   */
  advisoryDetails?: AdvisoryDetail[];
}
/**
 * One advisory a finding rests on, as the data file says it.
 */
export interface AdvisoryDetail {
  /**
   * The advisory id (QSA id, or the CVE when one advisory is split).
   */
  id: string;
  /**
   * The product line the advisory concerns on this device: QTS, QuTS hero, QuTScloud, or an app (Photo Station, HBS 3, Multimedia Console...).
   */
  product: string;
  /**
   * Its CVE is in the CISA KEV catalog (its vendor pack, probes/vendors/<pack>/pack.json).
   */
  kev: boolean;
  /**
   * Ransomware is known to have used it (KEV says Known, or QNAP named the campaign).
   */
  knownRansomware: boolean;
}
export interface Summary {
  highestSeverity: 'none' | 'info' | 'low' | 'medium' | 'high' | 'critical';
  counts: {
    info: number;
    low: number;
    medium: number;
    high: number;
    critical: number;
  };
  gateways: number;
  mappings: number;
  /**
   * 0 (nothing reachable) to 100; the formula is in docs/risk-score.md.
   */
  riskScore: number;
  /**
   * One sentence verdict for people, written by the risk engine (renderers never compute it).
   */
  headline: string;
}
/**
 * The outside view: the external address as scanned from a vantage point.
 */
export interface Wan {
  /**
   * agent: scanned from the vantage agent on the internet; local: scanned from inside (hairpin NAT), NOT an outside view; none: not scanned.
   */
  vantage: 'agent' | 'local' | 'none';
  /**
   * True only when an agent on the internet did the scan.
   */
  outsideView: boolean;
  /**
   * The address that was scanned.
   */
  address: string | null;
  engine: 'nmap' | 'connect' | null;
  agentUrl?: string;
  /**
   * The external IP the router reported, for comparison with the address the agent saw.
   */
  igdExternalIp?: string | null;
  portSpec?: string;
  /**
   * How many TCP ports the scan was asked to give a state for (coverage compares it with the TCP ports answered).
   */
  portsAsked?: number;
  durationMs?: number;
  ports: WanPort[];
  igdControl?: IgdControl;
  /**
   * Why the outside view is missing or limited.
   */
  reason?: string;
  warnings?: string[];
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
 * A device the fingerprint probes looked at: a LAN host named by a mapping or by --nas (probed from this machine), or the WAN address (probed by the vantage agent).
 */
export interface Host {
  address: string;
  seenFrom: 'lan' | 'wan';
  reasons: ('mapping' | 'nas-option' | 'wan')[];
  services: HostService[];
  device: null | QnapDevice;
  verdicts: Verdict[];
  /**
   * Signs of compromise, visible without logging in, that matched on the host's web ports (a vendor pack's indicators, e.g. DeadBolt's ransom screen), whatever the device was recognised as. Absent in reports written before vendor packs.
   *
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
/**
 * One advisory held against one device's version. unknown means 'cannot tell', never safe.
 */
export interface Verdict {
  /**
   * Id of the advisory in its vendor pack (probes/vendors/<pack>/pack.json): the vendor's advisory id or the CVE.
   */
  advisory: string;
  /**
   * Everything the advisory concerns, as the data file names it (e.g. QTS / QuTS hero / QuTScloud).
   */
  component: string;
  /**
   * The product line the status was decided on for this device: QTS, QuTS hero, QuTScloud (firmware), or an app (Photo Station, HBS 3, Multimedia Console, Media Streaming add-on). Absent in reports written before 2026-12.
   */
  product?: string;
  /**
   * Whether product is the firmware (updated in Control Panel > Firmware Update) or an app (updated in App Center).
   */
  productKind?: 'firmware' | 'app';
  status: 'vulnerable' | 'fixed' | 'unknown' | 'not-applicable';
  /**
   * Only with status unknown, what could not be read or decided: the firmware version (not told), its format, its build number or date, the app's version (not told without credentials), its format, which firmware's fix applies, a branch the advisory says nothing about, or no comparable fix in the data.
   */
  unknownBecause?:
    | 'firmware-version'
    | 'firmware-format'
    | 'build'
    | 'app-version'
    | 'app-format'
    | 'firmware-choice'
    | 'branch-not-listed'
    | 'no-fix-listed';
  foundVersion: string | null;
  /**
   * The build that fixes it on the device's branch.
   */
  fixedVersion: string | null;
  reason: string;
  cve: string[];
  /**
   * The data file says the advisory's CVE is in the CISA KEV catalog. A fact about the advisory: it applies to the device only when status is vulnerable.
   */
  kev: boolean;
  /**
   * The data file says ransomware used it (KEV Known, or QNAP named the campaign). A fact about the advisory, as kev.
   */
  knownRansomware: boolean;
}
export interface IndicatorMatch {
  pack: string;
  /**
   * The indicator's id in its pack.
   */
  id: string;
  campaign: string;
  port: Port;
  path: string;
  /**
   * What matched, quoted from the answer: untrusted.
   */
  evidence: string;
}
/**
 * A vendor pack the scan held the devices against.
 */
export interface VendorPackUsed {
  id: string;
  vendor: string;
  version: string;
  /**
   * When its advisory data was last reviewed.
   */
  dataDate: string;
  /**
   * Shipped with the program, or given with --vendor-pack.
   */
  source: 'builtin' | 'user';
}
export interface MyQnapCloud {
  /**
   * False when no --myqnapcloud name was given.
   */
  checked: boolean;
  resolver?: string;
  names: {
    /**
     * The fully qualified DDNS name that was resolved.
     */
    name: string;
    addresses: string[];
    /**
     * null when the WAN address is unknown.
     */
    matchesWan: boolean | null;
    error?: string;
  }[];
}
export interface Exposure {
  /**
   * Protocol and external port, e.g. tcp-8080.
   */
  key: string;
  protocol: Protocol;
  externalPort: Port;
  /**
   * How the door is attributed. upnp: a UPnP mapping opens it; unexplained: open on the external address with no mapping and no service of the router on that port (a manual forward or an upstream device); router: a router-service, one the router itself serves (the port of its IGD LOCATION, the UPnP control, NAT-PMP, SSDP, or a port that answered on its LAN address), never called an unexplained forward.
   */
  via: 'upnp' | 'unexplained' | 'router';
  /**
   * LAN address of the router holding the mapping; null when unexplained.
   */
  gateway: string | null;
  /**
   * The LAN host the door leads to, when known. From the network: untrusted.
   */
  internalClient: string | null;
  internalPort: Port | null;
  /**
   * What is behind the door, e.g. 'QNAP TS-453D admin (QTS 4.5.2.1566 build 20210202)' or a mapping description. May quote the network: untrusted.
   */
  label: string;
  /**
   * What the outside view saw on the external port: open-from-inside when only the hairpin scan from the LAN saw it open; not-scanned when there was no outside view of that port.
   */
  reachability: 'open' | 'closed' | 'filtered' | 'not-scanned' | 'open-from-inside';
  /**
   * The worst finding about this door.
   */
  severity: 'info' | 'low' | 'medium' | 'high' | 'critical';
  /**
   * Ids of the findings about this door, worst first.
   */
  findings: string[];
}
/**
 * What kind of internet line this home has, and the facts that say so. It decides what an outside scan may touch: a MAP-E address is shared with other subscribers (only this home's port set is scanned), DS-Lite and CGNAT admit no inbound IPv4 at all (the IPv4 scan is skipped and IPv6 is what matters).
 */
export interface Access {
  /**
   * public-ipv4: the router holds the address the internet sees. double-nat: the router's external address is private (RFC 1918), another router is in front. cgnat: the router's external address is in 100.64.0.0/10 or the agent sees another address than the router reports. map-e: the IPv4 address is shared by port sets (RFC 7597; v6plus, OCN Virtual Connect, IPv6 option). ds-lite: IPv4 is carried over IPv6 to the provider's AFTR (RFC 6333; transix, Xpass); no inbound IPv4. ipv6-only: no IPv4 internet at all. unknown: not enough facts.
   */
  kind: 'public-ipv4' | 'double-nat' | 'cgnat' | 'map-e' | 'ds-lite' | 'ipv6-only' | 'unknown';
  /**
   * One sentence: what this line means for exposure.
   */
  summary: string;
  /**
   * @maxItems 32
   */
  evidence: AccessEvidence[];
  /**
   * The IPv4 address the internet sees, when known (the agent's view first, else the router's).
   */
  ipv4?: string | null;
  /**
   * The global IPv6 prefixes (/64) of this host's networks.
   *
   * @maxItems 16
   */
  ipv6Prefixes?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ];
  portSet?: AccessPortSet;
}
export interface AccessEvidence {
  /**
   * Where the fact comes from: the router's GetExternalIPAddress, the address or source ports the vantage agent saw, this host's IPv6 prefix, the DS-Lite B4 address 192.0.0.2 the router reported, the MAP-E rule the prefix matched, or an option the user gave.
   */
  source:
    | 'igd-external-address'
    | 'agent-address'
    | 'agent-source-ports'
    | 'ipv6-prefix'
    | 'ds-lite-b4'
    | 'map-e-rule'
    | 'user-option';
  value: string;
  note?: string;
}
/**
 * This home's share of a MAP-E address. Computed from the IPv6 prefix with the rule's data, and checked against the source ports the vantage agent saw: only when both agree is it trusted, and only a trusted set is scanned.
 */
export interface AccessPortSet {
  /**
   * The MAP-E rule's id in probes/access/map-e-rules.json.
   */
  rule: string;
  /**
   * The service the rule belongs to (v6plus, OCN Virtual Connect...), as its data names it.
   */
  service?: string;
  psidOffset: number;
  psidLength: number;
  psid: number;
  /**
   * The shared IPv4 address the rule gives this prefix.
   */
  ipv4?: string;
  /**
   * @maxItems 4096
   */
  ranges: {
    from: number;
    to: number;
  }[];
  size: number;
  /**
   * Source ports the vantage agent saw from this home.
   *
   * @maxItems 64
   */
  observedPorts?: number[];
  /**
   * True when the computed set holds every observed source port (and at least one was observed).
   */
  trusted: boolean;
  /**
   * When not trusted: why (no agent, disagreement).
   */
  reason?: string;
}
