// How run-scan runs probes: each after the probes it names, independent ones at once, a failure stopping the rest.
// The probes here are in-memory; no network.
import t from 'tap';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { orderProbes } from '../../src/core/probe-order.js';
import { isExposureError, createError } from '../../src/core/errors.js';
import type { Observation } from '../../src/core/observation.js';
import type { ProbeAction, ProbeContext, ProbeManifest } from '../../src/core/probe.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import { Scope } from '../../src/core/scope.js';
import { runProbes } from '../../src/scan/run-probes.js';
import { PROBES } from '../../probes/registry.js';

function probe(id: string, after: string[], run: (context: ProbeContext) => Promise<Observation[]>): ProbeManifest {
  const action: ProbeAction = { appliesTo: () => true, run };
  return { id, name: id, description: id, safety: 'safe', references: [], after, observes: {}, load: async () => action };
}

function warning(probeId: string, message: string): Observation {
  return { probe: probeId, kind: 'warning', subject: probeId, at: '2026-01-01T00:00:00.000Z', data: { code: 'EXP_ERR_TIMEOUT', message } };
}

function shared(signal = new AbortController().signal) {
  return { options: DEFAULT_SCAN_OPTIONS, scope: new Scope([]), deadline: Number.MAX_SAFE_INTEGER, signal, progress: () => undefined };
}

/** Event-loop turns, not time: a probe that would need the other one to have started gives up after these. */
async function started(flag: () => boolean, turns = 100): Promise<boolean> {
  for (let turn = 0; turn < turns && !flag(); turn++) await nextTurn();
  return flag();
}

t.test('the registry orders the real probes by what they read', async (t) => {
  t.same(PROBES.map((manifest) => manifest.id), ['upnp-igd', 'access', 'nat-pmp', 'qnap', 'ipv6-lan', 'wan-scan', 'myqnapcloud', 'passive-internetdb', 'wan6-scan']);
});

t.test('independent probes run at once; one waits only for those it names', async (t) => {
  let bRunning = false;
  let aSawB = false;
  const seenByC: string[] = [];
  const probes = [
    probe('a', [], async () => {
      aSawB = await started(() => bRunning);
      return [warning('a', 'from a')];
    }),
    probe('b', [], async () => {
      bRunning = true;
      await nextTurn();
      return [warning('b', 'from b')];
    }),
    probe('c', ['a'], async (context) => {
      seenByC.push(...context.observations.map((observation) => observation.probe));
      return [warning('c', 'from c')];
    }),
  ];
  const observations = await runProbes(probes, [warning('local', 'first')], shared());
  t.ok(aSawB, 'b started while a was running');
  t.same(seenByC, ['local', 'a'], 'c saw what a observed and nothing of b');
  t.same(observations.map((observation) => observation.probe), ['local', 'a', 'b', 'c'], 'in the order of the probes, not of finishing');
});

t.test('the first failure stops the others and is the one thrown', async (t) => {
  let bAborted = false;
  const probes = [
    probe('a', [], async () => {
      await nextTurn();
      throw createError('EXP_ERR_VANTAGE', 'the agent refused the token');
    }),
    probe('b', [], async (context) => {
      await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
      bAborted = true;
      throw createError('EXP_ERR_ABORTED', 'b was cancelled');
    }),
    probe('c', ['a'], async () => {
      t.fail('c runs after a, which failed');
      return [];
    }),
  ];
  const error: unknown = await runProbes(probes, [], shared()).catch((caught: unknown) => caught);
  t.ok(isExposureError(error, 'EXP_ERR_VANTAGE'), String(error));
  t.ok(bAborted, 'b saw the abort and stopped before runProbes returned');
});

t.test('a scan cancelled by its caller starts no probe', async (t) => {
  const controller = new AbortController();
  controller.abort();
  const error: unknown = await runProbes([probe('a', [], async () => t.fail('ran') as never)], [], shared(controller.signal)).catch((caught: unknown) => caught);
  t.ok(isExposureError(error, 'EXP_ERR_ABORTED'));
});

t.test('orderProbes refuses what would break mid-scan', async (t) => {
  const run = async (): Promise<Observation[]> => [];
  t.throws(() => orderProbes([probe('a', ['b'], run), probe('b', ['a'], run)]), /wait on each other/);
  t.throws(() => orderProbes([probe('a', ['nowhere'], run)]), /runs after "nowhere", which is not registered/);
  t.throws(() => orderProbes([probe('a', [], run), probe('a', [], run)]), /two probes have the id "a"/);
  t.throws(() => orderProbes([probe('Not_Kebab', [], run)]), /not kebab-case/);
  t.same(orderProbes([probe('z', [], run), probe('b', ['z'], run), probe('a', [], run)]).map((manifest) => manifest.id), ['a', 'z', 'b'], 'ties by id, dependencies first');
});

