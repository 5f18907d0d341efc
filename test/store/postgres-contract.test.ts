/**
 * The store contract against a real PostgreSQL server (a throw-away cluster on 127.0.0.1, test/support/postgres.ts),
 * two watchers of different sites writing into one database at once, and what a user sees when the URL is wrong.
 * One cluster for the whole file: starting one is most of this file's time.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { openStore } from '../../src/store/index.js';
import { SCHEMA_VERSION } from '../../src/store/migrations.js';
import { startFakeIgd } from '../support/fake-igd.js';
import { closedPort } from '../support/ports.js';
import { runCli } from '../support/cli.js';
import { withPostgres } from '../support/postgres.js';
import { storeContract } from './contract.js';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';

// npm run test:future runs test/store a year ahead under faketime: the dates the stores write come from the same
// injected clock in both, so the SQLite contract covers that run, and a second cluster start would double this
// file's share of the suite.
const cluster = process.env.FAKETIME === undefined ? await withPostgres(t) : (t.plan(0, 'skipped under faketime: test/store/sqlite-contract.test.ts covers the year-ahead run'), undefined);
if (cluster) {
  const contractUrl = await cluster.createDatabase('contract');
  let migrated = false;
  t.test('the contract', async (t) => {
    storeContract(t, async (options = {}) => {
      // One database, emptied before each subtest that asks for a new history: far cheaper than a database each.
      if (!options.sharing && migrated) await cluster.sql('TRUNCATE scans, schedules, alerts, scan_mappings, scan_wan_ports, scan_findings, scan_hosts RESTART IDENTITY CASCADE', 'contract');
      const store = await openStore({ file: contractUrl, ...(options.now ? { now: options.now } : {}) });
      migrated = true;
      return { store, location: contractUrl };
    });
  });

  t.test('two watchers of different sites write into one database at once; nothing is lost; history --site tells them apart', async (t) => {
    const url = await cluster.createDatabase('sites');
    // Both processes open (and so migrate) the new database at the same moment: the advisory lock serialises them.
    const writers = ['home', 'office'].map((site) => spawn(process.execPath, [...TS_LOADER_ARGS, new URL('./site-writer.ts', import.meta.url).pathname, url, site, '15'], { stdio: ['pipe', 'pipe', 'inherit'] }));
    const lines = writers.map((child) => {
      const chunks: string[] = [];
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
      return async (count: number): Promise<string[]> => {
        while (chunks.join('').split('\n').filter(Boolean).length < count) {
          await new Promise((resolve, reject) => {
            child.stdout.once('data', resolve);
            child.once('exit', (code) => reject(new Error(`writer exited ${String(code)}`)));
          });
        }
        return chunks.join('').split('\n').filter(Boolean);
      };
    });
    await Promise.all(lines.map((read) => read(1)));
    for (const child of writers) child.stdin.end('go\n');
    const written = (await Promise.all(lines.map((read) => read(2)))).map((output) => JSON.parse(output[1] ?? '[]') as number[]);
    const store = await openStore({ file: url });
    t.teardown(() => store.close());
    t.same(await store.countScansBySiteAndStatus(), [{ site: 'home', status: 'done', count: 15 }, { site: 'office', status: 'done', count: 15 }], 'every scan of both sites, each done');
    t.equal(new Set(written.flat()).size, 30, 'no id given twice');
    const [home, office] = written;
    t.ok(home && office && Math.min(...office) < Math.max(...home) && Math.min(...home) < Math.max(...office), 'the writes interleaved');
    for (const id of [...(home ?? []), ...(office ?? [])]) {
      const facts = await store.getFacts(id);
      if (facts?.mappings.length !== 2) t.fail(`scan ${id} lost its facts`);
    }
    t.same((await store.listSchedules()).map((s) => [s.site, s.name]).sort(), [['home', 'watch'], ['office', 'watch']], 'one schedule per site, both named watch');
    t.equal((await store.listAlerts({ site: 'office', limit: 500 })).length, 15);

    const json = await runCli(['history', '--db', url, '--site', 'home', '--limit', '100', '--format', 'json']);
    t.equal(json.code, 0, json.stderr);
    const scans = (JSON.parse(json.stdout) as { scans: { id: number; site: string }[] }).scans;
    t.same(scans.map((scan) => scan.id).sort((a, b) => a - b), home, 'history --site home lists exactly the home watcher\'s scans');
    t.same([...new Set(scans.map((scan) => scan.site))], ['home']);
    const text = await runCli(['history', '--db', url, '--limit', '4']);
    t.match(text.stdout, /^SITE\s+ID/m, 'a shared history shows a SITE column');
    t.notOk(text.stdout.includes(cluster.password) || text.stderr.includes(cluster.password), 'the password never shows');
    const igd = await startFakeIgd({ mappings: [{ protocol: 'TCP', externalPort: 8443, internalClient: '127.0.0.1', internalPort: 443, description: 'cabin nas' }] });
    t.teardown(() => igd.close());
    const saved = await runCli(['scan', '--gateway', igd.url, '--no-wan', '--db', url, '--site', 'cabin', '--format', 'json', '--fail-on', 'none']);
    t.match(saved.stderr, /Saved as scan \d+ in postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/, 'scan --db URL --site: saved, the password hidden');
    t.same((await store.listScans({ site: 'cabin' })).items.map((scan) => [scan.trigger, scan.summary?.mappings]), [['cli', 1]]);
    t.equal((await runCli(['scan', '--gateway', igd.url, '--no-wan', '--site', 'cabin'])).code, 2, '--site without --save or --db is refused');
    const diff = await runCli(['diff', '--db', url, '--site', 'office', '--format', 'json']);
    t.equal(diff.code, 1, 'the two newest office scans differ (their mapping descriptions)');
    t.match(JSON.parse(diff.stdout), { from: { scanId: office?.at(-2) }, to: { scanId: office?.at(-1) } }, 'diff --site compares that site\'s two newest scans');
  });

  t.test('wrong URLs fail with a code and a fix, never the password', async (t) => {
    const secret = cluster.password;
    const wrong = cluster.url('contract').replace(encodeURIComponent(secret), 'not-the-password-4711');
    await t.rejects(openStore({ file: wrong }), { code: 'EXP_ERR_DB_CONNECT', message: /refused the login/ });
    try {
      await openStore({ file: wrong });
    } catch (error) {
      t.notOk((error as Error).message.includes('not-the-password-4711'), 'the wrong password is not echoed');
      t.match((error as Error).message, /postgres:\*\*\*@127\.0\.0\.1/);
    }
    await t.rejects(openStore({ file: cluster.url('no_such_db') }), { code: 'EXP_ERR_DB_CONNECT', message: /no such database/ });
    const port = await closedPort();
    await t.rejects(openStore({ file: `postgres://postgres:${secret}@127.0.0.1:${port}/x`, postgres: { connectTimeoutMs: 2000 } }), { code: 'EXP_ERR_DB_CONNECT', message: /cannot reach/ });
    await t.rejects(openStore({ file: `postgres://postgres:${secret}@127.0.0.1:${port}` }), { code: 'EXP_ERR_DB_OPEN', message: /names no database/ });
    const cli = await runCli(['history', '--db', wrong]);
    t.equal(cli.code, 2);
    t.match(cli.stderr, /EXP_ERR_DB_CONNECT/);
    t.notOk(cli.stderr.includes('not-the-password-4711'), 'nor by the CLI');
    // Another client holds the scans table: a store call waits at most its lock timeout, then says so.
    const holder = new pg.Client({ connectionString: contractUrl });
    await holder.connect();
    t.teardown(() => holder.end());
    const bounded = await openStore({ file: contractUrl, busyTimeoutMs: 200 });
    t.teardown(() => bounded.close());
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE scans IN ACCESS EXCLUSIVE MODE');
    await t.rejects(bounded.listScans(), { code: 'EXP_ERR_DB_TIMEOUT', message: /ran out of time/ }, 'waits are bounded');
    await holder.query('ROLLBACK');
    t.ok(await bounded.listScans(), 'and the store works again');
  });

  t.test('a database migrated by a newer program is refused and left alone', async (t) => {
    const url = await cluster.createDatabase('future');
    const store = await openStore({ file: url });
    t.equal(store.schemaVersion, SCHEMA_VERSION);
    await store.close();
    t.same((await cluster.sql('SELECT version, name FROM schema_version ORDER BY version', 'future')).rows.map((row: { version: number }) => row.version), Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1), 'each step logged once');
    await cluster.sql("INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', NULL)", 'future');
    await t.rejects(openStore({ file: url }), { code: 'EXP_ERR_DB_VERSION' });
    t.equal(((await cluster.sql('SELECT MAX(version) AS v FROM schema_version', 'future')).rows[0] as { v: number } | undefined)?.v, 99, 'untouched');
  });
}
