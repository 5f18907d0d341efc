import type { ExposureReport } from '../core/report.generated.js';
import { findingId } from '../rules/finding.js';
import { routerIdParts } from '../rules/router-id.js';

/**
 * Reports recorded before finding ids named their router (they have no `coverage` either) used `upnp-mapping-tcp-8080`
 * for one router and the router's LAN address for several; ids now carry `udn-<hash>` or `loc-<host>-<port>` (README
 * "Finding ids"). The first diff after an upgrade would otherwise call every router-scoped finding resolved and new
 * again, and a watcher would alert about nothing that changed.
 */
export function recordedBeforeRouterIds(report: ExposureReport): boolean {
  return !('coverage' in report);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The id with the router named the way neither era disagrees on: not at all. */
export function idWithoutRouter(report: ExposureReport): (id: string) => string {
  const legacy = recordedBeforeRouterIds(report);
  const tokens = legacy
    ? report.gateways.length > 1
      ? report.gateways.map((gateway) => findingId('x', gateway.address).slice(2))
      : []
    : report.gateways.map((gateway) => findingId('x', ...routerIdParts(gateway, report.gateways)).slice(2));
  const patterns = [...new Set(tokens)].filter(Boolean).map((token) => new RegExp(`-${escapeRegExp(token)}(?=-|$)`));
  return (id) => {
    let plain = id;
    for (const pattern of patterns) plain = plain.replace(pattern, '');
    // A mapping limited to one remote host was `...-tcp-80-1-2-3-4`, now `...-tcp-80-from-1-2-3-4`.
    return legacy ? plain : plain.replace(/-(tcp|udp)-(\d+)-from-/, '-$1-$2-');
  };
}
