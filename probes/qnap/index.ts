import { abortError } from '../../src/core/errors.js';
import { now, observationsOf, type Observation } from '../../src/core/observation.js';
import type { ProbeAction, ProbeContext } from '../../src/core/probe.js';
import type { Host } from '../../src/core/report.generated.js';
import { fingerprintHost } from '../../src/vendors/fingerprint-host.js';
import { hostObservation } from '../../src/vendors/host.js';
import { loadPacks, type LoadedPack } from '../../src/vendors/load.js';

/** QTS's admin UI: 8080 (http) and 443 (https) by default (QNAP's January 2022 guidance); its pack says so too. */
export const QNAP_ADMIN_PORTS = [8080, 443] as const;

/** Every loaded pack's admin ports, the QNAP ones first (the order ports are looked at when a host has many). */
export function adminPorts(packs: readonly LoadedPack[]): number[] {
  return [...new Set([...QNAP_ADMIN_PORTS, ...packs.flatMap((pack) => pack.pack.ports?.admin ?? [])])];
}
const MAX_HOSTS = 16;
const MAX_PORTS_PER_HOST = 12;
const HOSTS_IN_FLIGHT = 2;
/** Share of the remaining scan time the LAN fingerprints may use: the outside view still has to run. */
const TIME_SHARE = 0.4;
const MIN_BUDGET_MS = 3000;

interface Target {
  address: string;
  reasons: Set<Host['reasons'][number]>;
  ports: number[];
}

/**
 * Who is fingerprinted from the LAN, and only these: the internal clients of the routers' TCP mappings that sit
 * on this machine's subnets (Scope decides), on the ports the mappings point at, and the hosts named with --nas
 * (checked by Scope when the scan starts); each also on the QNAP admin ports.
 */
export function lanTargets(context: ProbeContext, packs: readonly LoadedPack[] = loadPacks(context.options.vendorPacks).packs): Target[] {
  const targets = new Map<string, Target>();
  const add = (address: string, reason: Host['reasons'][number], ports: readonly number[]): void => {
    let target = targets.get(address);
    if (!target) {
      if (targets.size >= MAX_HOSTS) return;
      target = { address, reasons: new Set(), ports: [] };
      targets.set(address, target);
    }
    target.reasons.add(reason);
    for (const port of ports) if (!target.ports.includes(port)) target.ports.push(port);
  };
  for (const observation of observationsOf(context.observations, 'gateway')) {
    const gateway = observation.data;
    for (const mapping of gateway.mappings) {
      if (mapping.protocol !== 'TCP' || mapping.internalPort < 1 || mapping.internalPort > 65535) continue;
      if (!context.scope.mappingClientAllowed(mapping.internalClient, gateway.address)) continue;
      add(mapping.internalClient, 'mapping', [mapping.internalPort]);
    }
  }
  for (const address of context.options.nas ?? []) add(context.scope.checkNasAddress(address), 'nas-option', []);
  const admin = adminPorts(packs);
  for (const target of targets.values()) {
    for (const port of admin) if (!target.ports.includes(port)) target.ports.push(port);
    target.ports = target.ports.slice(0, MAX_PORTS_PER_HOST);
  }
  return [...targets.values()];
}

export const qnapProbe: ProbeAction = {
  appliesTo: (context) => lanTargets(context).length > 0,
  async run(context: ProbeContext): Promise<Observation[]> {
    // Read at each scan (the shipped packs once per process): a bad --vendor-pack stops the scan, naming the file.
    const packs = loadPacks(context.options.vendorPacks).packs;
    const targets = lanTargets(context, packs);
    const remaining = context.deadline - Date.now();
    const deadline = Date.now() + Math.max(MIN_BUDGET_MS, Math.floor(remaining * TIME_SHARE));
    const observations: Observation[] = [];
    const queue = [...targets];
    const worker = async (): Promise<void> => {
      for (let target = queue.shift(); target !== undefined; target = queue.shift()) {
        if (context.signal.aborted) throw abortError(context.signal, 'The NAS fingerprints');
        if (Date.now() >= deadline) {
          observations.push({ probe: 'qnap', kind: 'warning', subject: target.address, at: now(), data: { code: 'EXP_ERR_TIMEOUT', message: `${target.address} was not fingerprinted: the time for the LAN fingerprints ran out (raise --timeout)` } });
          continue;
        }
        context.progress(`Fingerprinting ${target.address} (${target.ports.length} ports)`);
        const fingerprint = await fingerprintHost({
          address: target.address,
          ports: target.ports,
          requestTimeoutMs: Math.min(context.options.requestTimeoutMs, 5000),
          deadline: Math.min(deadline, context.deadline),
          signal: context.signal,
          maxPorts: MAX_PORTS_PER_HOST,
          packs,
        });
        observations.push(hostObservation(target.address, 'lan', [...target.reasons], fingerprint));
      }
    };
    await Promise.all(Array.from({ length: HOSTS_IN_FLIGHT }, worker));
    return observations.sort((a, b) => a.subject.localeCompare(b.subject, 'en', { numeric: true }));
  },
};
