import type { Classification } from '../core/report.generated.js';

/** Finding ids must be kebab-case and stable from scan to scan: built from the rule and what it is about. */
export function findingId(rule: string, ...parts: ReadonlyArray<string | number>): string {
  const slug = parts
    .map((part) => String(part).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter((part) => part !== '');
  return [rule, ...slug].join('-');
}

/** Most findings are about configuration, not a catalogued weakness: no CVE, not in KEV. */
export function unclassified(): Classification {
  return { cve: [], kev: false, knownRansomware: false };
}
