import { abortError, isExposureError } from '../core/errors.js';
import type { Observation } from '../core/observation.js';
import { orderProbes, probesBefore } from '../core/probe-order.js';
import type { ProbeAction, ProbeContext, ProbeManifest } from '../core/probe.js';
import { checkObservations } from './check-observations.js';

/** What every probe gets, less the observations, which each gets from the probes it runs after. */
export type SharedContext = Omit<ProbeContext, 'observations' | 'publish'>;

/**
 * Every probe's code, loaded one after the other in the probes' order from the start: the first probe's modules
 * come first (its first packet waits on nothing else), the others compile while it waits on the network instead of
 * after it (decision 0013). A failed load is the probe's failure, met when it runs.
 */
export function loadInOrder(probes: readonly ProbeManifest[]): Map<string, Promise<ProbeAction>> {
  const actions = new Map<string, Promise<ProbeAction>>();
  let previous: Promise<unknown> = Promise.resolve();
  for (const probe of probes) {
    const action = previous.then(() => probe.load());
    action.catch(() => undefined);
    actions.set(probe.id, action);
    previous = action.catch(() => undefined);
  }
  return actions;
}

/**
 * Runs the probes, each as soon as the probes it runs `after` are done: independent probes run at once (the QNAP
 * fingerprints, NAT-PMP and the outside view all wait only on UPnP). The observations come back in orderProbes'
 * order whatever finished first, after `initial` (this machine's networks).
 * The first failure aborts the other probes and is thrown once they have stopped.
 */
export async function runProbes(registered: readonly ProbeManifest[], initial: readonly Observation[], shared: SharedContext): Promise<Observation[]> {
  const probes = orderProbes(registered);
  const stop = new AbortController();
  const signal = AbortSignal.any([shared.signal, stop.signal]);
  const results = new Map<string, Promise<Observation[]>>();
  const actions = loadInOrder(probes);
  let failure: { error: unknown } | undefined;

  const published = new Map<string, Observation[]>(probes.map((probe) => [probe.id, []]));
  const publishWaiters = new Map<string, { kind: string; resolve: () => void }[]>();
  const wake = (id: string, kind: string): void => {
    const waiters = publishWaiters.get(id) ?? [];
    for (const waiter of waiters) if (waiter.kind === kind) waiter.resolve();
    publishWaiters.set(id, waiters.filter((waiter) => waiter.kind !== kind));
  };
  /** Resolves once `id` has published an observation of `kind`, or has settled. */
  const startSignal = (id: string, kind: string): Promise<void> => {
    if ((published.get(id) ?? []).some((observation) => observation.kind === kind)) return Promise.resolve();
    const settled = (results.get(id) ?? Promise.resolve([])).then(() => undefined, () => undefined);
    const early = new Promise<void>((resolve) => {
      publishWaiters.set(id, [...(publishWaiters.get(id) ?? []), { kind, resolve }]);
    });
    return Promise.race([early, settled]);
  };
  const finished = new Map<string, Observation[]>();

  const runOne = async (probe: ProbeManifest): Promise<Observation[]> => {
    const atOnce = new Set(probe.startsAtOnce ?? []);
    await Promise.all((probe.after ?? []).map((id) => {
      if (atOnce.has(id)) return Promise.resolve();
      const kind = probe.startsEarly?.[id];
      return kind !== undefined ? startSignal(id, kind) : (results.get(id) ?? Promise.resolve([]));
    }));
    const before = probesBefore(probe, probes);
    const observations = [...initial];
    // Read in the probes' order so what a probe sees is fixed; a probe started early on another sees what that one
    // had published when it started.
    for (const earlier of probes) {
      // A probe started at once reads those through awaitPublished/awaitFinished only, so it never sees one twice.
      if (!before.has(earlier.id) || atOnce.has(earlier.id)) continue;
      observations.push(...(finished.get(earlier.id) ?? published.get(earlier.id) ?? []));
    }
    if (signal.aborted) throw abortError(shared.signal.aborted ? shared.signal : signal, 'The scan');
    const action = await (actions.get(probe.id) ?? probe.load());
    const own = published.get(probe.id) ?? [];
    const publish = (observation: Observation): void => {
      own.push(observation);
      wake(probe.id, observation.kind);
    };
    const awaitPublished = async (id: string, kind: string): Promise<readonly Observation[]> => {
      if (!atOnce.has(id)) throw new Error(`probe "${probe.id}" awaits "${id}", which is not in its "startsAtOnce"`);
      await startSignal(id, kind);
      return [...(finished.get(id) ?? published.get(id) ?? [])];
    };
    const awaitFinished = async (id: string): Promise<readonly Observation[]> => {
      if (!atOnce.has(id)) throw new Error(`probe "${probe.id}" awaits "${id}", which is not in its "startsAtOnce"`);
      await (results.get(id) ?? Promise.resolve([])).catch(() => undefined);
      return [...(finished.get(id) ?? published.get(id) ?? [])];
    };
    const context: ProbeContext = { ...shared, signal, observations, publish, awaitPublished, awaitFinished };
    if (!action.appliesTo(context)) return [];
    const returned = await action.run(context);
    // What it published is part of what it found; returned again in its place, it is kept once.
    const produced = [...own.filter((observation) => !returned.includes(observation)), ...returned];
    await checkObservations(probe, probes, produced);
    finished.set(probe.id, produced);
    return produced;
  };

  for (const probe of probes) {
    const result = runOne(probe);
    results.set(probe.id, result);
    result.catch((error: unknown) => {
      // The first failure is the scan's; the others are the abort it caused, or come after it.
      if (failure === undefined) {
        failure = { error };
        stop.abort(isExposureError(error) ? error : new Error(String(error)));
      }
    });
  }
  const settled = await Promise.allSettled(results.values());
  if (failure !== undefined) throw failure.error;
  return [...initial, ...settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? outcome.value : []))];
}
