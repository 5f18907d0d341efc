import type { Observation } from '../core/observation.js';
import { accessRules } from './access.js';
import type { Finding } from '../core/report.generated.js';
import { ruleContext, type RuleContext } from './doors.js';
import { ipv6Rules } from './ipv6.js';
import { builtinPacks, type LoadedPack } from '../vendors/load.js';
import { myQnapCloudFindings } from './myqnapcloud.js';
import { natPmpRules } from './nat-pmp.js';
import { passiveRules } from './passive.js';
import { qnapFindings } from './qnap.js';
import { serviceFindings } from './services.js';
import { upnpRules } from './upnp.js';
import { wanRules } from './wan.js';

type RuleFamily = (observations: readonly Observation[], context: RuleContext, packs: readonly LoadedPack[]) => Finding[];

/** Every rule family; each reads observations (and the one shared join of them) and writes findings, none touches the network. */
const RULE_FAMILIES: readonly RuleFamily[] = [
  (observations) => passiveRules(observations),
  (observations, context) => upnpRules(observations, context),
  (observations) => natPmpRules(observations),
  (observations, context) => wanRules(observations, context),
  (_observations, context) => qnapFindings(context),
  (_observations, context) => serviceFindings(context),
  (observations, context) => myQnapCloudFindings(observations, context),
  (observations) => accessRules(observations),
  (observations, _context, packs) => ipv6Rules(observations, packs),
];

/**
 * The findings, raw: unsorted, and ids not yet made unique (judge() does both). `context` is the join, when the
 * caller has it; `packs` the vendor packs the scan used (the shipped ones unless --vendor-pack added some).
 */
export function evaluateRules(observations: readonly Observation[], context: RuleContext = ruleContext(observations), packs?: readonly LoadedPack[]): Finding[] {
  // With no device recognised no pack was loaded: the shipped ones (read once per process) are then enough.
  const judgedWith = packs ?? builtinPacks();
  return RULE_FAMILIES.flatMap((family) => family(observations, context, judgedWith));
}

