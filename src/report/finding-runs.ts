import type { Finding, Severity } from '../core/report.generated.js';
import { SEVERITIES_WORST_FIRST } from './words.js';

/**
 * At most this many findings of one rule and severity are written out in full; the rest of them are one line each.
 * A router that UPnProxy has filled with 400 mappings yields 400 findings of one rule, each with the same
 * description and remediation. Written out, that buried everything else (440 KB of text, 1.6 MB of HTML).
 */
export const FULL_FINDINGS_PER_RULE = 5;

export interface SeverityFindings {
  severity: Severity;
  /** In report order: the first findings of each rule. */
  full: Finding[];
  /** Per rule, in order of first appearance: the findings beyond FULL_FINDINGS_PER_RULE. */
  condensed: Array<{ rule: string; findings: Finding[] }>;
}

/** The findings the way every renderer lists them: worst severity first, repeats of one rule condensed. Layout only. */
export function findingsForDisplay(findings: readonly Finding[]): SeverityFindings[] {
  return SEVERITIES_WORST_FIRST.map((severity) => {
    const shown = new Map<string, number>();
    const full: Finding[] = [];
    const condensed = new Map<string, Finding[]>();
    for (const finding of findings) {
      if (finding.severity !== severity) continue;
      const count = shown.get(finding.rule) ?? 0;
      if (count < FULL_FINDINGS_PER_RULE) {
        shown.set(finding.rule, count + 1);
        full.push(finding);
      } else {
        const more = condensed.get(finding.rule);
        if (more) more.push(finding);
        else condensed.set(finding.rule, [finding]);
      }
    }
    return { severity, full, condensed: [...condensed].map(([rule, more]) => ({ rule, findings: more })) };
  });
}
