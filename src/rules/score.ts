import type { Finding, Severity } from '../core/report.generated.js';

/**
 * How much one finding of each severity contributes, read as the chance it alone leads to a compromise. Combined as
 * independent chances (1 - product of (1 - weight)), so one critical outweighs many lows and the score never
 * passes 100. The formula and its reasons are in docs/risk-score.md.
 */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = { info: 0, low: 0.05, medium: 0.15, high: 0.35, critical: 0.6 };

export function riskScore(findings: readonly Finding[]): number {
  const safe = findings.reduce((chance, finding) => chance * (1 - SEVERITY_WEIGHTS[finding.severity]), 1);
  return Math.round(100 * (1 - safe));
}

/** The one-sentence verdict at the top of every report. */
export function headline(findings: readonly Finding[]): string {
  const worst = findings[0];
  if (!worst || worst.severity === 'info') return 'Nothing found that the internet can reach.';
  const more = findings.filter((finding) => finding.severity !== 'info').length - 1;
  return `${worst.severity.toUpperCase()}: ${worst.title}${more > 0 ? ` (and ${more} more finding${more === 1 ? '' : 's'})` : ''}.`;
}
