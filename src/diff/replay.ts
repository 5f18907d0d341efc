import type { Observation } from '../core/observation.js';
import type { ProbeManifest } from '../core/probe.js';
import type { ExposureReport, Host, Warning } from '../core/report.generated.js';

/**
 * A stored report's facts as the observations the rules read, so the scan can be judged again with the data loaded
 * now (`exposure history rejudge`). The report holds what every probe observed: the schema 1.0 fields below (a
 * closed set: probes added later put their observations in `report.probes[id][kind]`, which replays generically),
 * the hosts' facts (vendor, pack, product line, model, version and where it was read; the verdicts are the rules'
 * and are dropped here), and since incident mode each warning's probe and subject.
 *
 * What a stored report cannot give back, and what that costs (docs/decisions/0016-rejudge-and-incident-mode.md):
 * - the time of each observation: every one gets the scan's start, which is what "data age" is measured from;
 * - NAT-PMP answers beyond the one the report shows (a second router answering NAT-PMP behind double NAT);
 * - the probe of a warning in a report written before warnings kept it: read from its code and words.
 */

/** Which report field holds each kind a schema 1.0 probe observes, and whether it is a list. */
const FIELDS: Readonly<Record<string, { field: keyof ExposureReport; list: boolean }>> = {
  discovery: { field: 'discovery', list: false },
  gateway: { field: 'gateways', list: true },
  'nat-pmp': { field: 'natPmp', list: false },
  wan: { field: 'wan', list: false },
  host: { field: 'hosts', list: true },
  myqnapcloud: { field: 'myqnapcloud', list: false },
  access: { field: 'access', list: false },
};

/** The probe a warning came from, for reports written before warnings kept it: by the words each probe writes. */
function legacyWarningProbe(warning: Warning): string {
  if (warning.code.startsWith('EXP_ERR_VANTAGE')) return 'wan-scan';
  if (warning.message.startsWith('Could not read the UPnP device at ')) return 'upnp-igd';
  if (warning.message.includes('was not fingerprinted')) return 'qnap';
  return 'local';
}

function subjectOf(kind: string, data: unknown): string {
  if (kind === 'gateway') return (data as { location: string }).location;
  if (kind === 'host') return (data as Host).address;
  if (kind === 'wan') return 'wan';
  return kind === 'discovery' ? 'lan' : kind;
}

/** A host's facts: what the device said, without the verdicts a judgement gave it. */
function hostFacts(host: Host): Host {
  // Hosts written before vendor packs (no device.pack) keep their verdicts: the rules judge only pack-recognised ones.
  return host.device?.pack === undefined ? host : { ...host, verdicts: [] };
}

export function replayObservations(report: ExposureReport, probes: readonly ProbeManifest[]): Observation[] {
  const at = report.startedAt;
  const observations: Array<{ probe: string; kind: string; subject: string; at: string; data: unknown }> = [];
  if (report.localNetworks) observations.push({ probe: 'local', kind: 'local-networks', subject: 'host', at, data: { networks: report.localNetworks, defaultGateways: [] } });
  for (const probe of probes) {
    for (const kind of Object.keys(probe.observes)) {
      // The outside view's scope on a shared or unreachable line (decision 0019) is kept in the coverage it shaped.
      if (kind === 'outside-scope') {
        const scope = report.coverage.outside.scope;
        if (scope) observations.push({ probe: probe.id, kind, subject: 'wan', at, data: scope });
        continue;
      }
      const place = FIELDS[kind];
      if (place) {
        const value: unknown = report[place.field];
        if (value === undefined) continue;
        const items: unknown[] = place.list ? (value as unknown[]) : [value];
        for (const item of items) observations.push({ probe: probe.id, kind, subject: subjectOf(kind, item), at, data: kind === 'host' ? hostFacts(item as Host) : item });
        continue;
      }
      // A probe of a later kind: the report keeps its observations' data under probes[id][kind].
      for (const data of report.probes?.[probe.id]?.[kind] ?? []) observations.push({ probe: probe.id, kind, subject: probe.id, at, data });
    }
  }
  for (const warning of report.warnings) {
    const { probe, subject, ...data } = warning;
    observations.push({ probe: probe ?? legacyWarningProbe(warning), kind: 'warning', subject: subject ?? 'report', at, data });
  }
  // The shapes are the report's own, checked by its schema when it was stored: each data is its kind's.
  return observations as Observation[];
}
