/**
 * test/lab/avahi.ts — the real avahi-daemon (Debian 12 `avahi-daemon` 0.8) inside one lab namespace, publishing
 * static services, as a NAS announces itself by mDNS.
 *
 * Several labs run at once and must not collide, and nothing may touch the host: the daemon runs under
 * `ip netns exec <ns> unshare -m --propagation private`, in a mount namespace of its own where a tmpfs covers /run
 * (its pid file and control socket, /run/avahi-daemon, are compiled in) and the lab's services folder is bound over
 * /etc/avahi/services (also compiled in). Its config file is in the lab's tmpDir: no D-Bus (`enable-dbus=no`), its
 * own host name, only eth0, no chroot, root kept (no avahi user needed), no rlimits. It speaks mDNS only on the
 * namespace's eth0, a veth on the lab's bridge: the closed box of lab.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, LabHost } from './lab.js';

export interface AvahiService {
  type: string;
  port: number;
  txt?: string[];
}

export interface AvahiOptions {
  hostName: string;
  /** The service instance name (the same for every service, as a NAS names them all after itself). */
  instance: string;
  services: AvahiService[];
}

export interface Avahi {
  /** Resolves once avahi says every service is established (probing and announcing done); rejects after 15 s. */
  ready: Promise<void>;
  log: () => string;
}

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function avahiConfig(hostName: string): string {
  return ['[server]', `host-name=${hostName}`, 'domain-name=local', 'use-ipv4=yes', 'use-ipv6=yes', 'allow-interfaces=eth0', 'enable-dbus=no', '[wide-area]', 'enable-wide-area=no', '[publish]', 'publish-hinfo=no', 'publish-workstation=no', 'publish-addresses=yes', '[reflector]', 'enable-reflector=no', ''].join('\n');
}

export function startAvahi(lab: Lab, host: LabHost, options: AvahiOptions): Avahi {
  const dir = join(lab.tmpDir, `avahi-${host.ns}`);
  const services = join(dir, 'services');
  mkdirSync(services, { recursive: true });
  const config = join(dir, 'avahi-daemon.conf');
  writeFileSync(config, avahiConfig(options.hostName));
  const body = options.services
    .map((service) => `  <service><type>${escapeXml(service.type)}</type><port>${service.port}</port>${(service.txt ?? []).map((entry) => `<txt-record>${escapeXml(entry)}</txt-record>`).join('')}</service>`)
    .join('\n');
  writeFileSync(join(services, 'lab.service'), `<?xml version="1.0" standalone='no'?>\n<!DOCTYPE service-group SYSTEM "avahi-service.dtd">\n<service-group>\n  <name replace-wildcards="no">${escapeXml(options.instance)}</name>\n${body}\n</service-group>\n`);
  const script = `mount -t tmpfs tmpfs /run && mkdir /run/avahi-daemon && mount --bind "$1" /etc/avahi/services && exec avahi-daemon -f "$2" --no-drop-root --no-chroot --no-rlimits --no-proc-title`;
  const child = lab.spawn(host, 'unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'avahi', services, config]);
  let log = '';
  const ready = new Promise<void>((resolve, reject) => {
    const wanted = options.services.length;
    const timer = setTimeout(() => reject(new Error(`avahi-daemon in ${host.ns} did not establish its services within 15 s:\n${log.slice(-2000)}`)), 15_000);
    timer.unref();
    const onData = (chunk: Buffer): void => {
      if (log.length < 64 * 1024) log += chunk.toString();
      // avahi logs one "successfully established" per service group, after probing and announcing
      if ((log.match(/successfully established/g) ?? []).length >= 1 && wanted > 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`avahi-daemon in ${host.ns} exited (code ${String(code)}, signal ${String(signal)}):\n${log.slice(-2000)}`));
    });
  });
  ready.catch(() => undefined);
  return { ready, log: () => log };
}
