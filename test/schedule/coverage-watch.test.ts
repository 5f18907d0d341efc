// A watch whose agent goes down: the scheduler, the real store and a real webhook receiver on a fake clock. One
// failed scan is one coverage-changed and no alert under new-exposure; three in a row are one alert; the scans
// around a gap raise no finding-new or finding-resolved.
import t from 'tap';
import path from 'node:path';
import type { AlertPayload } from '../../src/alerts/payload.js';
import { startScheduler } from '../../src/schedule/scheduler.js';
import { openStore } from '../../src/store/index.js';
import type { ExposureReport } from '../../src/core/report.generated.js';
import type { AlertOn } from '../../src/store/types.js';
import { testClock } from '../support/clock.js';
import { agentDown, agentUp, homeGateway, insideView, reportOf, WITH_AGENT } from '../support/coverage-scans.js';
import { tempDir } from '../support/reports.js';
import { startReceiver } from '../support/webhook-receiver.js';

const options = { ...WITH_AGENT, gatewayUrl: 'http://127.0.0.1:1/rootDesc.xml' };

/** One scan at the scheduler's time, with the agent up or down. */
function report(agentAnswered: boolean, at: string): ExposureReport {
  return reportOf([...insideView(homeGateway(), at), ...(agentAnswered ? agentUp([8080], at) : agentDown(at))], options, at);
}

/** Runs one scan per second with the agent up or down as `plan` says; returns the alert bodies received, in order. */
async function watch(t: { teardown: (fn: () => unknown) => void }, plan: boolean[], alertOn: AlertOn): Promise<AlertPayload[]> {
  const clock = testClock();
  const receiver = await startReceiver();
  t.teardown(receiver.close);
  const store = await openStore({ file: path.join(await tempDir(t), 'h.db'), now: clock.date });
  t.teardown(() => store.close());
  await store.createSchedule({ name: 'home', cron: '* * * * * *', options, webhooks: [receiver.url], alertOn });
  let index = 0;
  const run = () => Promise.resolve(report(plan[index++] ?? true, clock.date().toISOString()));
  const scheduler = await startScheduler({ store, clock, run, maxJitterMs: 0, outbox: { pollMs: 100, retryBaseMs: 100 } });
  t.teardown(() => scheduler.stop());
  for (let scan = 0; scan < plan.length; scan++) {
    await clock.tick(1000);
    await scheduler.idle();
  }
  return receiver.received.map((received) => received.body as AlertPayload);
}

const matchedKinds = (alert: AlertPayload) => alert.changes.filter((change) => change.matched).map((change) => `${change.kind} ${change.key}`);

t.test('new-exposure: a dead agent is one alert, at the third failed scan in a row', async (t) => {
  const alerts = await watch(t, [true, false, true, false, false, false, false], 'new-exposure');
  t.same(alerts.map((alert) => alert.type), ['exposure.baseline', 'exposure.changes'], 'the baseline, then one alert in seven scans');
  t.same(matchedKinds(alerts[1] as AlertPayload), ['coverage-changed outside']);
  t.match(alerts[1]?.changes[0]?.summary, /the outside view has failed in the last 3 scans: EXP_ERR_VANTAGE/);
});

t.test('any: the agent stopped for one scan is one coverage-changed going down and one coming back, nothing else', async (t) => {
  const alerts = await watch(t, [true, false, true], 'any');
  t.same(alerts.map((alert) => alert.type), ['exposure.baseline', 'exposure.changes', 'exposure.changes']);
  for (const alert of alerts.slice(1)) t.same(alert.changes.map((change) => `${change.kind} ${change.key}`), ['coverage-changed outside']);
});
