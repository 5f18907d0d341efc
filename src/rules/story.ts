import type { Door, RuleContext } from './doors.js';
import { findingId } from './finding.js';
import { adminFindingId, nasPrefix } from './nas.js';

/** Ports whose exposure has its own finding with its own story (services.ts). */
export const FILE_SHARING_PORTS: ReadonlyMap<number, string> = new Map([
  [21, 'FTP'],
  [139, 'NetBIOS/SMB file sharing'],
  [445, 'SMB file sharing'],
  [548, 'AFP file sharing'],
]);
export const REMOTE_ACCESS_PORTS: ReadonlyMap<number, string> = new Map([
  [23, 'Telnet'],
  [3389, 'Remote Desktop (RDP)'],
  [5900, 'VNC remote desktop'],
]);

/** The port that says what the door leads to: the internal port when a mapping names it, else the external one. */
export function servicePort(door: Door): number {
  return door.internalPort ?? door.externalPort;
}

export function serviceFindingId(door: Door): string | null {
  if (door.protocol !== 'TCP') return null;
  const port = servicePort(door);
  if (FILE_SHARING_PORTS.has(port)) return findingId('file-sharing-exposed', door.protocol, door.externalPort);
  if (REMOTE_ACCESS_PORTS.has(port)) return findingId('remote-access-exposed', door.protocol, door.externalPort);
  return null;
}

/**
 * Several rules fire about one port (the mapping, the open WAN port, the QNAP admin page); only one of them tells
 * the story of what it means (Qlocker used exactly this path). This says which finding carries it, so the others
 * stay specific and point to it instead of repeating it.
 */
export function storyFindingId(context: RuleContext, door: Door): string | null {
  // The admin finding of the device's own vendor: QNAP's qnap-admin-exposed-..., every other vendor's nas-admin-exposed-...
  const device = context.qnapAdminDoors.get(door.key);
  if (device) return adminFindingId(nasPrefix(device), door);
  return serviceFindingId(door);
}
