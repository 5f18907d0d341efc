import type { QnapDevice } from '../core/report.generated.js';
import type { LoadedPack, PackLine } from '../vendors/load.js';
import { REMOVE_FORWARD } from './guidance.js';
import { joinWords, nasPrefix, type NasVoice } from './nas.js';

/**
 * The words of the NAS rules (src/rules/nas.ts) for a device that a vendor pack other than QNAP's recognised:
 * everything vendor-specific comes from the pack (its product lines' names and update paths, its advisories'
 * campaigns and pages, its remediation in the vendor's order), so a new vendor's pack gets the same findings as QNAP
 * with no code. What no pack says is said without a vendor's name (decision 0017).
 */

const NAS_DISABLE_AUTO_FORWARD =
  'On the NAS: turn off any automatic router configuration it offers (UPnP port forwarding), so it stops asking the router to open ports.';
const ROUTER_DISABLE_UPNP =
  'On the router: turn UPnP port forwarding off (often under Advanced > NAT or UPnP), then check that the mapping is gone; keep the NAS behind the router with no port forwarded to it.';
const REMOTE_ACCESS_INSTEAD =
  'For remote access use a VPN (the router\'s VPN or WireGuard) rather than a port forwarded to the NAS.';
const BACKUP =
  'Keep snapshots and an offline copy of your data (3-2-1): ransomware encrypts or wipes everything the NAS can reach.';
const COMPROMISE_CHECK = 'Check the NAS for signs of compromise: unknown admin accounts, unknown scheduled tasks or apps, ransom notes.';

function lineOf(pack: LoadedPack | undefined, device: QnapDevice): PackLine | undefined {
  return device.productLine === undefined ? undefined : pack?.lines.get(device.productLine);
}

function lineNamed(pack: LoadedPack | undefined, product: string): PackLine | undefined {
  return pack ? [...pack.lines.values()].find((entry) => entry.line.name === product) : undefined;
}

/** The pack's advisories that concern the device's product line (all of them when the line is not known). */
function advisoriesFor(pack: LoadedPack | undefined, device: QnapDevice): NonNullable<LoadedPack['pack']['advisories']> {
  const advisories = pack?.pack.advisories ?? [];
  return device.productLine === undefined ? advisories : advisories.filter((advisory) => advisory.affected.some((entry) => entry.productLine === device.productLine));
}

function advisoryPage(pack: LoadedPack | undefined, id: string): string | null {
  const advisory = pack?.pack.advisories.find((candidate) => candidate.id === id);
  return advisory?.url ?? advisory?.references.find((reference) => reference.startsWith('https://')) ?? null;
}

/** The vendor's own steps for the device's line, in the vendor's order, once each. */
function vendorSteps(pack: LoadedPack | undefined, device: QnapDevice): { steps: string[]; sources: string[] } {
  const entries = (pack?.pack.remediation ?? []).filter((entry) => device.productLine === undefined || entry.productLines.includes(device.productLine));
  return { steps: [...new Set(entries.flatMap((entry) => entry.steps))], sources: [...new Set(entries.map((entry) => entry.source))] };
}

/** What the pack knows of attacks on the vendor's boxes: each advisory's campaigns, then the indicators' campaigns. */
function campaignWords(pack: LoadedPack | undefined, device: QnapDevice): string[] {
  const words = advisoriesFor(pack, device).flatMap((advisory) => (advisory.campaigns ?? []).map((campaign) => `${advisory.id}: ${campaign}`));
  for (const indicator of pack?.pack.indicators ?? []) words.push(`${indicator.campaign}: ${indicator.title}`);
  return [...new Set(words)];
}

