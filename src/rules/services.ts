import type { Finding, Severity } from '../core/report.generated.js';
import { describeMapping } from './describe.js';
import { doorLevel, reachabilityWords, type Door, type DoorLevel, type RuleContext } from './doors.js';
import { unclassified } from './finding.js';
import { REMOTE_ACCESS_INSTEAD, REMOVE_FORWARD, ROUTER_DISABLE_UPNP } from './guidance.js';
import { FILE_SHARING_PORTS, REMOTE_ACCESS_PORTS, serviceFindingId, servicePort } from './story.js';

/** Why each of these must never face the internet: the story a door to one of them carries. */
const WHY: Readonly<Record<number, { story: string; references: string[]; cve?: string[] }>> = {
  21: { story: 'FTP sends passwords in clear text and is brute-forced around the clock; QNAP\'s FTP server has had its own holes.', references: ['https://www.cisa.gov/news-events/news/securing-network-infrastructure-devices'] },
  139: { story: 'NetBIOS/SMB must never face the internet: WannaCry spread through it, and Checkmate ransomware (2023) brute-forced internet-facing SMB on QNAP NAS boxes.', references: ['https://www.bleepingcomputer.com/news/security/qnap-warns-of-new-checkmate-ransomware-targeting-nas-devices/'] },
  445: { story: 'SMB must never face the internet: WannaCry spread through it (EternalBlue), and Checkmate ransomware (2023) brute-forced internet-facing SMB on QNAP NAS boxes.', references: ['https://www.bleepingcomputer.com/news/security/qnap-warns-of-new-checkmate-ransomware-targeting-nas-devices/', 'https://www.cisa.gov/news-events/alerts/2017/05/12/indicators-associated-wannacry-ransomware'] },
  548: { story: 'AFP (Apple Filing Protocol) is a LAN file-sharing protocol, deprecated by Apple, with a history of remote holes in its Netatalk server; it was never meant for the internet.', references: ['https://nvd.nist.gov/vuln/detail/CVE-2018-1160'] },
  23: { story: 'Telnet sends passwords in clear text, and internet-facing Telnet is what Mirai-style botnets log in to with default passwords.', references: ['https://www.cisa.gov/news-events/alerts/2016/10/14/heightened-ddos-threat-posed-mirai-and-other-botnets'] },
  3389: { story: 'Internet-facing Remote Desktop is one of the most common ways ransomware gangs get in, by password guessing or holes such as BlueKeep (CVE-2019-0708).', references: ['https://www.cisa.gov/news-events/alerts/2019/06/17/microsoft-operating-systems-bluekeep-vulnerability'] },
  5900: { story: 'VNC often has a weak or no password and sends the screen unencrypted; internet-facing VNC is scanned for constantly.', references: [] },
};

/** from-inside is a hairpin scan's word alone (no mapping, no outside view): never above medium. */
const SEVERITY: Readonly<Record<DoorLevel, Severity>> = { confirmed: 'critical', forwarded: 'high', 'from-inside': 'medium', blocked: 'low' };

function serviceFinding(door: Door, id: string): Finding {
  const port = servicePort(door);
  const fileSharing = FILE_SHARING_PORTS.has(port);
  const name = FILE_SHARING_PORTS.get(port) ?? REMOTE_ACCESS_PORTS.get(port) ?? `port ${port}`;
  const why = WHY[port];
  const level = doorLevel(door);
  const target = door.internalClient ? `${door.internalClient}:${port}` : `port ${door.externalPort} of your external address`;
  const evidence = door.mapping && door.gateway ? [{ subject: `${door.gateway.location} ${door.protocol}/${door.externalPort}`, detail: describeMapping(door.mapping) }] : [];
  evidence.push({ subject: `${door.protocol}/${door.externalPort}`, detail: reachabilityWords(door) });
  return {
    id,
    rule: fileSharing ? 'file-sharing-exposed' : 'remote-access-exposed',
    severity: SEVERITY[level],
    title: `${name} on ${target} ${level === 'confirmed' ? 'is reachable from the internet' : level === 'blocked' ? 'is forwarded, but not reachable from the internet right now' : level === 'from-inside' ? 'answers on your external address (seen from inside, not an outside view)' : 'is forwarded to the internet'}${door.via === 'upnp' ? ' (UPnP)' : ''}`,
    description: `${door.via === 'upnp' ? `A UPnP mapping forwards ${door.protocol}/${door.externalPort} to ${target}.` : `Port ${door.externalPort} answers on your external address and no UPnP mapping explains it.`} ${reachabilityWords(door).replace(/^./, (first) => first.toUpperCase())}. ${why?.story ?? ''}`.trim(),
    evidence,
    remediation: [
      door.via === 'upnp' ? `Delete the mapping ${door.protocol}/${door.externalPort} and turn off automatic port forwarding on ${door.internalClient ?? 'the device'} (on a QNAP NAS: myQNAPcloud > Auto Router Configuration).` : REMOVE_FORWARD(door.externalPort),
      ...(door.via === 'upnp' ? [ROUTER_DISABLE_UPNP] : []),
      REMOTE_ACCESS_INSTEAD,
      ...(fileSharing ? ['For sharing files with people outside, use a share link over HTTPS (QNAP File Station share links through myQNAPcloud) rather than the file-sharing protocol itself.'] : []),
    ],
    references: why?.references ?? [],
    classification: { ...unclassified(), cwe: ['CWE-668'] },
    exposure: door.key,
  };
}

/** File sharing (21, 139, 445, 548) and remote access (23, 3389, 5900) reachable through any door: each carries its own story. */
export function serviceFindings(context: RuleContext): Finding[] {
  return context.doors.flatMap((door) => {
    const id = serviceFindingId(door);
    return id ? [serviceFinding(door, id)] : [];
  });
}
