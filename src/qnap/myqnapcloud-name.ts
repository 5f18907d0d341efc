import net from 'node:net';
import { createError } from '../core/errors.js';

/**
 * QNAP's DDNS domains: the block "QNAP System Inc" submitted to the Public Suffix List (publicsuffix/list
 * public_suffix_list.dat). myqnapcloud.io is QNAP's S3 service, not DDNS, and is not here.
 */
export const QNAP_DDNS_DOMAINS = ['myqnapcloud.com', 'myqnapcloud.cn', 'mycloudnas.com', 'mynascloud.com', 'alpha-myqnapcloud.com', 'dev-myqnapcloud.com'] as const;

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * --myqnapcloud NAME: a bare device name becomes NAME.myqnapcloud.com; a name under one of QNAP's DDNS domains
 * is used as is; anything else is refused, so the option cannot be used to make this tool look up (and report
 * on) arbitrary names.
 */
export function myQnapCloudName(raw: string): string {
  const name = raw.trim().toLowerCase().replace(/\.$/, '');
  const refuse = (why: string): Error =>
    createError('EXP_ERR_MYQNAPCLOUD_NAME', `--myqnapcloud ${raw.slice(0, 100)}: ${why}`, {
      hint: `Give the device name chosen in myQNAPcloud (e.g. --myqnapcloud mynas) or its full name under ${QNAP_DDNS_DOMAINS.join(', ')}.`,
    });
  if (name === '' || name.length > 253) return throwIt(refuse('not a DNS name'));
  if (net.isIP(name) !== 0) return throwIt(refuse('an address is not a myQNAPcloud name'));
  const labels = name.split('.');
  if (!labels.every((label) => LABEL.test(label))) return throwIt(refuse('not a DNS name (letters, digits and hyphens only)'));
  if (labels.length === 1) return `${name}.myqnapcloud.com`;
  const domain = QNAP_DDNS_DOMAINS.find((candidate) => name.endsWith(`.${candidate}`));
  if (!domain) return throwIt(refuse('not under a QNAP DDNS domain'));
  return name;
}

function throwIt(error: Error): never {
  throw error;
}
