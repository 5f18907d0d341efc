import type { ExposureReport } from '../core/report.generated.js';
import type { Change, ReportDiff } from '../diff/types.js';
import { coverageOf } from '../report/coverage-of.js';

/** A requested view that has been failing this many scans in a row raises one new-exposure alert (README "Alert filters"). */
export const DEFAULT_COVERAGE_ALERT_AFTER = 3;

const VIEW_WORDS = { inside: "the router's tables (inside view)", outside: 'the outside view' } as const;

function failing(report: ExposureReport, view: 'inside' | 'outside'): boolean {
  const coverage = coverageOf(report)[view];
  return coverage.requested && coverage.status === 'failed';
}

/**
 * A view that fails once is one coverage-changed (not an alert under new-exposure: agents have bad minutes); one that
 * has failed `after` scans in a row is news, once: the change that reports it is marked newExposure, exactly on the
 * scan where the streak reaches `after`, never again until the view has worked and failed anew.
 * `recent` is the schedule's newest done reports, newest first, at least `after + 1` of them when there are.
 */
export function withCoverageStreak(diff: ReportDiff, recent: readonly ExposureReport[], after: number = DEFAULT_COVERAGE_ALERT_AFTER): ReportDiff {
  const changes: Change[] = [...diff.changes];
  for (const view of ['inside', 'outside'] as const) {
    let streak = 0;
    while (streak < recent.length && streak <= after && failing(recent[streak] as ExposureReport, view)) streak++;
    if (streak !== after) continue;
    const reason = coverageOf(recent[0] as ExposureReport)[view].reason;
    const summary = `${VIEW_WORDS[view]} has failed in the last ${after} scan${after === 1 ? '' : 's'}${reason ? `: ${reason.code}: ${reason.message}` : ''}; until it works, changes there are not seen`;
    const index = changes.findIndex((change) => change.kind === 'coverage-changed' && change.key === view);
    const existing = changes[index];
    if (existing) changes[index] = { ...existing, summary, newExposure: true };
    else changes.push({ kind: 'coverage-changed', key: view, summary, severity: null, newExposure: true, before: 'failed', after: 'failed' });
  }
  return { ...diff, changes };
}
