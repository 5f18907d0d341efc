/**
 * The real scan flow (runScan: probes, observation checks, rules, report build and validation) with the real
 * passive probe, and the probes it reads from replaced by canned answers: the router's table and the vantage
 * agent's view come from test/support/scenarios.ts, the line's access kind from a stand-in for the access probe
 * (branch i16-access builds the real one; this one fills report.access as schemas/report.schema.json `Access` says).
 */
import type { Observation } from '../../src/core/observation.js';
import { DEFAULT_SCAN_OPTIONS, type ScanOptions } from '../../src/core/options.js';
import { reportSchemaRef, type ProbeAction, type ProbeManifest } from '../../src/core/probe.js';
import type { Access, ExposureReport, Gateway, Wan } from '../../src/core/report.generated.js';
import { manifest as passiveInternetDb } from '../../probes/passive-internetdb/manifest.js';
import { manifest as upnpIgd } from '../../probes/upnp-igd/manifest.js';
import { manifest as wanScan } from '../../probes/wan-scan/manifest.js';
import { manifest as natPmp } from '../../probes/nat-pmp/manifest.js';
import { manifest as qnap } from '../../probes/qnap/manifest.js';
import { manifest as myqnapcloud } from '../../probes/myqnapcloud/manifest.js';
import { runScan } from '../../src/scan/run-scan.js';
import { at, gateway } from '../support/scenarios.js';

/** A public address (the lab's WAN is 11.x too): 203.0.113.0/24 of the scenarios is reserved, never asked about. */
export const PUBLIC_WAN = '11.22.33.44';

const canned = (observations: Observation[]): ProbeAction => ({ appliesTo: () => true, run: async () => observations });

export interface PassiveScan {
  wan?: Wan;
  gateways?: Gateway[];
  access?: Access;
  options: Partial<ScanOptions>;
  signal?: AbortSignal;
}

export function accessProbe(access: Access): ProbeManifest {
  // The kind is the access helper's (not declared on this branch): a cast, not a claim about its type.
  const observation = { probe: 'access', kind: 'access', subject: 'wan', at, data: access } as unknown as Observation;
  return {
    id: 'access',
    name: 'Access kind (stand-in)',
    description: 'test stand-in for the access probe',
    safety: 'safe',
    references: [],
    observes: { access: reportSchemaRef('Access') },
    report: { fields: (observations) => ({ access: observations.find((entry) => (entry.kind as string) === 'access')?.data as unknown as Access }) },
    load: async () => canned([observation]),
  };
}

export function passiveScan(scan: PassiveScan): Promise<ExposureReport> {
  const gateways = scan.gateways ?? [gateway([], { externalIp: PUBLIC_WAN })];
  const probes: ProbeManifest[] = [
    { ...upnpIgd, startsEarly: undefined, load: async () => canned(gateways.map((data): Observation => ({ probe: 'upnp-igd', kind: 'gateway', subject: data.location, at, data }))) },
    { ...wanScan, startsEarly: undefined, load: async () => canned(scan.wan ? [{ probe: 'wan-scan', kind: 'wan', subject: 'wan', at, data: scan.wan }] : []) },
    passiveInternetDb,
    // Not run: they fill their schema 1.0 fields with "not checked".
    ...[natPmp, qnap, myqnapcloud].map((manifest): ProbeManifest => ({ ...manifest, load: async () => ({ appliesTo: () => false, run: async () => [] }) })),
    ...(scan.access ? [accessProbe(scan.access)] : []),
  ];
  // --gateway keeps runScan from reading this machine's routes; the canned upnp-igd probe never uses it.
  const options: ScanOptions = { ...DEFAULT_SCAN_OPTIONS, gatewayUrl: 'http://127.0.0.1:9/rootDesc.xml', timeoutSeconds: 10, ...scan.options };
  return runScan(options, scan.signal, probes);
}

/** The vantage agent's view of PUBLIC_WAN: the given ports with their states. */
export function agentView(ports: Record<number, Wan['ports'][number]['state']>): Wan {
  return {
    vantage: 'agent', outsideView: true, address: PUBLIC_WAN, engine: 'connect', agentUrl: 'https://vantage.example:7447', igdExternalIp: PUBLIC_WAN,
    ports: Object.entries(ports).map(([port, state]) => ({ port: Number(port), protocol: 'TCP' as const, state })),
  };
}
