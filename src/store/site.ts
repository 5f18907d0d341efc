import { createError } from '../core/errors.js';

/** The site of scans, schedules and alerts that name none: a single-home history never needs to say. */
export const DEFAULT_SITE = 'default';

/**
 * A site name: 1-40 lower-case letters, digits, "-", "_" or ".", starting with a letter or digit ("home",
 * "grandma-house", "office.acme"). Short and plain because it is a Prometheus label value, a URL query value and a
 * column shown in every history line; lower case so "Home" and "home" cannot become two sites by accident.
 */
export const SITE_PATTERN = '^[a-z0-9][a-z0-9._-]{0,39}$';
const SITE = new RegExp(SITE_PATTERN);

/** The `site` query parameter of the API's list routes, as a JSON schema (a filter: left out, every site). */
export const SITE_QUERY_SCHEMA = { type: 'string', pattern: SITE_PATTERN, description: 'Only this site (e.g. grandma-house); left out, every site.' } as const;

export function validateSite(raw: string, where = '--site'): string {
  if (!SITE.test(raw)) {
    throw createError('EXP_ERR_SITE_INVALID', `${where} "${raw.slice(0, 60)}" is not a site name`, {
      hint: 'Use 1-40 lower-case letters, digits, "-", "_" or ".", starting with a letter or digit, e.g. --site grandma-house.',
    });
  }
  return raw;
}

export function siteOrDefault(raw: string | undefined, where?: string): string {
  return raw === undefined ? DEFAULT_SITE : validateSite(raw, where);
}
