import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { checkOutputFile, checkScanEngine, temporaryFileOf, writeAtomically, type Machine } from '../../src/cli/preflight.js';
import { buildScanOptions } from '../../src/scan/scan-choices.js';
import { isExposureError } from '../../src/core/errors.js';
import { capture, runCli } from '../support/cli.js';
import { tempDir } from '../support/reports.js';

/**
 * Issue 13 item 3, "fail before work". The gateway of every scan here is a loopback HTTP server that counts the
 * connections it gets: a refusal "before work" is one it never saw. Scans that must run without --no-wan (the
 * --syn-scan and --vantage checks) also get an already aborted signal, so even a missing check could not send
 * anything: the scan would stop with EXP_ERR_ABORTED before its first probe.
 */
/** The part of a tap test the helpers need. */
interface Teardown {
  teardown: (fn: () => unknown) => void;
}

interface Gateway {
  url: string;
  connections: () => number;
}

async function countingGateway(t: Teardown, onRequest: () => Promise<void> = async () => undefined): Promise<Gateway> {
  let connections = 0;
  const server = http.createServer((_request, response) => {
    void onRequest().then(() => response.writeHead(404).end());
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rootDesc.xml`, connections: () => connections };
}

const FAST = ['--timeout', '5', '--request-timeout', '1000'];

async function runAborted(args: string[]): Promise<{ code: number; stderr: string }> {
  const gateway = args.indexOf('--gateway');
  if (gateway < 0 || !args[gateway + 1]?.startsWith('http://127.')) throw new Error('unit tests must only scan loopback');
  const controller = new AbortController();
  controller.abort();
  const err = capture();
  const code = await main(args, { stdout: capture().stream, stderr: err.stream }, controller.signal);
  return { code, stderr: err.text() };
}

function asUser(t: Teardown, uid: number): void {
  const original = process.getuid;
  process.getuid = () => uid;
  t.teardown(() => {
    process.getuid = original;
  });
}

/** Whether this machine refuses new files in /sys even to root (a container or host may mount it otherwise). */
async function sysRefusesFiles(): Promise<boolean> {
  const probe = `/sys/exposure-probe.${process.pid}`;
  try {
    await (await open(probe, 'wx')).close();
    await rm(probe);
    return false;
  } catch {
    return true;
  }
}

t.test('--output is checked before the scan: nothing is sent, nothing is left', async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, 'a-file'), 'x');
  await mkdir(path.join(dir, 'a-folder'));
  const cases: Array<[string, RegExp]> = [
    [path.join(dir, 'missing', 'report.json'), /the folder .*missing does not exist[\s\S]*mkdir -p/],
    [path.join(dir, 'a-folder'), /is a folder[\s\S]*report\.json/],
    [path.join(dir, 'a-file', 'report.json'), /is a file, not a folder/],
    ['/dev/null', /not a regular file[\s\S]*> \/dev\/null/],
    ['', /needs a file name/],
  ];
  if (await sysRefusesFiles()) cases.push(['/sys/exposure-report.json', /cannot create files in \/sys[\s\S]*write to/]);
  // access(2) would call /proc writable for root; the probe file is what tells.
  cases.push(['/proc/exposure-report.json', /EXP_ERR_OUTPUT/]);
  for (const [file, message] of cases) {
    const gateway = await countingGateway(t);
    const result = await runCli(['scan', '--gateway', gateway.url, ...FAST, '--output', file]);
    t.equal(result.code, 2, file);
    t.match(result.stderr, /^exposure: EXP_ERR_OUTPUT: /, file);
    t.match(result.stderr, message, file);
    t.equal(gateway.connections(), 0, `${file}: refused before the gateway was asked anything`);
  }
  t.same((await readdir(dir)).sort(), ['a-file', 'a-folder'], 'no probe or temporary file remains');
  t.same(await readdir(path.join(dir, 'a-folder')), []);
  t.equal((await stat('/dev/null')).isCharacterDevice(), true, '/dev/null is still the device');
});

t.test('a writable --output passes the check and leaves no probe behind', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'report.json');
  await checkOutputFile(file);
  await writeFile(file, 'old');
  await checkOutputFile(file);
  t.same(await readdir(dir), ['report.json']);
  t.equal(await readFile(file, 'utf8'), 'old', 'the check never touches the file itself');
  const inTheWay = temporaryFileOf(file);
  await writeFile(inTheWay, 'not ours');
  await t.rejects(checkOutputFile(file), { code: 'EXP_ERR_OUTPUT', message: /is in the way/ });
  t.equal(await readFile(inTheWay, 'utf8'), 'not ours', 'a temporary name already taken is left alone');
});

t.test('a write that fails after the scan removes its temporary file', async (t) => {
  await t.test('a folder appears where the file goes during the scan (rename fails)', async (t) => {
    const dir = await tempDir(t);
    const file = path.join(dir, 'report.json');
    const gateway = await countingGateway(t, async () => {
      await mkdir(path.join(file, 'inside'), { recursive: true });
    });
    const result = await runCli(['scan', '--gateway', gateway.url, ...FAST, '--output', file]);
    t.equal(result.code, 2);
    t.match(result.stderr, /EXP_ERR_OUTPUT: Cannot write .*a folder of that name appeared/);
    t.ok(gateway.connections() > 0, 'the scan ran');
    t.same(await readdir(dir), ['report.json'], 'no temporary file remains');
  });
  await t.test('the folder is removed during the scan', async (t) => {
    const dir = path.join(await tempDir(t), 'reports');
    await mkdir(dir);
    const gateway = await countingGateway(t, () => rm(dir, { recursive: true, force: true }));
    const result = await runCli(['scan', '--gateway', gateway.url, ...FAST, '--output', path.join(dir, 'report.json')]);
    t.equal(result.code, 2);
    t.match(result.stderr, /EXP_ERR_OUTPUT: .*no longer exists[\s\S]*mkdir -p/);
    await t.rejects(stat(dir), { code: 'ENOENT' }, 'nothing was created in its place');
  });
  await t.test('the disk fills up while writing', async (t) => {
    const dir = await tempDir(t);
    const file = path.join(dir, 'report.json');
    await writeFile(file, 'previous report');
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    await t.rejects(
      writeAtomically(file, 'new report', {
        write: async (handle, content) => {
          await handle.writeFile(content.slice(0, 3));
          throw full;
        },
        rename: async () => undefined,
      }),
      { code: 'EXP_ERR_OUTPUT', message: /the disk is full/ },
    );
    t.same(await readdir(dir), ['report.json'], 'the half-written temporary file is removed');
    t.equal(await readFile(file, 'utf8'), 'previous report', 'the previous report is intact');
  });
  await t.test('the rename fails', async (t) => {
    const dir = await tempDir(t);
    const file = path.join(dir, 'report.json');
    const denied = Object.assign(new Error('EACCES: permission denied, rename'), { code: 'EACCES' });
    await t.rejects(writeAtomically(file, 'x', { write: (handle, content) => handle.writeFile(content), rename: () => Promise.reject(denied) }), { code: 'EXP_ERR_OUTPUT' });
    t.same(await readdir(dir), []);
  });
  await t.test('a successful write leaves only the file, mode 0600', async (t) => {
    const dir = await tempDir(t);
    const file = path.join(dir, 'report.json');
    await writeAtomically(file, 'report');
    t.same(await readdir(dir), ['report.json']);
    t.equal((await stat(file)).mode & 0o777, 0o600);
  });
});

t.test('--syn-scan is refused before the scan when it could not be honoured', async (t) => {
  asUser(t, 1000);
  const gateway = await countingGateway(t);
  const base = ['scan', '--gateway', gateway.url, ...FAST];
  const notRoot = await runAborted([...base, '--syn-scan']);
  t.equal(notRoot.code, 2);
  t.match(notRoot.stderr, /^exposure: EXP_ERR_SYN_SCAN_NEEDS_ROOT: .*root/);
  t.match(notRoot.stderr, /Run as root .* or drop --syn-scan/);
  for (const [extra, message] of [
    [['--no-wan'], /--syn-scan and --no-wan contradict/],
    [['--engine', 'connect'], /--syn-scan needs nmap/],
    [['--vantage', 'https://127.0.0.1:9/', '--vantage-token', 'x'], /with --vantage the agent scans with its own engine[\s\S]*exposure agent --syn-scan/],
  ] as const) {
    const result = await runAborted([...base, '--syn-scan', ...extra]);
    t.equal(result.code, 2, extra.join(' '));
    t.match(result.stderr, /EXP_ERR_USAGE/, extra.join(' '));
    t.match(result.stderr, message, extra.join(' '));
  }
  t.equal(gateway.connections(), 0);
});

t.test('--syn-scan as root passes the checks (the aborted scan then stops before its first probe)', async (t) => {
  asUser(t, 0);
  const gateway = await countingGateway(t);
  const result = await runAborted(['scan', '--gateway', gateway.url, ...FAST, '--syn-scan', '--engine', 'nmap']);
  if (/EXP_ERR_ENGINE_UNAVAILABLE/.test(result.stderr)) {
    t.pass('nmap is not installed here: refused before the scan, as it should be');
  } else {
    t.match(result.stderr, /EXP_ERR_ABORTED/);
  }
  t.equal(gateway.connections(), 0);
});

t.test('checkScanEngine: which engine problems are found up front', async (t) => {
  const machine = (isRoot: boolean, nmap: boolean): Machine => ({ isRoot: () => isRoot, nmapInstalled: async () => nmap });
  const options = (choices: Parameters<typeof buildScanOptions>[0]) => buildScanOptions(choices);
  const code = async (promise: Promise<void>): Promise<string> => {
    try {
      await promise;
      return 'ok';
    } catch (error) {
      return isExposureError(error) ? error.code : String(error);
    }
  };
  t.equal(await code(checkScanEngine(options({ synScan: true }), machine(true, true))), 'ok');
  t.equal(await code(checkScanEngine(options({ synScan: true }), machine(false, true))), 'EXP_ERR_SYN_SCAN_NEEDS_ROOT');
  t.equal(await code(checkScanEngine(options({ synScan: true }), machine(true, false))), 'EXP_ERR_ENGINE_UNAVAILABLE', 'auto would silently connect-scan');
  t.equal(await code(checkScanEngine(options({ engine: 'nmap' }), machine(false, false))), 'EXP_ERR_ENGINE_UNAVAILABLE', 'found before the router is read');
  t.equal(await code(checkScanEngine(options({ engine: 'nmap', wan: false }), machine(false, false))), 'ok', '--no-wan: the engine never runs');
  t.equal(await code(checkScanEngine(options({ engine: 'nmap', vantageUrl: 'https://127.0.0.1:9/', vantageToken: 'x' }), machine(false, false))), 'ok', '--vantage: the agent picks its engine');
  t.equal(await code(checkScanEngine(options({}), machine(false, false))), 'ok', 'auto without nmap is the connect engine');
});

t.test('--db is opened before the scan; a bad one is EXP_ERR_DB_OPEN with a hint', async (t) => {
  const dir = await tempDir(t);
  const notDb = path.join(dir, 'notes.db');
  await writeFile(notDb, 'these are my notes, not a database\n'.repeat(200));
  const cases: Array<[string, RegExp]> = [
    [notDb, /not an exposure-scanner history database[\s\S]*--db/],
    [path.join(notDb, 'history.db'), /is a file, not a folder/],
  ];
  if (await sysRefusesFiles()) cases.push(['/sys/exposure-history.db', /cannot write[\s\S]*--db/]);
  for (const [db, hint] of cases) {
    const gateway = await countingGateway(t);
    const result = await runCli(['scan', '--gateway', gateway.url, ...FAST, '--db', db]);
    t.equal(result.code, 2, db);
    t.match(result.stderr, /^exposure: EXP_ERR_DB_OPEN: History database /, db);
    t.match(result.stderr, hint, db);
    t.equal(gateway.connections(), 0, `${db}: before the gateway was asked anything`);
  }
  t.match(await readFile(notDb, 'utf8'), /^these are my notes/, 'the file is left untouched');
  t.same((await readdir(dir)).sort(), ['notes.db'], 'no -wal or -shm beside it');
  // A missing folder is created (mode 0700), as documented for the default file.
  const gateway = await countingGateway(t);
  const nested = path.join(dir, 'new', 'history.db');
  const created = await runCli(['scan', '--gateway', gateway.url, ...FAST, '--db', nested]);
  t.equal(created.code, 3, 'the scan ran (the fake gateway answers 404: a failed inside view)');
  t.equal((await stat(path.dirname(nested))).mode & 0o777, 0o700);
  // The output check comes before the database is created.
  const both = await runCli(['scan', '--gateway', gateway.url, ...FAST, '--db', path.join(dir, 'later', 'h.db'), '--output', path.join(dir, 'missing', 'r.json')]);
  t.match(both.stderr, /EXP_ERR_OUTPUT/);
  await t.rejects(stat(path.join(dir, 'later')), { code: 'ENOENT' }, 'no database folder for a scan that never ran');
});

t.test('other options are refused before any network work', async (t) => {
  const gateway = await countingGateway(t);
  const base = ['scan', '--gateway', gateway.url, ...FAST];
  for (const [extra, code] of [
    [['--interface', 'nosuch0'], 'EXP_ERR_INTERFACE_NOT_FOUND'],
    [['--interface', 'eth0;rm'], 'EXP_ERR_USAGE'],
    [['--nas', '198.51.100.7'], 'EXP_ERR_NAS_NOT_ALLOWED'],
    [['--nas', 'nas.example'], 'EXP_ERR_NAS_NOT_ALLOWED'],
    [['--myqnapcloud', 'evil.example.com'], 'EXP_ERR_MYQNAPCLOUD_NAME'],
    [['--myqnapcloud', 'mynas', '--dns-server', '8.8.8.8:99999'], 'EXP_ERR_USAGE'],
    [['--dns-server', '127.0.0.1'], 'EXP_ERR_USAGE'],
    [['--ports', '1-70000'], 'EXP_ERR_USAGE'],
  ] as const) {
    const result = await runCli([...base, ...extra]);
    t.equal(result.code, 2, extra.join(' '));
    t.match(result.stderr, new RegExp(`^exposure: ${code}: `), extra.join(' '));
  }
  for (const vantage of ['not a url', 'ftp://127.0.0.1/', 'https://user:pw@127.0.0.1:7447']) {
    const result = await runAborted([...base, '--vantage', vantage, '--vantage-token', 'x']);
    t.equal(result.code, 2, vantage);
    t.match(result.stderr, /EXP_ERR_USAGE: --vantage/, vantage);
  }
  t.equal(gateway.connections(), 0, 'the gateway was never asked anything');
});

t.test('watch: options are checked before anything is stored or scheduled', async (t) => {
  const dir = await tempDir(t);
  const notDb = path.join(dir, 'notes.db');
  await writeFile(notDb, 'not a database\n'.repeat(100));
  const gateway = await countingGateway(t);
  const watch = ['watch', '--cron', '* * * * * *', '--run-now', '--gateway', gateway.url, ...FAST];
  const started = Date.now();
  const badDb = await runCli([...watch, '--db', notDb]);
  t.equal(badDb.code, 2);
  t.match(badDb.stderr, /EXP_ERR_DB_OPEN[\s\S]*not an exposure-scanner history database/);
  t.ok(Date.now() - started < 5000, 'returns at once instead of watching');
  const db = path.join(dir, 'history.db');
  const badInterface = await runCli([...watch, '--db', db, '--interface', 'nosuch0']);
  t.equal(badInterface.code, 2);
  t.match(badInterface.stderr, /EXP_ERR_INTERFACE_NOT_FOUND/);
  const offLan = await runAborted(['watch', '--cron', '0 0 1 1 *', '--gateway', 'http://127.0.0.1:1/', '--db', db, '--nas', '198.51.100.7']);
  t.match(offLan.stderr, /EXP_ERR_NAS_NOT_ALLOWED/);
  asUser(t, 1000);
  const syn = await runAborted(['watch', '--cron', '0 0 1 1 *', '--gateway', gateway.url, '--db', db, '--syn-scan']);
  t.match(syn.stderr, /EXP_ERR_SYN_SCAN_NEEDS_ROOT/);
  await t.rejects(stat(db), { code: 'ENOENT' }, 'no database was created: nothing was stored or scheduled');
  t.equal(gateway.connections(), 0);
});

t.test('a foreign gateway in watch is refused before anything is stored', async (t) => {
  const db = path.join(await tempDir(t), 'history.db');
  // Not through runCli, which insists on a loopback gateway: the signal is aborted and the schedule would never
  // fire before the next year anyway; the refusal must come before the database exists.
  const controller = new AbortController();
  controller.abort();
  const err = capture();
  const code = await main(['watch', '--cron', '0 0 1 1 *', '--gateway', 'http://198.51.100.7/rootDesc.xml', '--db', db, '--no-wan'], { stdout: capture().stream, stderr: err.stream }, controller.signal);
  t.equal(code, 2);
  t.match(err.text(), /EXP_ERR_URL_NOT_ALLOWED/);
  await t.rejects(stat(db), { code: 'ENOENT' });
});
