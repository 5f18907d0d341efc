import { createError } from './errors.js';
import type { ProbeManifest } from './probe.js';

const PROBE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * The probes in an order where each comes after every probe it names in `after`; among probes free to go, the id
 * decides, so the order (of the report's sections, of observations of one kind from two probes) never depends on
 * the order of registration or on which probe finished first. Refuses duplicate or malformed ids, an `after` naming
 * no registered probe, and a cycle: each is a bug of the probe that would otherwise surface mid-scan.
 */
export function orderProbes(probes: readonly ProbeManifest[]): ProbeManifest[] {
  const byId = new Map<string, ProbeManifest>();
  for (const probe of probes) {
    if (!PROBE_ID.test(probe.id)) throw createError('EXP_ERR_REPORT_INVALID', `probe id "${probe.id}" is not kebab-case`);
    if (byId.has(probe.id)) throw createError('EXP_ERR_REPORT_INVALID', `two probes have the id "${probe.id}"`);
    byId.set(probe.id, probe);
  }
  for (const probe of probes) {
    for (const needed of probe.after ?? []) {
      if (!byId.has(needed)) throw createError('EXP_ERR_REPORT_INVALID', `probe "${probe.id}" runs after "${needed}", which is not registered`);
    }
    for (const early of [...Object.keys(probe.startsEarly ?? {}), ...(probe.startsAtOnce ?? [])]) {
      if (!(probe.after ?? []).includes(early)) throw createError('EXP_ERR_REPORT_INVALID', `probe "${probe.id}" starts early on "${early}", which is not in its "after"`);
    }
  }
  const ordered: ProbeManifest[] = [];
  const placed = new Set<string>();
  const waiting = [...probes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  while (waiting.length > 0) {
    const index = waiting.findIndex((probe) => (probe.after ?? []).every((needed) => placed.has(needed)));
    const next = waiting[index];
    if (next === undefined) throw createError('EXP_ERR_REPORT_INVALID', `the probes ${waiting.map((probe) => probe.id).join(', ')} wait on each other (a cycle in "after")`);
    waiting.splice(index, 1);
    placed.add(next.id);
    ordered.push(next);
  }
  return ordered;
}

/** A probe's own `after` and theirs, all the way down: what it may read. */
export function probesBefore(probe: ProbeManifest, probes: readonly ProbeManifest[]): Set<string> {
  const byId = new Map(probes.map((candidate) => [candidate.id, candidate]));
  const needed = new Set<string>();
  const visit = (id: string): void => {
    if (needed.has(id)) return;
    needed.add(id);
    for (const next of byId.get(id)?.after ?? []) visit(next);
  };
  for (const id of probe.after ?? []) visit(id);
  return needed;
}
