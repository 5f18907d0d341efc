/**
 * test/lab/rogue-ssdp.ts — a hostile LAN device for lab tests. Run it inside a lab host's namespace:
 *
 *   lab.spawn(host, process.execPath, [...TS_LOADER_ARGS, ROGUE_SSDP_SCRIPT, ...args])
 *
 * Modes (first argument):
 *   ssdp --address A --location URL [--st ST] [--server S] [--usn U]
 *       Binds UDP 1900 (SO_REUSEADDR), joins 239.255.255.250 on the interface that has address A, and answers
 *       every M-SEARCH (multicast or unicast, whatever its ST) with a unicast 200 OK whose ST is
 *       `urn:schemas-upnp-org:device:InternetGatewayDevice:1` (or --st) and whose LOCATION is URL.
 *   http --address A --port P
 *       A tiny HTTP server that answers 200 with a small IGD-looking XML body and logs every request: pair it
 *       with an ssdp rogue whose LOCATION points here to prove whether anybody fetched that LOCATION.
 *
 * Output: one JSON object per line on stdout:
 *   {"event":"ready","mode":"ssdp"|"http","address":A,"port":1900|P}
 *   {"event":"msearch","from":IP,"port":N,"st":ST|null,"man":MAN|null,"raw":TEXT}   (answered)
 *   {"event":"ssdp","from":IP,"port":N,"raw":TEXT}        (other SSDP traffic seen, e.g. miniupnpd's NOTIFY)
 *   {"event":"http","from":IP,"method":M,"url":U,"headers":{...}}
 * Exits 0 on SIGTERM/SIGINT.
 */
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/** absolute path of this script, for lab.spawn(..., [...TS_LOADER_ARGS, ROGUE_SSDP_SCRIPT, ...]) */
export const ROGUE_SSDP_SCRIPT = fileURLToPath(import.meta.url);

export interface RogueEvent {
  event: 'ready' | 'msearch' | 'ssdp' | 'http';
  mode?: 'ssdp' | 'http';
  address?: string;
  from?: string;
  port?: number;
  st?: string | null;
  man?: string | null;
  raw?: string;
  method?: string;
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
}

export const IGD1 = 'urn:schemas-upnp-org:device:InternetGatewayDevice:1';

/** Collects a spawned rogue's JSON-line events; waitFor() resolves with the first (past or future) match. */
export class RogueWatcher {
  readonly events: RogueEvent[] = [];
  stderr = '';
  private buf = '';
  private waiters: { pred: (e: RogueEvent) => boolean; resolve: (e: RogueEvent) => void }[] = [];

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      this.buf += chunk;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        if (line.trim() === '') continue;
        const e = JSON.parse(line) as RogueEvent;
        this.events.push(e);
        this.waiters = this.waiters.filter((w) => {
          if (!w.pred(e)) return true;
          w.resolve(e);
          return false;
        });
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
  }

  of(kind: RogueEvent['event']): RogueEvent[] {
    return this.events.filter((e) => e.event === kind);
  }

  waitFor(pred: (e: RogueEvent) => boolean, timeoutMs = 10_000): Promise<RogueEvent> {
    const hit = this.events.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rogue: no matching event within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`rogue exited (code ${String(code)}) before a matching event; stderr: ${this.stderr}`));
      });
    });
  }
}

function emit(e: RogueEvent): void {
  process.stdout.write(`${JSON.stringify(e)}\n`);
}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function header(raw: string, name: string): string | null {
  for (const line of raw.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i).trim().toLowerCase() === name) return line.slice(i + 1).trim();
  }
  return null;
}

function ssdpMode(args: string[]): void {
  const address = arg(args, 'address');
  const location = arg(args, 'location');
  if (address === undefined || location === undefined) throw new Error('ssdp mode needs --address and --location');
  const st = arg(args, 'st') ?? IGD1;
  const server = arg(args, 'server') ?? 'Linux/5.0 UPnP/1.1 RogueIGD/0.1';
  const usn = arg(args, 'usn') ?? `uuid:00000000-0000-0000-0000-0000000bad00::${st}`;
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  sock.on('message', (msg, rinfo) => {
    const raw = msg.toString('latin1');
    if (!/^M-SEARCH \* HTTP\/1\.1\r\n/i.test(raw)) {
      emit({ event: 'ssdp', from: rinfo.address, port: rinfo.port, raw });
      return;
    }
    emit({ event: 'msearch', from: rinfo.address, port: rinfo.port, st: header(raw, 'st'), man: header(raw, 'man'), raw });
    const reply =
      'HTTP/1.1 200 OK\r\n' +
      'CACHE-CONTROL: max-age=120\r\n' +
      `ST: ${st}\r\n` +
      `USN: ${usn}\r\n` +
      'EXT:\r\n' +
      `SERVER: ${server}\r\n` +
      `LOCATION: ${location}\r\n` +
      '\r\n';
    sock.send(reply, rinfo.port, rinfo.address);
  });
  sock.bind(1900, () => {
    sock.addMembership('239.255.255.250', address);
    emit({ event: 'ready', mode: 'ssdp', address, port: 1900 });
  });
  const stop = (): void => {
    sock.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function httpMode(args: string[]): void {
  const address = arg(args, 'address') ?? '0.0.0.0';
  const port = Number(arg(args, 'port') ?? '8000');
  const server = http.createServer((req, res) => {
    emit({ event: 'http', from: req.socket.remoteAddress ?? '', method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const body =
      '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>' +
      `<deviceType>${IGD1}</deviceType><friendlyName>rogue</friendlyName></device></root>`;
    res.writeHead(200, { 'Content-Type': 'text/xml', Connection: 'close' });
    res.end(body);
  });
  server.listen(port, address, () => emit({ event: 'ready', mode: 'http', address, port }));
  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'ssdp') ssdpMode(rest);
  else if (mode === 'http') httpMode(rest);
  else {
    // no mode: also what happens when a test runner is pointed at test/lab/ and loads this file
    process.stdout.write('# rogue-ssdp.ts: helper, not a test. usage: rogue-ssdp.ts ssdp --address A --location URL [--st ST] | http --address A --port P\n');
  }
}
