/**
 * Ports whose exposure is worth more than a generic forward: remote administration and file sharing, the doors
 * ransomware walked through (Qlocker and DeadBolt came in through QNAP's web admin on 8080/443).
 */
export const SENSITIVE_PORTS: ReadonlyMap<number, string> = new Map([
  [21, 'FTP'],
  [22, 'SSH'],
  [23, 'Telnet'],
  [80, 'HTTP (often a device admin page)'],
  [139, 'NetBIOS/SMB file sharing'],
  [443, 'HTTPS (often a device admin page)'],
  [445, 'SMB file sharing'],
  [548, 'AFP file sharing'],
  [873, 'rsync'],
  [3389, 'Remote Desktop'],
  [5000, 'NAS admin (Synology DSM / UPnP)'],
  [5001, 'NAS admin over HTTPS (Synology DSM)'],
  [5900, 'VNC remote desktop'],
  [8080, 'QNAP QTS admin / HTTP alternate'],
  [8081, 'QNAP QTS admin (HTTPS) / HTTP alternate'],
  [8443, 'HTTPS alternate admin'],
]);
