import { observationsOf, type Observation } from '../../src/core/observation.js';
import type { Gateway } from '../../src/core/report.generated.js';

/** The router whose mappings and external address count: the default gateway's, else the first one read. */
export function primaryGateway(observations: readonly Observation[]): Gateway | undefined {
  const gateways = observationsOf(observations, 'gateway').map((observation) => observation.data);
  const defaults = observationsOf(observations, 'local-networks')[0]?.data.defaultGateways ?? [];
  return gateways.find((gateway) => defaults.includes(gateway.address)) ?? gateways[0];
}
