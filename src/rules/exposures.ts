import type { Exposure, Finding } from '../core/report.generated.js';
import { deviceName, firmwareName, type Door, type QnapDoor, type RuleContext } from './doors.js';
import { SENSITIVE_PORTS } from './ports.js';
import { priority } from './score.js';
import { severityRank } from './severity.js';
import { FILE_SHARING_PORTS, REMOTE_ACCESS_PORTS, servicePort } from './story.js';

const LABEL_LIMIT = 80;

function routerLabel(door: Door, context: RuleContext): string {
  const what = context.routerPorts.get(door.key);
  return `router: ${what ?? 'its own service'}`.slice(0, LABEL_LIMIT);
}

/** What is behind a door, in a few words, for the diagram and tables. */
function labelOf(door: Door, context: RuleContext, qnapByDoor: ReadonlyMap<Door, QnapDoor>): string {
  if (door.via === 'router') return routerLabel(door, context);
  const qnap = qnapByDoor.get(door);
  if (qnap) {
    const firmware = firmwareName(qnap.device);
    return qnap.admin ? `${deviceName(qnap.device)} admin${firmware ? ` (${firmware})` : ''}` : `${deviceName(qnap.device)} port ${servicePort(door)}`;
  }
  const port = servicePort(door);
  const known = FILE_SHARING_PORTS.get(port) ?? REMOTE_ACCESS_PORTS.get(port);
  if (known) return known;
  if (door.mapping?.description) return door.mapping.description.slice(0, LABEL_LIMIT);
  const seen = context.wanPorts.get(door.key);
  const service = [seen?.service, seen?.product].filter(Boolean).join(' ');
  return (service || SENSITIVE_PORTS.get(port) || (door.via === 'unexplained' ? 'unknown service (no UPnP mapping)' : 'unnamed mapping')).slice(0, LABEL_LIMIT);
}

/**
 * Every door the scan found, each with the findings about it (worst first) and its worst severity: the report's
 * exposure list, from which the HTML diagram is drawn without any joining in the renderer.
 */
export function buildExposures(context: RuleContext, findings: readonly Finding[]): Exposure[] {
  const qnapByDoor = new Map(context.qnapDoors.map((candidate) => [candidate.door, candidate]));
  const byKey = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (finding.exposure === undefined) continue;
    const related = byKey.get(finding.exposure);
    if (related) related.push(finding);
    else byKey.set(finding.exposure, [finding]);
  }
  const exposures = context.doors.map((door): Exposure => {
    const related = [...(byKey.get(door.key) ?? [])].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || priority(a) - priority(b) || a.id.localeCompare(b.id, 'en'));
    return {
      key: door.key,
      protocol: door.protocol,
      externalPort: door.externalPort,
      via: door.via,
      gateway: door.gateway?.address ?? null,
      internalClient: door.internalClient,
      internalPort: door.internalPort,
      label: labelOf(door, context, qnapByDoor),
      reachability: door.reachability,
      severity: related[0]?.severity ?? 'info',
      findings: related.map((finding) => finding.id),
    };
  });
  // Worst door first; among equals, the order of the router's table (stable sort).
  return exposures.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}
