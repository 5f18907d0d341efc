import { alertView, renderAlertsText } from '../alerts/render.js';
import { CLI_DIFF_WORDING, diffFromHistory } from '../diff/service.js';
import type { ReportDiff } from '../diff/types.js';
import { formatNames, isFormat, renderAs } from '../report/formats.js';
import { validateSite } from '../store/site.js';
import type { AlertStatus, HistoryStore } from '../store/types.js';
import path from 'node:path';
import { ALERTS_HELP, DIFF_HELP, HISTORY_HELP, REJUDGE_HELP } from './help.js';
import { numberOption } from './number-option.js';
import type { Io } from './io.js';
import { openHistory } from './preflight.js';
import { parseCommandArgs, usageError } from './usage.js';

const COMMON = { help: { type: 'boolean', short: 'h' }, db: { type: 'string' }, format: { type: 'string' }, site: { type: 'string' } } as const;

function parse(command: 'history' | 'diff' | 'alerts', argv: readonly string[]) {
  return parseCommandArgs(command, argv, { ...COMMON, limit: { type: 'string' }, status: { type: 'string' } }, command === 'diff');
}

/** history and diff print the format registry's formats (src/report/formats.ts); alerts has text and json of its own. */
function format(command: 'history' | 'diff' | 'alerts', raw: string | undefined): string {
  const value = raw ?? 'text';
  const names: readonly string[] = command === 'alerts' ? ['text', 'json'] : formatNames(command);
  if (!names.includes(value)) throw usageError(command, `--format must be ${names.join(' or ')}, not "${value}"`);
  return value;
}

async function withStore<T>(file: string | undefined, work: (store: HistoryStore) => Promise<T>): Promise<T> {
  const store = await openHistory(file);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** --site: only that site's scans, alerts or diff (a filter: without it, every site). EXP_ERR_SITE_INVALID, as the API's ?site=. */
function siteFilter(raw: string | undefined): { site?: string } {
  return raw === undefined ? {} : { site: validateSite(raw) };
}

/** exposure history: the newest scans, newest first; `exposure history rejudge ID` judges one again. */
export async function historyCommand(argv: readonly string[], io: Io): Promise<number> {
  if (argv[0] === 'rejudge') return rejudgeCommand(argv.slice(1), io);
  const { values } = parse('history', argv);
  if (values.status !== undefined) throw usageError('history', 'history has no --status option');
  if (values.help) {
    io.stdout.write(HISTORY_HELP);
    return 0;
  }
  const output = format('history', values.format);
  const limit = numberOption('history', 'limit', values.limit, 20, 1, 500);
  const site = siteFilter(values.site);
  const scans = await withStore(values.db, async (store) => (await store.listScans({ limit, ...site })).items);
  io.stdout.write(renderAs('history', output, scans));
  return 0;
}

function scanId(raw: string, command = 'diff'): number {
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) throw usageError(command, `"${raw}" is not a scan id (see "exposure history")`);
  return Number(raw);
}

/**
 * exposure history rejudge ID: the stored scan's facts judged again with the packs loaded now (read-only), and what
 * that changes. Exit 0 when nothing changed, 1 when a verdict or a finding did (as diff), 2 on errors.
 */
async function rejudgeCommand(argv: readonly string[], io: Io): Promise<number> {
  const command = 'history rejudge';
  const { values, positionals } = parseCommandArgs(command, argv, { ...COMMON, 'vendor-pack': { type: 'string', multiple: true } }, true);
  if (values.help) {
    io.stdout.write(REJUDGE_HELP);
    return 0;
  }
  const raw = values.format ?? 'text';
  if (!isFormat('rejudge', raw)) throw usageError(command, `--format must be ${formatNames('rejudge').join(' or ')}, not "${raw}"`);
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) throw usageError(command, 'history rejudge takes one scan id (see "exposure history")');
  const site = siteFilter(values.site);
  // Loaded here: judging pulls in the rules, the report build and the packs, which listing the history does not need.
  const { rejudgeFromHistory, CLI_REJUDGE_PACK_HINT } = await import('../diff/rejudge.js');
  const vendorPacks = values['vendor-pack']?.map((folder) => path.resolve(folder));
  const rejudged = await withStore(values.db, async (store) =>
    rejudgeFromHistory(store, { id: scanId(id, command), ...site, vendorPacks }, { ...CLI_DIFF_WORDING(store.file), packHint: CLI_REJUDGE_PACK_HINT }),
  );
  io.stdout.write(renderAs('rejudge', raw, rejudged));
  return rejudged.verdicts.length === 0 && rejudged.diff.changes.length === 0 ? 0 : 1;
}

/**
 * exposure diff [FROM] [TO]: what changed. No ids: the two newest done scans; one id: from that scan to the
 * newest. Exit 0 when nothing changed, 1 when something did (like diff(1)), 2 on errors.
 */
export async function diffCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse('diff', argv);
  if (values.limit !== undefined || values.status !== undefined) throw usageError('diff', 'diff has no --limit or --status option');
  if (values.help) {
    io.stdout.write(DIFF_HELP);
    return 0;
  }
  const output = format('diff', values.format);
  if (positionals.length > 2) throw usageError('diff', 'diff takes at most two scan ids: FROM and TO');
  const ids = positionals.map((raw) => scanId(raw));
  const site = siteFilter(values.site);
  // The pair, the codes and what is comparable come from the diff service the API's /v1/diff uses too.
  const store = await openHistory(values.db);
  let diff: ReportDiff;
  try {
    diff = await diffFromHistory(store, { from: ids[0], to: ids[1], ...site }, CLI_DIFF_WORDING(store.file));
  } finally {
    await store.close();
  }
  io.stdout.write(renderAs('diff', output, diff));
  return diff.changes.length === 0 ? 0 : 1;
}

const ALERT_STATUSES: readonly AlertStatus[] = ['pending', 'delivered', 'abandoned'];

/** exposure alerts: the webhook outbox, newest first: what was sent, what waits for a retry, what was given up. */
export async function alertsCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parse('alerts', argv);
  if (values.help) {
    io.stdout.write(ALERTS_HELP);
    return 0;
  }
  const output = format('alerts', values.format);
  const limit = numberOption('alerts', 'limit', values.limit, 20, 1, 500);
  const status = values.status as AlertStatus | undefined;
  if (status !== undefined && !ALERT_STATUSES.includes(status)) throw usageError('alerts', `--status must be ${ALERT_STATUSES.join(', ')}, not "${values.status ?? ''}"`);
  const site = siteFilter(values.site);
  const alerts = await withStore(values.db, async (store) => {
    const schedules = await store.listSchedules(site);
    return (await store.listAlerts({ limit, ...(status ? { status } : {}), ...site })).map((alert) => alertView(alert, schedules));
  });
  io.stdout.write(output === 'json' ? `${JSON.stringify({ alerts }, null, 2)}\n` : renderAlertsText(alerts));
  return 0;
}
