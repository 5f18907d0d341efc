import { createHash } from 'node:crypto';
import type { Change, ReportDiff } from '../diff/types.js';
import { terminalSafe } from '../report/sanitize.js';
import type { AlertOn, ScanSummary } from '../store/types.js';
import type { WebhookPayload } from './webhook-payload.generated.js';

/** changes: what changed between two scans; baseline: the first scan of a schedule, as changes from nothing (from.scanId null). */
export type AlertKind = 'changes' | 'baseline';

/**
 * The webhook body: its type is generated from schemas/webhook-payload.schema.json (the published contract,
 * docs/webhooks.md), and the outbox checks every body against that schema before it is sent. The version changes
 * only with a breaking change.
 */
export type AlertPayload = WebhookPayload;

/** The site of a history that names none (src/store/site.ts has the same): a payload says so rather than leaving it out. */
const DEFAULT_SITE = 'default';

/** Keeps a body well under the 1 MiB most receivers accept (a change is a few hundred bytes). */
const MAX_CHANGES = 500;

const TEXT_LINES = 15;

/**
 * Slack reads <...> as links and mentions (<!channel>) and & as an entity start: a mapping description is written
 * by any LAN device, so these three are escaped (Slack's own rule), and control characters are made visible.
 */
export function slackEscape(text: string): string {
  return terminalSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function dedupeKey(webhook: string, diff: ReportDiff, matched: readonly Change[]): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([webhook, diff.from.scanId, diff.to.scanId, matched.map((change) => [change.kind, change.key])]));
  return hash.digest('hex').slice(0, 32);
}

function titleLine(kind: AlertKind, where: string, matched: number, alertOn: AlertOn): string {
  if (kind === 'changes') return `*exposure-scanner${where}: ${matched} change${matched === 1 ? '' : 's'} to look at*`;
  return matched === 0
    ? `*exposure-scanner${where}: monitoring started; nothing that passes your alert filter (${alertOn}) is exposed now*`
    : `*exposure-scanner${where}: monitoring started; ${matched} thing${matched === 1 ? '' : 's'} exposed now*`;
}

/** The first steps shown in the text; the JSON body's incident has them all. */
const INCIDENT_STEPS = 3;

function incidentLines(diff: ReportDiff): string[] {
  const { incident } = diff;
  if (!incident) return [];
  const steps = incident.firstSteps.slice(0, INCIDENT_STEPS).map((step, index) => `${index + 1}. ${slackEscape(step)}`);
  const rest = incident.firstSteps.length - steps.length;
  return [`:rotating_light: *INCIDENT: ${slackEscape(incident.title)}*`, '*Do this first (incident response, not hardening):*', ...steps, ...(rest > 0 ? [`(${rest} more step${rest === 1 ? '' : 's'} in the JSON body's incident)`] : [])];
}

export interface PayloadInput {
  webhook: string;
  diff: ReportDiff;
  matched: readonly Change[];
  alertOn: AlertOn;
  schedule: { id: number; name: string } | null;
  summary: ScanSummary | null;
  kind?: AlertKind;
  /** The site the scans are of (default "default"): one receiver may hear from several homes. */
  site?: string;
}

export function buildPayload(input: PayloadInput): AlertPayload {
  const { diff, matched } = input;
  const kind = input.kind ?? 'changes';
  const site = input.site ?? DEFAULT_SITE;
  // The title names the home only when there is more than one to tell apart.
  const names = [...(site === DEFAULT_SITE ? [] : [site]), ...(input.schedule ? [input.schedule.name] : [])];
  const where = names.length > 0 ? ` (${slackEscape(names.join(', '))})` : '';
  // An incident comes before anything else: a box showing a ransom note needs its first steps, not a change list.
  const lines = [...incidentLines(diff), titleLine(kind, where, matched.length, input.alertOn)];
  for (const change of matched.slice(0, TEXT_LINES)) lines.push(`• ${slackEscape(change.summary)}`);
  if (matched.length > TEXT_LINES) lines.push(`… and ${matched.length - TEXT_LINES} more`);
  const others = diff.changes.length - matched.length;
  if (others > 0) lines.push(`(${others} other change${others === 1 ? '' : 's'} in the JSON body)`);
  if (input.summary) lines.push(`Now: ${slackEscape(input.summary.headline)} (risk ${input.summary.riskScore}/100, highest ${input.summary.highestSeverity})`);
  const matchedSet = new Set(matched);
  return {
    type: kind === 'baseline' ? 'exposure.baseline' : 'exposure.changes',
    version: 1,
    site,
    text: lines.join('\n'),
    ...(diff.incident ? { incident: diff.incident } : {}),
    id: dedupeKey(input.webhook, diff, matched),
    alertOn: input.alertOn,
    schedule: input.schedule,
    from: diff.from,
    to: diff.to,
    summary: input.summary,
    changes: [...matched, ...diff.changes.filter((change) => !matchedSet.has(change))].slice(0, MAX_CHANGES).map((change) => ({ ...change, matched: matchedSet.has(change) })),
    omittedChanges: Math.max(0, diff.changes.length - MAX_CHANGES),
  };
}
