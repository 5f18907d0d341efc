import { createError } from '../core/errors.js';
import type { ScanOptions } from '../core/options.js';
import type { ExposureReport, Host, Summary, Verdict } from '../core/report.generated.js';
import { PROBES } from '../../probes/registry.js';
import { assembleReport } from '../report/build.js';
import { judge } from '../rules/judge.js';
import type { HistoryStore } from '../store/types.js';
import { loadPacks } from '../vendors/load.js';
import { diffReports } from './diff.js';
import { replayObservations } from './replay.js';
import { reportFor, type DiffWording } from './service.js';
import type { Rejudgement, SummaryBrief, VerdictChange } from './types.js';

/** Which stored scan to judge again, and with which packs besides the shipped ones. */
export interface RejudgeRequest {
  id: number;
  /** The scan must belong to this site (as diff's --site / ?site=). */
  site?: string | undefined;
  /** Folders of user packs (--vendor-pack); left out, the folders the scan was recorded with. */
  vendorPacks?: readonly string[] | undefined;
}

export const CLI_REJUDGE_PACK_HINT = 'Give the folder that holds that pack with --vendor-pack DIR (the scan was recorded with it), or judge with the shipped packs only after removing it from the scan\'s options.';
export const API_REJUDGE_PACK_HINT = 'The pack folder the scan was recorded with is gone from this server; judge it with "exposure history rejudge ID --vendor-pack DIR".';

/**
 * A host held against a pack that is not loaded now would lose every verdict, and the rejudgement would report
 * them all as gone: that is a missing folder, not news about the device. Refused with the pack and the host named.
 */
function checkPacksLoaded(report: ExposureReport, vendorPacks: readonly string[], hint: string): void {
  const loaded = new Set(loadPacks(vendorPacks).packs.map((pack) => pack.pack.id));
  for (const host of report.hosts) {
    const pack = host.device?.pack;
    if (pack !== undefined && !loaded.has(pack)) throw createError('EXP_ERR_REJUDGE_PACK_MISSING', { pack, host: host.address }, { hint });
  }
}

const hostKey = (host: Host): string => (host.seenFrom === 'wan' ? 'wan' : host.address);

function verdictChanges(from: readonly Host[], to: readonly Host[]): VerdictChange[] {
  const byHost = (hosts: readonly Host[]): Map<string, Map<string, Verdict>> => new Map(hosts.map((host) => [hostKey(host), new Map(host.verdicts.map((verdict) => [verdict.advisory, verdict]))]));
  const before = byHost(from);
  const after = byHost(to);
  const changes: VerdictChange[] = [];
  for (const host of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(host) ?? new Map<string, Verdict>();
    const now = after.get(host) ?? new Map<string, Verdict>();
    for (const advisory of new Set([...was.keys(), ...now.keys()])) {
      const old = was.get(advisory);
      const current = now.get(advisory);
      if (old?.status === current?.status) continue;
      const shown = current ?? old;
      if (!shown) continue;
      const found = current?.foundVersion ?? old?.foundVersion ?? null;
      changes.push({
        host,
        advisory,
        component: shown.component,
        before: old?.status ?? null,
        after: current?.status ?? null,
        foundVersion: found,
        fixedVersion: current?.fixedVersion ?? null,
        summary: `${host}: ${advisory} (${shown.component}) ${old?.status ?? 'no verdict'} -> ${current?.status ?? 'no verdict'}${found ? `, found ${found}` : ''}${current?.fixedVersion ? `, fixed in ${current.fixedVersion}` : ''}`,
      });
    }
  }
  return changes;
}

/**
 * A stored report judged again: its facts replayed as observations, through the scan's own rules and report build,
 * with the options given (the packs among them). Pure apart from reading pack files.
 */
export function judgeAgain(stored: ExposureReport, options: ScanOptions): ExposureReport {
  const observations = replayObservations(stored, PROBES);
  return assembleReport({ startedAt: new Date(stored.startedAt), finishedAt: new Date(stored.finishedAt), options, observations, judgement: judge(observations, options), probes: PROBES });
}

const brief = (summary: Summary): SummaryBrief => ({ headline: summary.headline, riskScore: summary.riskScore, highestSeverity: summary.highestSeverity });

/**
 * Judges a stored scan's facts again with the packs loaded now, read-only: the stored scan is never written. The
 * facts come back from the report (src/diff/replay.ts), the rules and the report build are the scan's own, and the
 * diff is the one `exposure diff` uses, so "what changed" means the same everywhere.
 */
export async function rejudgeFromHistory(store: HistoryStore, request: RejudgeRequest, wording: DiffWording & { packHint: string }): Promise<Rejudgement> {
  const stored = await reportFor(store, request.id, request.site, wording);
  // reportFor found it, so the record is there.
  const scan = await store.getScan(request.id);
  if (!scan) throw createError('EXP_ERR_SCAN_NOT_FOUND', `No scan ${request.id} in ${wording.where}`, { hint: wording.notFoundHint });
  const vendorPacks = [...(request.vendorPacks ?? scan.options.vendorPacks ?? [])];
  checkPacksLoaded(stored, vendorPacks, wording.packHint);
  const rejudged = judgeAgain(stored, { ...scan.options, vendorPacks });
  // The incident is told once, at the top of the answer, not again inside the diff.
  const diff = diffReports(stored, rejudged, { from: request.id });
  delete diff.incident;
  return {
    ...(rejudged.incident ? { incident: rejudged.incident } : {}),
    scan: { id: scan.id, site: scan.site, startedAt: stored.startedAt, finishedAt: stored.finishedAt, recordedWith: `${stored.tool.name} ${stored.tool.version}` },
    packs: { then: stored.vendorPacks ?? null, now: rejudged.vendorPacks ?? [] },
    summary: { then: brief(stored.summary), now: brief(rejudged.summary) },
    verdicts: verdictChanges(stored.hosts, rejudged.hosts),
    diff,
  };
}
