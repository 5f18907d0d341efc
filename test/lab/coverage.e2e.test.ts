// A scan that could not look never says "nothing found", in the lab with the real router and the real agent:
// an unreachable --gateway, an agent that is down (and one stopped for one scan of a history), an agent whose
// certificate cannot be verified.
import t from 'tap';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { withLab, type Lab } from './lab.js';
import { AGENT_PORT, runExposure, scanWithVantage } from './exposure.js';
import { exposureArgv } from '../support/built.js';
import type { Change } from '../../src/diff/types.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/qnap/', import.meta.url));
const TOKEN = 'lab-token-'.padEnd(48, 'x');

/** `exposure agent` on the internet host; resolves once it says it listens (works for https with any certificate). */
async function agent(lab: Lab, extra: string[] = []): Promise<ChildProcess> {
  // In the lab's own folder, which its teardown removes.
  const tokenFile = path.join(mkdtempSync(path.join(lab.tmpDir, 'agent-')), 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const child = lab.spawn(lab.wan, process.execPath, exposureArgv('agent', '--listen', `${lab.wan.address}:${AGENT_PORT}`, '--token-file', tokenFile, '--engine', 'connect', ...extra));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the agent exited (${String(code)}): ${output}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

t.test('coverage in the lab', async (t) => {
  const lab = await withLab(t, { mappings: [{ protocol: 'TCP', externalPort: 8080, internalClient: '@nas', internalPort: 8080, description: 'QNAP web' }] });
  if (!lab) return;
  lab.spawn(lab.nas, process.execPath, ['-e', "require('net').createServer((s) => s.end('HTTP/1.0 200 OK\\r\\n\\r\\n')).listen(8080, '0.0.0.0')"]);
  const agentUrl = `http://${lab.wan.address}:${AGENT_PORT}`;

  await t.test('an unreachable --gateway: inside view failed, exit 3, no score line', async (t) => {
    const wrongPort = lab.router.rootDescUrl.replace(/:(\d+)\//, ':1/');
    const json = await runExposure(lab, ['scan', '--gateway', wrongPort, '--no-wan', '--format', 'json']);
    t.equal(json.code, 3, json.stderr);
    t.equal(json.report?.coverage.inside.status, 'failed');
    t.equal(json.report?.coverage.inside.reason?.code, 'EXP_ERR_HTTP_NETWORK');
    t.match(json.stderr, /the inside view failed/);
    const text = await runExposure(lab, ['scan', '--gateway', wrongPort, '--no-wan', '--no-color']);
    t.equal(text.code, 3);
    t.match(text.stdout, /^INCOMPLETE SCAN: /m);
    t.notMatch(text.stdout, /\d+\/100/, 'no score line');
    t.notMatch(text.stdout, /nothing found/i);
  });

  await t.test('an agent that is down: outside view failed, exit 3; stopped for one scan of a history: one coverage-changed each way', async (t) => {
    const db = path.join(lab.tmpDir, 'coverage-history.db');
    // --gateway skips the 1.5 s discovery window: the outside view is what this test is about.
    const scan = () => scanWithVantage(lab, agentUrl, TOKEN, ['--ports', '7000', '--db', db, '--fail-on', 'none', '--gateway', lab.router.rootDescUrl]);
    let running = await agent(lab);
    const first = await scan();
    t.equal(first.code, 0, first.stderr);
    t.equal(first.report?.coverage.outside.status, 'complete');
    t.ok(first.report?.findings.some((finding) => finding.rule === 'wan-port-open-mapped'), 'the outside view found the open door');
    await stop(running);

    const second = await scan();
    t.equal(second.code, 3, 'a failed outside view is exit 3 even with --fail-on none');
    t.equal(second.report?.coverage.outside.status, 'failed');
    t.equal(second.report?.coverage.outside.reason?.code, 'EXP_ERR_VANTAGE');
    t.equal(second.report?.coverage.inside.status, 'complete', 'the inside view is still there');
    t.match(second.stderr, /the outside view failed: EXP_ERR_VANTAGE/);

    running = await agent(lab);
    t.teardown(() => stop(running));
    const third = await scan();
    t.equal(third.code, 0, third.stderr);

    for (const [from, to] of [['1', '2'], ['2', '3']] as const) {
      const diff = await runExposure(lab, ['diff', from, to, '--db', db, '--format', 'json']);
      const changes = (JSON.parse(diff.stdout) as { changes: Change[] }).changes;
      t.same(changes.filter((change) => change.kind === 'coverage-changed').map((change) => change.key), ['outside'], `${from} -> ${to}: one coverage-changed`);
      t.same(changes.filter((change) => ['finding-new', 'finding-resolved', 'finding-severity-changed', 'wan-port-opened', 'wan-port-closed'].includes(change.kind)), [], `${from} -> ${to}: nothing new or resolved`);
    }
  });

  await t.test('an agent whose certificate cannot be verified: exit 2 with the fix, never 0', async (t) => {
    const running = await agent(lab, ['--tls-cert', path.join(FIXTURES, 'qnap-default.crt'), '--tls-key', path.join(FIXTURES, 'qnap-default.key')]);
    t.teardown(() => stop(running));
    const run = await scanWithVantage(lab, `https://${lab.wan.address}:${AGENT_PORT}`, TOKEN, ['--ports', '7000', '--gateway', lab.router.rootDescUrl]);
    t.equal(run.code, 2);
    t.match(run.stderr, /EXP_ERR_VANTAGE_TLS: The agent's certificate at https:\/\/[\d.]+:\d+ could not be verified/);
    t.match(run.stderr, /NODE_EXTRA_CA_CERTS/, 'says how to fix it');
    t.equal(run.stdout, '', 'no report that could be read as a result');
  });
});
