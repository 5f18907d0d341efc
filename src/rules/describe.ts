import type { Host, Mapping } from '../core/report.generated.js';

export function describeMapping(mapping: Mapping): string {
  const description = mapping.description ? ` "${mapping.description}"` : '';
  const lease = mapping.leaseDuration === 0 ? 'permanent' : `lease ${mapping.leaseDuration} s left`;
  const remote = mapping.remoteHost ? ` (only from ${mapping.remoteHost})` : '';
  return `${mapping.protocol}/${mapping.externalPort} -> ${mapping.internalClient}:${mapping.internalPort}${description}, ${mapping.enabled ? 'enabled' : 'disabled'}, ${lease}${remote}`;
}

const EVIDENCE_QUOTE = 160;

/** One evidence line per fingerprint that matched: what was asked, what answered (quoted, cut), how sure. */
export function fingerprintEvidence(host: Host): Array<{ subject: string; detail: string }> {
  return host.services.flatMap((service) =>
    service.fingerprints.map((match) => ({
      subject: `${host.address}:${service.port} (${service.scheme}, seen from ${host.seenFrom === 'lan' ? 'the LAN' : 'the internet'})`,
      detail: `fingerprint ${match.id}: ${match.product}${match.version ? ` ${match.version}` : ''}, ${match.confidence} confidence${match.path ? `, ${match.path}` : ''}: "${match.evidence.slice(0, EVIDENCE_QUOTE)}${match.evidence.length > EVIDENCE_QUOTE ? '…' : ''}"`,
    })),
  );
}
