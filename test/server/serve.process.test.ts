/**
 * `exposure serve` as a real process on 127.0.0.1, driven over HTTP as a user (or Home Assistant) would: the
 * token file appears with mode 0600, a scan runs and its report reads back, schedules run, SIGTERM stops it
 * cleanly, and a SIGKILL in the middle of a scan leaves the scan marked interrupted on the next start.
 * Every scan names the loopback fake IGD with wan: false: nothing leaves 127.0.0.1.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeIgd } from '../support/fake-igd.js';
import { closedPort } from '../support/ports.js';
import { validateReport } from '../../src/report/validate.js';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';

const CLI = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));

interface Server {
  child: ChildProcess;
  base: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function serve(dir: string, port: number, extra: string[] = []): Promise<Server> {
  const child = spawn(process.execPath, [...TS_LOADER_ARGS, CLI, 'serve', '--listen', `127.0.0.1:${port}`, '--db', path.join(dir, 'history.db'), '--jitter', '0', ...extra], {
    env: { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_DATA_HOME: path.join(dir, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!stderr.includes('listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, base: `http://127.0.0.1:${port}`, stderr: () => stderr, exited };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

t.test('exposure serve: token, a scan over HTTP, its report, a schedule, clean stop', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'exposure-serve-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const igd = await startFakeIgd({ mappings: [{ protocol: 'TCP', externalPort: 8080, internalClient: '192.168.1.20', internalPort: 8080, description: 'NAS web UI', leaseDuration: 0 }] });
  t.teardown(igd.close);
  const server = await serve(dir, await closedPort());
  t.teardown(() => server.child.kill('SIGKILL'));

  const tokenFile = path.join(dir, 'config', 'exposure-scanner', 'api-token');
  t.equal((await stat(tokenFile)).mode & 0o777, 0o600, 'token file created with mode 0600');
  const token = (await readFile(tokenFile, 'utf8')).trim();
  t.ok(token.length >= 32);
  t.notOk(server.stderr().includes(token), 'the token itself is not printed');
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  t.equal((await fetch(`${server.base}/v1/healthz`)).status, 200);
  t.equal((await fetch(`${server.base}/v1/scans`)).status, 401);

  const accepted = await fetch(`${server.base}/v1/scans`, { method: 'POST', headers, body: JSON.stringify({ gateway: igd.url, wan: false }) });
  t.equal(accepted.status, 202);
  const { id } = (await accepted.json()) as { id: number };
  const done = await waitFor('the scan', async () => {
    const scan = (await (await fetch(`${server.base}/v1/scans/${id}`, { headers })).json()) as { status: string };
    return scan.status === 'queued' || scan.status === 'running' ? undefined : scan;
  });
  t.equal(done.status, 'done');
  const report: unknown = await (await fetch(`${server.base}/v1/scans/${id}/report?format=json`, { headers })).json();
  t.doesNotThrow(() => validateReport(report), 'the report reads back whole and valid');
  const text = await (await fetch(`${server.base}/v1/scans/${id}/report?format=text`, { headers })).text();
  t.match(text, /NAS web UI/);
  const exposure = (await (await fetch(`${server.base}/v1/exposure`, { headers })).json()) as { scanId: number; mappings: number };
  t.match(exposure, { scanId: id, mappings: 1 });

  // A schedule created over the API runs in the same process (every second, no jitter).
  const created = await fetch(`${server.base}/v1/schedules`, { method: 'POST', headers, body: JSON.stringify({ name: 'fast', cron: '* * * * * *', scan: { gateway: igd.url, wan: false } }) });
  t.equal(created.status, 201);
  const scheduleId = ((await created.json()) as { id: number }).id;
  await waitFor('a scheduled scan', async () => {
    const page = (await (await fetch(`${server.base}/v1/scans?status=done`, { headers })).json()) as { items: Array<{ trigger: string; scheduleId: number | null }> };
    return page.items.find((scan) => scan.trigger === 'schedule' && scan.scheduleId === scheduleId);
  });
  t.equal((await fetch(`${server.base}/v1/schedules/${scheduleId}`, { method: 'DELETE', headers: { authorization: headers.authorization } })).status, 204);

  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0, 'SIGTERM stops it cleanly');
  t.match(server.stderr(), /stopping/);
});

t.test('SIGKILL in the middle of a scan: the next start marks it interrupted', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'exposure-serve-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const igd = await startFakeIgd({ hang: true });
  t.teardown(igd.close);
  const port = await closedPort();
  const first = await serve(dir, port);
  t.teardown(() => first.child.kill('SIGKILL'));
  const token = (await readFile(path.join(dir, 'config', 'exposure-scanner', 'api-token'), 'utf8')).trim();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const { id } = (await (await fetch(`${first.base}/v1/scans`, { method: 'POST', headers, body: JSON.stringify({ gateway: igd.url, wan: false, timeoutSeconds: 120, requestTimeoutMs: 60000 }) })).json()) as { id: number };
  await waitFor('the scan to run', async () => {
    const scan = (await (await fetch(`${first.base}/v1/scans/${id}`, { headers })).json()) as { status: string };
    return scan.status === 'running' ? scan : undefined;
  });
  first.child.kill('SIGKILL');
  await first.exited;

  const second = await serve(dir, port);
  t.teardown(() => second.child.kill('SIGKILL'));
  const scan = (await (await fetch(`${second.base}/v1/scans/${id}`, { headers })).json()) as { status: string; error: { code: string } | null };
  t.equal(scan.status, 'interrupted');
  t.equal(scan.error?.code, 'EXP_ERR_SCAN_INTERRUPTED');
  second.child.kill('SIGTERM');
  t.equal(await second.exited, 0);
});
