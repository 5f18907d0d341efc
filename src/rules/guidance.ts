/**
 * QNAP's own advice and the sources for the ransomware story, in one place so every finding says it the same way.
 * Sources: ../shared/research/qnap/report.md §5 (QNAP security news Jan 2022, the April 2022 UPnP advisory via
 * HKCERT and Security Affairs, QSA-22-24).
 */

export const QNAP_DISABLE_AUTO_ROUTER =
  'On the NAS: myQNAPcloud > Auto Router Configuration > untick "Enable UPnP Port forwarding" (QNAP\'s own advice), so it stops asking the router to open ports.';
export const ROUTER_DISABLE_UPNP =
  'On the router: turn UPnP port forwarding off (often under Advanced > NAT or UPnP), then check that the mapping is gone; QNAP advises keeping the NAS behind the router with no port forwarded to it.';
export const REMOVE_FORWARD = (port: number): string =>
  `Remove any manual port forward or virtual server for port ${port} in the router, and confirm with a new scan (with --vantage) that the port no longer answers.`;
export const REMOTE_ACCESS_INSTEAD =
  'For remote access use a VPN (the router\'s VPN, WireGuard, or QNAP QVPN Service) or myQNAPcloud Link, which relays through QNAP\'s servers without an open port.';
export const UPDATE_QNAP =
  'Update the firmware (Control Panel > System > Firmware Update) and every app (App Center > Update all): QNAP fixed the Qlocker and DeadBolt holes in updates that many exposed boxes never installed.';
export const BACKUP =
  'Keep snapshots (Storage & Snapshots) and an offline copy of your data (3-2-1): the ransomware that used this path encrypted everything the NAS could reach.';
export const QNAP_HARDEN =
  'Disable SSH and Telnet if unused, change the default admin port, use strong passwords and 2-step verification, and enable IP Access Protection.';

export const QNAP_REFERENCES = [
  'https://www.qnap.com/en/security-news/2022/take-immediate-actions-to-stop-your-nas-from-exposing-to-the-internet-and-update-qts-to-the-latest-available-version-fight-against-ransomware-together',
  'https://www.hkcert.org/security-news/qnap-urges-customers-to-disable-upnp-port-forwarding-on-routers',
  'https://www.bleepingcomputer.com/news/security/qnap-confirms-qlocker-ransomware-used-hbs-backdoor-account/',
];

/** The one paragraph that tells the ransomware story; a door carries it in exactly one finding. */
export const QLOCKER_STORY =
  'Qlocker (April 2021) and DeadBolt (2022) ransomware encrypted thousands of QNAP NAS boxes through exactly this path: the web admin page (8080/443 by default) forwarded to the internet, often by UPnP that the NAS itself had asked the router for, on firmware or apps below the fix.';

export function advisoryReference(advisory: string): string | null {
  const qsa = /^QSA-(\d{2})-(\d{1,3})$/i.exec(advisory.trim());
  return qsa ? `https://www.qnap.com/en/security-advisory/qsa-${qsa[1] ?? ''}-${qsa[2] ?? ''}` : null;
}

export function cveReference(cve: string): string | null {
  return /^CVE-\d{4}-\d{4,7}$/.test(cve) ? `https://nvd.nist.gov/vuln/detail/${cve}` : null;
}

export const KEV_REFERENCE = 'https://www.cisa.gov/known-exploited-vulnerabilities-catalog';
