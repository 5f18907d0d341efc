/* Generated from schemas/agent-scan-*.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * What a client may ask the vantage agent. There is deliberately no target: the agent only ever scans the address the request came from.
 */
export interface AgentScanRequest {
  /**
   * Port spec: qnap, common, top1000, all, single ports and ranges, comma separated.
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
  timeoutSeconds?: number;
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
   * @maxItems 65535
   */
  ports: WanPort[];
  igd?: IgdControl;
  /**
   * @maxItems 100
   */
  warnings: string[];
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
