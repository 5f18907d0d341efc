import { createError } from '../core/errors.js';
import type { ExposureReport } from '../core/report.generated.js';
import type { HistoryStore } from '../store/types.js';
import { diffReports } from './diff.js';
import type { ReportDiff } from './types.js';

/** Which scans to compare: both ids, FROM alone (FROM to the newest done scan), or neither (the two newest done). */
export interface DiffRequest {
  from?: number | undefined;
  to?: number | undefined;
  /** Only this site's scans fill the ids left out (the newest done scans of the site). */
  site?: string | undefined;
}

/**
 * How a face names its history and what it tells the user to do: the codes are the service's, the words the
 * face's (the CLI names its database file and its commands; the API never shows a path and names its routes).
 */
export interface DiffWording {
  /** "The history" (API) or the database file (CLI), at the start of a sentence. */
  history: string;
  /** "the history" or the file, after "in". */
  where: string;
  notEnoughHint: string;
  notFoundHint: string;
  notDoneHint: string;
}

export const CLI_DIFF_WORDING = (file: string): DiffWording => ({
  history: file,
  where: file,
  notEnoughHint: 'Run "exposure scan --save" (or --db FILE) again, or let "exposure watch" run.',
  notFoundHint: 'Run "exposure history" to see the ids.',
  notDoneHint: 'Only done scans can be compared; "exposure history" shows each status.',
});

export const API_DIFF_WORDING: DiffWording = {
  history: 'The history',
  where: 'the history',
  notEnoughHint: 'Run another scan first (POST /v1/scans), or let a schedule run.',
  notFoundHint: 'GET /v1/scans lists the ids.',
  notDoneHint: 'Only done scans can be compared; GET /v1/scans/{id} shows its status.',
};

/**
 * The pair `exposure diff [FROM] [TO]` and `GET /v1/diff?from=&to=` compare. EXP_ERR_NOT_ENOUGH_HISTORY when ids
 * are left out and the history has fewer than two done scans to fill them.
 */
export async function diffPair(store: HistoryStore, request: DiffRequest, wording: DiffWording): Promise<{ from: number; to: number }> {
  let { from, to } = request;
  if (to === undefined) {
    const latest = await store.latestDone(2, request.site === undefined ? {} : { site: request.site });
    from ??= latest[1]?.id;
    to = latest[0]?.id;
  }
  if (from === undefined || to === undefined) throw createError('EXP_ERR_NOT_ENOUGH_HISTORY', `${wording.history} holds fewer than two finished scans`, { hint: wording.notEnoughHint });
  return { from, to };
}

/** A scan's report for a diff: EXP_ERR_SCAN_NOT_FOUND for an unknown id, EXP_ERR_SCAN_STATE for a scan without one. */
export async function reportFor(store: HistoryStore, id: number, site: string | undefined, wording: DiffWording): Promise<ExposureReport> {
  const scan = await store.getScan(id);
  if (!scan || (site !== undefined && scan.site !== site)) throw createError('EXP_ERR_SCAN_NOT_FOUND', `No scan ${id} in ${wording.where}${site === undefined ? '' : ` for site ${site}`}`, { hint: wording.notFoundHint });
  const report = await store.getReport(id);
  if (!report) throw createError('EXP_ERR_SCAN_STATE', `Scan ${id} is ${scan.status} and has no report`, { hint: wording.notDoneHint });
  return report;
}

/**
 * What changed between two scans of the history, for every face: the same pair chosen, the same codes when it
 * cannot be compared, and diffReports deciding what is comparable between the two (coverage, vantage, router ids).
 */
export async function diffFromHistory(store: HistoryStore, request: DiffRequest, wording: DiffWording): Promise<ReportDiff> {
  const { from, to } = await diffPair(store, request, wording);
  return diffReports(await reportFor(store, from, request.site, wording), await reportFor(store, to, request.site, wording), { from, to });
}
