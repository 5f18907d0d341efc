import { Cron } from 'croner';
import { createError } from '../core/errors.js';
import { SEVERITIES } from '../rules/severity.js';
import type { AlertOn } from '../store/types.js';

function invalid(message: string, hint: string): Error {
  return createError('EXP_ERR_SCHEDULE_INVALID', message, { hint });
}

/** A croner pattern: 5 fields (minute first) or 6 (seconds first). Nicknames like @hourly are accepted too. */
export function validateCron(expression: string): string {
  const trimmed = expression.trim();
  if (trimmed.length === 0 || trimmed.length > 200) throw invalid('The cron expression is empty or too long', 'Example: "0 */6 * * *" (every six hours).');
  try {
    // paused: parse only; a job that never starts holds no timer.
    const job = new Cron(trimmed, { paused: true });
    const next = job.nextRun();
    job.stop();
    if (next === null) throw new Error('it never runs');
  } catch (error) {
    throw invalid(`"${trimmed}" is not a cron expression croner accepts: ${(error as Error).message}`, 'Use 5 fields (minute hour day month weekday) or 6 with seconds first, e.g. "0 */6 * * *".');
  }
  return trimmed;
}

/**
 * A webhook must be http(s) and carry no user:password (the URL is stored and shown; put a secret in the path,
 * as Slack does, or in a reverse proxy). Any host is allowed: the owner chooses where alerts go.
 */
export function validateWebhook(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`Webhook "${raw}" is not a URL`, 'Give a full URL, e.g. https://hooks.slack.com/services/... or http://127.0.0.1:8123/api/webhook/ID.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`Webhook "${raw}" is not http or https`, 'Only http:// and https:// webhooks are supported.');
  if (url.username !== '' || url.password !== '') throw invalid('A webhook URL must not contain a user name or password', 'Put the secret in the path (as Slack and Home Assistant do).');
  if (raw.length > 2048) throw invalid('The webhook URL is longer than 2048 characters', 'Use a shorter URL.');
  return url.href;
}

const ALERT_ON_CHOICES = ['any', 'new-exposure', 'coverage', ...SEVERITIES.map((severity) => `severity:${severity}`)] as const;

export function validateAlertOn(raw: string): AlertOn {
  if (!(ALERT_ON_CHOICES as readonly string[]).includes(raw)) throw invalid(`--alert-on must be one of ${ALERT_ON_CHOICES.join(', ')}, not "${raw}"`, 'See "Alert filters" in the README.');
  return raw as AlertOn;
}

export function validateScheduleName(raw: string): string {
  if (!/^[\w.:@ -]{1,100}$/u.test(raw) || raw.trim() !== raw) throw invalid(`Schedule name "${raw}" is not valid`, 'Use 1-100 letters, digits, spaces, "_", "-", ".", ":" or "@".');
  return raw;
}