/** An observation of a kind only these tests' probe declares (observes: { noise: {} }), outside the real probes' kinds. */
const noise = (message: string): Observation => ({ ...warning('a', message), kind: 'noise' }) as unknown as Observation;
const messageOf = (observation: Observation): string => (observation.data as { message?: string }).message ?? '';

t.test('startsEarly: a probe starts on what another published, before that one is done, and sees only that', async (t) => {
  let releaseA: () => void = () => undefined;
  const aMayFinish = new Promise<void>((resolve) => { releaseA = resolve; });
  let bStartedBeforeAFinished = false;
  let aFinished = false;
  const seenByB: string[] = [];
  const early = warning('a', 'published early');
  const late = warning('a', 'published late');
  const probes: ProbeManifest[] = [
    { ...probe('a', [], async (context) => {
      context.publish(noise('published early'));
      context.publish(early);
      await aMayFinish;
      context.publish(late);
      aFinished = true;
      // Returned again in its place: kept once.
      return [early, warning('a', 'returned')];
    }), observes: { noise: {} } },
    { ...probe('b', ['a'], async (context) => {
      bStartedBeforeAFinished = !aFinished;
      seenByB.push(...context.observations.map((observation) => `${observation.probe}:${observation.kind}:${messageOf(observation)}`));
      releaseA();
      return [warning('b', 'from b')];
    }), startsEarly: { a: 'warning' } },
    probe('c', ['a'], async (context) => {
      t.ok(aFinished, 'c, without startsEarly, waits for a to finish');
      return [warning('c', `saw ${context.observations.length}`)];
    }),
  ];
  const observations = await runProbes(probes, [], shared());
  t.ok(bStartedBeforeAFinished, 'b started while a was still running');
  t.same(seenByB, ['a:noise:published early', 'a:warning:published early'], 'b saw what a had published when b started');
  t.same(observations.map((observation) => `${observation.probe}:${observation.kind}:${messageOf(observation)}`), [
    'a:noise:published early', 'a:warning:published late', 'a:warning:published early', 'a:warning:returned', 'b:warning:from b', 'c:warning:saw 4',
  ], 'what it published and did not return first, then what it returned; each once');
});

t.test('startsEarly on a probe that publishes nothing of that kind: it starts when that probe is done', async (t) => {
  let aFinished = false;
  const probes: ProbeManifest[] = [
    { ...probe('a', [], async (context) => {
      context.publish(noise('other kind'));
      await nextTurn();
      aFinished = true;
      return [warning('a', 'done')];
    }), observes: { noise: {} } },
    { ...probe('b', ['a'], async (context) => {
      t.ok(aFinished, 'b waited for a');
      t.same(context.observations.map(messageOf), ['other kind', 'done'], 'and saw all of it');
      return [];
    }), startsEarly: { a: 'warning' } },
  ];
  await runProbes(probes, [], shared());
});

t.test('startsEarly must name a probe in after', async (t) => {
  const probes: ProbeManifest[] = [probe('a', [], async () => []), { ...probe('b', [], async () => []), startsEarly: { a: 'warning' } }];
  t.throws(() => orderProbes(probes), { code: 'EXP_ERR_REPORT_INVALID', message: /starts early on "a", which is not in its "after"/ });
});

t.test('startsAtOnce: a probe starts with the scan and waits only where it reads what the other handed out', async (t) => {
  let releaseA: () => void = () => undefined;
  const aMayPublish = new Promise<void>((resolve) => { releaseA = resolve; });
  const order: string[] = [];
  const probes: ProbeManifest[] = [
    probe('a', [], async (context) => {
      await aMayPublish;
      order.push('a publishes');
      context.publish(warning('a', 'the table'));
      await nextTurn();
      order.push('a finishes');
      return [warning('a', 'the rest')];
    }),
    { ...probe('b', ['a'], async (context) => {
      order.push('b starts');
      t.same(context.observations, [], 'nothing of a yet');
      releaseA();
      const seen = await (context.awaitPublished?.('a', 'warning') ?? Promise.resolve([]));
      order.push(`b read ${seen.map(messageOf).join(', ')}`);
      const all = await (context.awaitFinished?.('a') ?? Promise.resolve([]));
      order.push(`b read all of a: ${all.map(messageOf).join(', ')}`);
      await t.rejects((context.awaitPublished?.('c', 'warning') ?? Promise.reject(new Error('absent'))), /not in its "startsAtOnce"/);
      return [warning('b', 'done')];
    }), startsAtOnce: ['a'] },
  ];
  const observations = await runProbes(probes, [], shared());
  t.same(order, ['b starts', 'a publishes', 'b read the table', 'a finishes', 'b read all of a: the table, the rest'], 'b ran before a published, read it once it had, and all of it once a was done');
  t.same(observations.map(messageOf), ['the table', 'the rest', 'done']);
  t.throws(() => orderProbes([probe('a', [], async () => []), { ...probe('b', [], async () => []), startsAtOnce: ['a'] }]), { message: /starts early on "a", which is not in its "after"/ });
});
