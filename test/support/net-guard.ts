/**
 * A tripwire for tests that check a refusal: every attempt to open a TCP connection, send or connect a UDP
 * datagram, or resolve a name is recorded, and anything not aimed at 127.0.0.0/8 is stopped before the kernel sees
 * it (the call throws). A scope test asserts `attempts` stayed empty, so the refusal is proven to come before any
 * packet, and even a broken refusal cannot send one beyond loopback.
 */
import net from 'node:net';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { Resolver } from 'node:dns/promises';

export interface NetGuard {
  /** Every attempt, loopback or not: "tcp 198.51.100.7:5000", "udp 239.255.255.250:1900", "dns example.com". */
  readonly attempts: string[];
  /** Attempts aimed anywhere but 127.0.0.0/8 (each one was stopped). */
  readonly blocked: string[];
  restore: () => void;
}

function isLoopbackV4(host: unknown): boolean {
  return typeof host === 'string' && net.isIPv4(host) && host.startsWith('127.');
}

interface Patch {
  target: object;
  key: string;
  original: unknown;
}

/** Installs the guard; call restore() (t.teardown) when the test ends. */
export function guardNetwork(): NetGuard {
  const attempts: string[] = [];
  const blocked: string[] = [];
  const patches: Patch[] = [];
  const stop = (what: string): never => {
    blocked.push(what);
    throw new Error(`net-guard: ${what} stopped (tests never send beyond loopback)`);
  };
  const patch = (target: object, key: string, make: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown): void => {
    const original = (target as Record<string, unknown>)[key] as (...args: unknown[]) => unknown;
    patches.push({ target, key, original });
    (target as Record<string, unknown>)[key] = make(original);
  };

  patch(net.Socket.prototype, 'connect', (original) =>
    function (this: net.Socket, ...args: unknown[]) {
      const first = args[0];
      let host: unknown;
      let port: unknown;
      if (Array.isArray(first)) {
        // http.Agent and net.connect pass normalised [options, callback].
        const options = first[0] as { host?: unknown; port?: unknown; path?: unknown };
        ({ host, port } = options);
        // A Unix socket (IPC) has a path and no port; an HTTP request's options carry its URL path too.
        if (port === undefined && options.path !== undefined) return original.apply(this, args);
      } else if (typeof first === 'object' && first !== null) {
        const options = first as { host?: unknown; port?: unknown; path?: unknown };
        ({ host, port } = options);
        if (port === undefined && options.path !== undefined) return original.apply(this, args);
      } else if (typeof first === 'string' && !/^\d+$/.test(first)) {
        // A Unix socket path (IPC): not the network.
        return original.apply(this, args);
      } else {
        port = first;
        host = args[1];
      }
      const what = `tcp ${typeof host === 'string' ? host : 'localhost'}:${String(port)}`;
      attempts.push(what);
      if (!isLoopbackV4(host)) return stop(what);
      return original.apply(this, args);
    },
  );
  patch(dgram.Socket.prototype, 'send', (original) =>
    function (this: dgram.Socket, ...args: unknown[]) {
      // send(msg, [offset, length,] port, address, cb) or send(msg) on a connected socket.
      const numbers = args.slice(1).filter((arg) => typeof arg === 'number');
      const address = args.slice(1).find((arg) => typeof arg === 'string');
      let remote: string;
      try {
        const peer = this.remoteAddress();
        remote = `${peer.address}:${peer.port}`;
        if (!isLoopbackV4(peer.address)) {
          attempts.push(`udp ${remote}`);
          return stop(`udp ${remote}`);
        }
      } catch {
        remote = `${String(address)}:${String(numbers.at(-1))}`;
        if (!isLoopbackV4(address)) {
          attempts.push(`udp ${remote}`);
          return stop(`udp ${remote}`);
        }
      }
      attempts.push(`udp ${remote}`);
      return original.apply(this, args);
    },
  );
  patch(dgram.Socket.prototype, 'connect', (original) =>
    function (this: dgram.Socket, ...args: unknown[]) {
      const address = typeof args[1] === 'string' ? args[1] : undefined;
      const what = `udp-connect ${String(address)}:${String(args[0])}`;
      attempts.push(what);
      if (!isLoopbackV4(address)) return stop(what);
      return original.apply(this, args);
    },
  );
  for (const method of ['resolve', 'resolve4', 'resolve6', 'resolveAny']) {
    patch(Resolver.prototype, method, () =>
      function (...args: unknown[]) {
        const what = `dns ${String(args[0])}`;
        attempts.push(what);
        return Promise.reject(new Error(`net-guard: ${what} stopped`)).finally(() => blocked.push(what));
      },
    );
  }
  patch(dns, 'lookup', (original) =>
    function (this: unknown, ...args: unknown[]) {
      // dgram and net look up even address literals; that never leaves the machine.
      if (typeof args[0] === 'string' && net.isIP(args[0]) !== 0) return original.apply(this, args);
      const what = `dns ${String(args[0])}`;
      attempts.push(what);
      return stop(what);
    },
  );

  return {
    attempts,
    blocked,
    restore: () => {
      for (const { target, key, original } of patches.reverse()) (target as Record<string, unknown>)[key] = original;
    },
  };
}
