/** Options for one scan, as every face (CLI, and later the API and scheduler) hands them to runScan. */
export interface ScanOptions {
  /** Skip discovery and read this device description (must be on a local subnet or loopback). */
  gatewayUrl?: string;
  /** Restrict discovery and "local subnet" to one interface. */
  interface?: string;
  /** Whole-scan time limit. */
  timeoutSeconds: number;
  /** How long SSDP answers are collected. */
  discoveryWindowMs: number;
  /** Limit on each HTTP exchange with a device. */
  requestTimeoutMs: number;
  maxMappings: number;
  /** Requests in flight per gateway during the generic walk. */
  maxInFlight: number;
  /** How the mapping table is read: auto (listing, then index walk), list, or index. */
  enumeration: 'auto' | 'list' | 'index';
  /** False with --no-wan: nothing leaves the LAN. */
  wan: boolean;
  /** The vantage agent that scans us from outside; without one the external address is scanned from inside. */
  vantageUrl?: string;
  vantageToken?: string;
  /** --vantage-ca: a PEM file (the path, read at each scan) to verify the agent's certificate with, instead of the system's CAs. */
  vantageCa?: string;
  /** --vantage-pin: `sha256/BASE64` SPKI pins of the agent's key, separated by ';' (a self-signed agent certificate). */
  vantagePin?: string;
  /**
   * --vantage6: the same agent reached over IPv6, for the IPv6 outside view (the agent scans only addresses in the
   * /64 a request comes from, so the request must come over IPv6). Default: the --vantage URL when its host is a
   * name with an AAAA record or an IPv6 literal.
   */
  vantage6Url?: string;
  /** --passive: passive second opinions to ask about the WAN IPv4 address (sends the address to a third party). */
  passive?: readonly 'internetdb'[];
  /** --passive-endpoint: the InternetDB base URL (tests point it at a loopback fake). */
  passiveEndpoint?: string;
  /** Scan engine for a scan run from this machine (the agent picks its own). */
  engine: 'auto' | 'nmap' | 'connect';
  /** Port spec for the outside view (mapped ports are always added). */
  ports: string;
  serviceDetection: boolean;
  /** nmap -sS instead of -sT (root only). */
  synScan: boolean;
  /** --nas: LAN addresses to fingerprint besides the clients of the router's mappings (checked by Scope). */
  nas?: string[];
  /** --vendor-pack: folders holding a vendor pack (pack.json), absolute, loaded beside the shipped packs at each scan. */
  vendorPacks?: string[];
  /** --myqnapcloud: fully qualified QNAP DDNS names to resolve and compare with the WAN address. */
  myqnapcloud?: string[];
  /** --dns-server: the resolver for --myqnapcloud, as host:port (default: the system's resolvers). */
  dnsServer?: string;
  /** Called with short progress messages (the CLI prints them on a TTY). */
  onProgress?: (message: string) => void;
}

export const DEFAULT_SCAN_OPTIONS: ScanOptions = {
  timeoutSeconds: 60,
  discoveryWindowMs: 1500,
  requestTimeoutMs: 5000,
  maxMappings: 4096,
  maxInFlight: 4,
  enumeration: 'auto',
  engine: 'auto',
  ports: 'qnap,common',
  serviceDetection: false,
  synScan: false,
  wan: true,
};

/** Bounds of the numeric options, shared by the CLI's flags and the REST API's schema (a test checks they agree). */
export const SCAN_LIMITS = {
  timeoutSeconds: { min: 1, max: 3600 },
  discoveryWindowMs: { min: 100, max: 30000 },
  requestTimeoutMs: { min: 100, max: 60000 },
  maxMappings: { min: 1, max: 65536 * 2 },
  maxInFlight: { min: 1, max: 8 },
} as const satisfies Partial<Record<keyof ScanOptions, { min: number; max: number }>>;
