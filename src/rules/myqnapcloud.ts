import { observationsOf, type Observation } from '../core/observation.js';
import type { Finding } from '../core/report.generated.js';
import { doorLevel, type RuleContext } from './doors.js';
import { findingId, unclassified } from './finding.js';

/**
 * A myQNAPcloud DDNS name that resolves to the WAN address makes the network findable by the device's name (and
 * these names are guessable and listed in certificate logs). By itself it opens nothing: it matters when a port is
 * open, and says so.
 */
export function myQnapCloudFindings(observations: readonly Observation[], context: RuleContext): Finding[] {
  const cloud = observationsOf(observations, 'myqnapcloud')[0]?.data;
  if (!cloud?.checked) return [];
  const open = context.doors.filter((door) => door.via !== 'router' && (doorLevel(door) === 'confirmed' || doorLevel(door) === 'forwarded'));
  return cloud.names
    .filter((name) => name.matchesWan === true)
    .map((name) => ({
      id: findingId('myqnapcloud-ddns-wan', name.name),
      rule: 'myqnapcloud-ddns-wan',
      severity: open.length > 0 ? 'medium' : 'low',
      title: `${name.name} resolves to your external address: your network can be found by the NAS's name`,
      description: `The myQNAPcloud DDNS name ${name.name} points at ${name.addresses.join(', ')}, the external address of this network, so anyone who knows or guesses the name finds it without scanning the internet. ${
        open.length > 0
          ? `With ${open.length} door${open.length === 1 ? '' : 's'} open or forwarded (${open.slice(0, 5).map((door) => `${door.protocol}/${door.externalPort}`).join(', ')}), the name leads straight to them.`
          : 'No open door was found, so the name alone opens nothing; it still tells attackers where a QNAP lives.'
      }`,
      evidence: [{ subject: name.name, detail: `resolves to ${name.addresses.join(', ')}${cloud.resolver ? ` (resolver ${cloud.resolver})` : ''}; matches the external address` }],
      remediation: [
        'If you do not reach the NAS by name from outside, turn DDNS off: myQNAPcloud > My DDNS > disable, and set myQNAPcloud > Access Control to Private.',
        'If you keep it, make sure no port is forwarded to the NAS (see the other findings) and reach it through a VPN or myQNAPcloud Link.',
      ],
      references: ['https://docs.qnap.com/operating-system/qts/5.0.x/en-us/configuring-device-access-controls-5B9D87AE.html'],
      classification: unclassified(),
    }));
}
