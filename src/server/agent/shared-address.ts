import { inPortSet, type MapEPortSet } from '../../net/map-e-port-set.js';

/**
 * The MAP-E layouts Japanese lines use (research note, section 1.5): v6plus and IPv6 option a=4, k=8 (240 ports,
 * 15 blocks of 16), OCN Virtual Connect a=6, k=6 (1008 ports, 63 blocks of 16).
 */
export const KNOWN_LAYOUTS: ReadonlyArray<Pick<MapEPortSet, 'psidOffset' | 'psidLength'>> = [
  { psidOffset: 4, psidLength: 8 },
  { psidOffset: 6, psidLength: 6 },
];

/** Fewer distinct ports than this say nothing: one port is always in some PSID. */
export const SHARED_MIN_PORTS = 4;

export interface SharedEvidence {
  /** The port set every observed port falls in. */
  portSet: MapEPortSet;
  ports: number[];
  /**
   * `blocks`: the ports sit in two or more of the set's blocks (thousands of ports apart, the same PSID): only a
   * port-set NAT does that. `one-block`: they all sit in one aligned run of 16 ports, which a NAT handing out
   * ports in sequence does too; more connections tell the two apart (decision 0020).
   */
  strength: 'blocks' | 'one-block';
}

/**
 * Whether the caller's source ports look like a shared MAP-E address: at least SHARED_MIN_PORTS distinct ports,
 * every one at or above 2^(16-a) and all of one PSID under a known layout. The agent then refuses a scan without a
 * port set (decision 0020 has the rule and what it costs a normal NAT).
 */
export function sharedAddressEvidence(observed: readonly number[]): SharedEvidence | undefined {
  const ports = [...new Set(observed)];
  if (ports.length < SHARED_MIN_PORTS) return undefined;
  for (const layout of KNOWN_LAYOUTS) {
    const m = 16 - layout.psidOffset - layout.psidLength;
    const first = ports[0] ?? 0;
    const portSet: MapEPortSet = { ...layout, psid: (first >> m) & (2 ** layout.psidLength - 1) };
    if (!ports.every((port) => inPortSet(portSet, port))) continue;
    const blocks = new Set(ports.map((port) => port >> (16 - layout.psidOffset)));
    return { portSet, ports, strength: blocks.size > 1 ? 'blocks' : 'one-block' };
  }
  return undefined;
}
