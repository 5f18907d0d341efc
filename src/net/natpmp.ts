import dgram from 'node:dgram';
import { abortError } from '../core/errors.js';

export const NATPMP_PORT = 5351;

export interface NatPmpAnswer {
  /** 0 for NAT-PMP (RFC 6886); 2 when a PCP server (RFC 6887) answered instead. */
  version: number;
  resultCode: number;
  epochSeconds: number | null;
  externalIp: string | null;
}

export interface NatPmpOptions {
  /** Total time allowed; RFC 6886 starts at 250 ms and doubles, we try twice within this budget. */
  timeoutMs?: number;
  signal?: AbortSignal;
  port?: number;
}

export function parseNatPmpAnswer(message: Buffer): NatPmpAnswer | undefined {
  if (message.length < 4) return undefined;
  const version = message.readUInt8(0);
  if (version === 2) {
    // A PCP-only server answers a NAT-PMP request with a PCP UNSUPP_VERSION response (RFC 6887 §9).
    return { version, resultCode: message.readUInt8(3), epochSeconds: null, externalIp: null };
  }
  if (version !== 0 || message.readUInt8(1) !== 128) return undefined;
  const resultCode = message.readUInt16BE(2);
  if (resultCode !== 0 || message.length < 12) return { version, resultCode, epochSeconds: message.length >= 8 ? message.readUInt32BE(4) : null, externalIp: null };
  return {
    version,
    resultCode,
    epochSeconds: message.readUInt32BE(4),
    externalIp: [8, 9, 10, 11].map((offset) => message.readUInt8(offset)).join('.'),
  };
}

/**
 * Asks the gateway for its external address (RFC 6886 §3.2, opcode 0). Only answers from the gateway's own
 * address and port count: on a LAN any host can send UDP datagrams to us.
 */
export async function natPmpExternalAddress(gateway: string, options: NatPmpOptions = {}): Promise<NatPmpAnswer | undefined> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal, 'NAT-PMP request');
  const timeoutMs = options.timeoutMs ?? 1000;
  const port = options.port ?? NATPMP_PORT;
  const socket = dgram.createSocket('udp4');
  // A connected socket only receives from the gateway's address and port, and turns an ICMP port-unreachable
  // into ECONNREFUSED, so "no NAT-PMP here" is known at once instead of after the whole timeout.
  await new Promise<void>((resolve) => socket.connect(port, gateway, resolve));
  try {
    return await new Promise<NatPmpAnswer | undefined>((resolve, reject) => {
      const request = Buffer.from([0, 0]);
      const timers: NodeJS.Timeout[] = [];
      const done = (value: NatPmpAnswer | undefined, error?: Error): void => {
        for (const timer of timers) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(value);
      };
      const onAbort = (): void => done(undefined, abortError(signal, 'NAT-PMP request'));
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNREFUSED') done(undefined);
      });
      socket.on('message', (message, remote) => {
        if (remote.address !== gateway || remote.port !== port) return;
        const answer = parseNatPmpAnswer(message);
        if (answer) done(answer);
      });
      const send = (): void => socket.send(request, () => undefined);
      send();
      timers.push(setTimeout(send, Math.min(250, timeoutMs / 3)));
      timers.push(setTimeout(() => done(undefined), timeoutMs));
    });
  } finally {
    socket.close();
  }
}
