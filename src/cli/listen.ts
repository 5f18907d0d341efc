import net from 'node:net';
import { usageError } from './usage.js';

/** --listen IP:PORT of `exposure agent` and `exposure serve` ([IPv6] in brackets); names are refused. */
export function parseListen(raw: string | undefined, command: 'agent' | 'serve'): { host: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(raw ?? '');
  const host = match?.[1]?.replace(/^\[(.*)\]$/, '$1');
  const port = Number(match?.[2]);
  const example = command === 'agent' ? '0.0.0.0:7447' : '127.0.0.1:7448';
  if (!host || net.isIP(host) === 0 || port < 1 || port > 65535) {
    throw usageError(command, `--listen must be IP:PORT (e.g. ${example}), not "${raw ?? ''}"`);
  }
  return { host, port };
}
