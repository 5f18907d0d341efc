import type { Observation } from '../core/observation.js';
import type { Finding } from '../core/report.generated.js';
import { natPmpRules } from './nat-pmp.js';
import { upnpRules } from './upnp.js';
import { wanRules } from './wan.js';

/** Every rule family; each reads observations and writes findings, none touches the network. */
const RULE_FAMILIES: ReadonlyArray<(observations: readonly Observation[]) => Finding[]> = [upnpRules, natPmpRules, wanRules];

export function evaluateRules(observations: readonly Observation[]): Finding[] {
  return RULE_FAMILIES.flatMap((family) => family(observations));
}
