import { atLeast } from '../rules/severity.js';
import type { Severity } from '../core/report.generated.js';
import type { Change } from '../diff/types.js';
import type { AlertOn } from '../store/types.js';

/**
 * Does this change raise an alert under the filter? (README "Alert filters" documents exactly this.)
 * - any: every change, including resolved findings and closed ports.
 * - new-exposure: changes marked newExposure by the diff: a mapping added or re-enabled or pointed at another
 *   machine, a WAN port newly open, a new finding of medium or above, a finding raised to medium or above,
 *   the WAN address becoming public (from private or CGNAT), a view you asked for failing N scans in a row.
 * - coverage: only changes of coverage (a view that stopped or started working, or has been failing for N scans).
 * - severity:X: a new finding at X or above, or a finding whose severity rose from below X to X or above.
 * A new sign of compromise (change.incident: a box showing a ransom note) passes every filter: a filter chosen to
 * keep the noise down (coverage only, severity:critical) must never keep an incident from its owner
 * (docs/decisions/0016-rejudge-and-incident-mode.md).
 */
export function matchesFilter(change: Change, filter: AlertOn): boolean {
  if (filter === 'any') return true;
  if (change.incident === true && change.kind === 'finding-new') return true;
  if (filter === 'new-exposure') return change.newExposure;
  if (filter === 'coverage') return change.kind === 'coverage-changed';
  const threshold = filter.slice('severity:'.length) as Severity;
  if (change.severity === null) return false;
  if (change.kind === 'finding-new') return atLeast(change.severity, threshold);
  if (change.kind === 'finding-severity-changed') return atLeast(change.severity, threshold) && (change.previousSeverity === undefined || !atLeast(change.previousSeverity, threshold));
  return false;
}