/** The words for the devices one pack recognised (the pack may be missing: a stored scan judged without the user's pack). */
export function packVoice(packId: string, pack: LoadedPack | undefined): NasVoice {
  const vendorOf = (device: QnapDevice): string => pack?.pack.vendor ?? device.vendor;
  return {
    prefix: 'nas',
    speaksFor: (device) => nasPrefix(device) === 'nas' && device.pack === packId,
    autoRouterSentence: 'That description is what a UPnP client on the device (miniupnpc\'s default) or a NAT-PMP client leaves: weak corroboration that the NAS asked for the forward itself.',
    story: (device) => {
      const campaigns = campaignWords(pack, device);
      return [
        `An admin page open to the internet is where anyone can try passwords and every unpatched hole of ${vendorOf(device)} ${device.os ?? 'NAS'}, and where ransomware gangs look for NAS boxes.`,
        ...(campaigns.length > 0 ? [`Known attacks on ${vendorOf(device)} boxes (${packId} vendor pack): ${campaigns.join('; ')}.`] : []),
      ].join(' ');
    },
    adminRemediation: (door, device) => {
      const { steps } = vendorSteps(pack, device);
      const update = lineOf(pack, device)?.line.update;
      return [
        ...(door.via === 'upnp'
          ? [NAS_DISABLE_AUTO_FORWARD, ROUTER_DISABLE_UPNP, `Delete the mapping ${door.protocol}/${door.externalPort} in the router's UPnP page (or restart the router once the NAS no longer asks for it).`]
          : [REMOVE_FORWARD(door.externalPort)]),
        REMOTE_ACCESS_INSTEAD,
        ...(steps.length > 0 ? steps : [`Update the firmware${update ? ` (${update})` : ''} and every app.`, BACKUP]),
      ];
    },
    adminReferences: (device) => [...new Set([
      ...vendorSteps(pack, device).sources,
      ...advisoriesFor(pack, device).filter((advisory) => (advisory.campaigns ?? []).length > 0).map((advisory) => advisoryPage(pack, advisory.id)).filter((page): page is string => page !== null),
    ])],
    updateWhere: (product) => lineNamed(pack, product)?.line.update ?? 'the vendor\'s update page',
    noFixStep: (product, ids, _count, _firmware, device) => {
      const update = lineNamed(pack, product)?.line.update;
      return `No ${product} release fixes ${ids} (${vendorOf(device)}'s advisories${update ? `; updates: ${update}` : ''}): keep the device off the internet, or replace it.`;
    },
    compareFixed: (product, _firmware, a, b) => {
      const line = lineNamed(pack, product);
      const left = line?.grammar.parse(a);
      const right = line?.grammar.parse(b);
      return line && left && right ? line.grammar.compare(left, right) : null;
    },
    afterUpdates: [],
    disableAutoForward: NAS_DISABLE_AUTO_FORWARD,
    remoteAccessInstead: REMOTE_ACCESS_INSTEAD,
    compromiseCheck: COMPROMISE_CHECK,
    backup: BACKUP,
    advisoryReference: (advisory) => advisoryPage(pack, advisory),
    unfixedWords: true,
    versionUnknownDescription: (device) => {
      const ids = advisoriesFor(pack, device).map((advisory) => advisory.id);
      return `The fingerprints say this is a ${vendorOf(device)} ${device.os ?? 'NAS'} (${device.confidence} confidence), but no answer told its firmware version, so this scan cannot say whether it is below the fix for ${ids.length > 0 ? joinWords(ids) : `any ${vendorOf(device)} advisory`}. Unknown means "cannot tell", not "safe".`;
    },
    versionUnknownRemediation: (device) => {
      const update = lineOf(pack, device)?.line.update;
      return [`Log in to the NAS and read its firmware version${update ? ` (${update})` : ''}; compare it with ${vendorOf(device)}'s security advisories.`];
    },
    versionUnknownReferences: (device) => [...new Set(advisoriesFor(pack, device).map((advisory) => advisoryPage(pack, advisory.id)).filter((page): page is string => page !== null))],
    appCheckStep: (apps, advisories) => `On the NAS, read the installed version of ${apps} (if installed) and compare it with the fixed versions in ${advisories}; update when below.`,
    firmwareReadStep: 'Log in to the NAS, read its full firmware version and compare it with the advisories named above.',
    afterUndecided: [],
  };
}
