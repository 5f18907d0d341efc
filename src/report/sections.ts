import type { ProbeManifest } from '../core/probe.js';
import type { ExposureReport } from '../core/report.generated.js';
import type { ReportSection } from '../core/report-section.js';
import { PROBES } from '../../probes/registry.js';

/**
 * What the probes contribute to a rendered report, in the registry's order. Renderers take `probes` so a test (or
 * a tool with probes of its own) can hand in another list; by default it is the registered one.
 */
export interface ReportParts {
  sections: ReportSection[];
  /** The probes' few words for the header line. */
  summaries: string[];
  /** Rules shown one line per finding in the terminal, with the advice the probe gives once after them. */
  compact: ReadonlyMap<string, { title: string; advice: readonly string[] }>;
}

export function reportParts(report: ExposureReport, probes: readonly ProbeManifest[] = PROBES): ReportParts {
  const sections: ReportSection[] = [];
  const summaries: string[] = [];
  const compact = new Map<string, { title: string; advice: readonly string[] }>();
  for (const probe of probes) {
    const contribution = probe.report;
    if (!contribution) continue;
    const section = contribution.section?.(report);
    if (section) sections.push(section);
    const summary = contribution.summary?.(report);
    if (summary) summaries.push(summary);
    for (const rule of contribution.compactFindings?.rules ?? []) compact.set(rule, contribution.compactFindings ?? { title: '', advice: [] });
  }
  return { sections, summaries, compact };
}
