import type { Finding, QnapDevice } from '../core/report.generated.js';
import { compareFirmware, compareNumbers, parseAppVersion, parseFirmware } from '../qnap/version.js';
import { deviceName, firmwareName, type RuleContext } from './doors.js';
import { unclassified } from './finding.js';
import {
  advisoryReference, BACKUP, QLOCKER_STORY, QNAP_DISABLE_AUTO_ROUTER, QNAP_HARDEN, QNAP_REFERENCES,
  REMOTE_ACCESS_INSTEAD, REMOVE_FORWARD, ROUTER_DISABLE_UPNP, UPDATE_QNAP,
} from './guidance.js';
import { nasFindings, type NasVoice } from './nas.js';

/** QNAP's own devices: these rules tell QNAP's story and advice; other vendors' devices have theirs (src/rules/vendor-voice.ts). */
export function isQnap(device: QnapDevice | null | undefined): device is QnapDevice {
  return device?.vendor === 'QNAP';
}

/**
 * QNAP's words for the NAS rules (src/rules/nas.ts): the ids (qnap-admin-exposed-tcp-8080...), the Qlocker story and
 * QNAP's own advice, exactly as they were before the rules served every vendor: the diff and the watcher follow
 * these ids, and test/rules/qnap-rules.test.ts pins the texts.
 */
export const QNAP_VOICE: NasVoice = {
  prefix: 'qnap',
  speaksFor: isQnap,
  autoRouterSentence: "That description is what QNAP's Auto Router Configuration (miniupnpc) or a NAT-PMP client leaves: weak corroboration that the NAS asked for the forward itself.",
  story: () => QLOCKER_STORY,
  adminRemediation: (door) => [
    ...(door.via === 'upnp'
      ? [QNAP_DISABLE_AUTO_ROUTER, ROUTER_DISABLE_UPNP, `Delete the mapping ${door.protocol}/${door.externalPort} in the router's UPnP page (or restart the router once the NAS no longer asks for it).`]
      : [REMOVE_FORWARD(door.externalPort)]),
    REMOTE_ACCESS_INSTEAD, UPDATE_QNAP, BACKUP, QNAP_HARDEN,
  ],
  adminReferences: () => QNAP_REFERENCES,
  updateWhere: (_product, firmware) => (firmware ? 'Control Panel > System > Firmware Update, or the build from QNAP\'s download center' : 'App Center'),
  noFixStep: (product, ids, count, firmware, device) => `Update ${product} (${QNAP_VOICE.updateWhere(product, firmware, device)}): no fixed release is named for ${ids}; follow the advisor${count === 1 ? 'y' : 'ies'}.`,
  compareFixed: (_product, firmware, a, b) => {
    if (firmware) {
      const left = parseFirmware(a);
      const right = parseFirmware(b);
      return left && right ? compareFirmware(left, right) : null;
    }
    const left = parseAppVersion(a);
    const right = parseAppVersion(b);
    return left && right ? compareNumbers(left, right) : null;
  },
  afterUpdates: [UPDATE_QNAP],
  disableAutoForward: QNAP_DISABLE_AUTO_ROUTER,
  remoteAccessInstead: REMOTE_ACCESS_INSTEAD,
  compromiseCheck: 'Check the NAS for signs of compromise: unknown admin accounts, unknown scheduled tasks or apps, ransom notes; run QNAP Malware Remover (App Center).',
  backup: BACKUP,
  advisoryReference: (advisory) => advisoryReference(advisory),
  versionUnknownDescription: (device) => `The fingerprints say this is a QNAP ${device.os ?? 'NAS'} (${device.confidence} confidence), but no answer told its firmware build, so this scan cannot say whether it is below the fix for Qlocker, DeadBolt or later holes. Unknown means "cannot tell", not "safe".`,
  versionUnknownRemediation: () => ['Log in to the NAS and read the firmware version under Control Panel > System > Firmware Update; compare it with QNAP\'s security advisories.', UPDATE_QNAP],
  versionUnknownReferences: () => ['https://www.qnap.com/en/security-advisories'],
  appCheckStep: (apps, advisories) => `In App Center, read the installed version of ${apps} (if installed) and compare it with the fixed versions in ${advisories}; update when below.`,
  firmwareReadStep: 'Read the full firmware version and build under Control Panel > System > Firmware Update and compare it with the advisories named above.',
  afterUndecided: [UPDATE_QNAP],
};

function cloudLinkFinding(subjects: ReadonlyArray<{ address: string; device: QnapDevice }>): Finding {
  return {
    id: 'qnap-cloudlink-unseen',
    rule: 'qnap-cloudlink-unseen',
    severity: 'info',
    title: 'myQNAPcloud Link (the CloudLink relay) cannot be seen by any port scan: check it on the NAS',
    description:
      "myQNAPcloud Link makes the NAS reachable from the internet through QNAP's relay servers. The NAS opens the connection outwards, so no port is open and neither the router's mapping table nor a scan from outside can see it: this scan did not check it. QNAP recommends it over port forwarding; it still puts the login page in reach of anyone with the device's myQNAPcloud name, so know whether it is on.",
    evidence: subjects.map((subject) => ({ subject: subject.address, detail: `${deviceName(subject.device)}${subject.device.firmware ? ` ${firmwareName(subject.device) ?? ''}` : ''}: QNAP detected` })),
    remediation: [
      'On the NAS: App Center > installed apps: is "myQNAPcloud Link" (CloudLink) installed and running? myQNAPcloud > Access Control shows who can find the device (set it to Private or Customized).',
      'If you do not use remote access through myQNAPcloud, stop or remove myQNAPcloud Link and sign out of myQNAPcloud.',
    ],
    references: ['https://www.hkcert.org/security-news/qnap-urges-customers-to-disable-upnp-port-forwarding-on-routers', 'https://docs.qnap.com/operating-system/qts/5.0.x/en-us/configuring-device-access-controls-5B9D87AE.html'],
    classification: unclassified(),
  };
}

export function qnapFindings(context: RuleContext): Finding[] {
  const { findings, subjects } = nasFindings(QNAP_VOICE, context);
  if (subjects.length > 0) findings.push(cloudLinkFinding(subjects));
  return findings;
}
