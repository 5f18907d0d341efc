/**
 * A throw-away PostgreSQL cluster for the tests that need a real server: initdb in a temporary folder, started with
 * pg_ctl on 127.0.0.1 (a free port; the unix socket in the same folder, never the system's), and removed at
 * teardown. Never the system service: nothing listens beyond loopback and nothing outlives the test file.
 *
 * As root (CI runs as root), initdb and pg_ctl run as the `postgres` user through runuser: PostgreSQL refuses to
 * run as root. The superuser has a password and TCP logins need it (scram-sha-256), so the tests see a URL with a
 * password, as users do, and can check that it never shows. Durability is off (fsync, full page writes): the
 * cluster dies with the test.
 *
 * Missing binaries (Debian package postgresql): the test file is skipped with the reason, except with CI set,
 * where that is a failure (.ci/run installs the package).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { closedPort } from './ports.js';

const run = promisify(execFile);

export interface PostgresCluster {
  host: '127.0.0.1';
  port: number;
  user: 'postgres';
  password: string;
  /** A URL to an existing database of this cluster (with the password). */
  url(database: string): string;
  /** A new empty database; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Runs SQL as the superuser in a database (default postgres). */
  sql(text: string, database?: string): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

interface Tap {
  plan(n: number, comment?: string): void;
  fail(message: string): void;
  teardown(fn: () => Promise<void> | void): void;
}

const inCi = (): boolean => process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false' && process.env.CI !== '0';

/** The newest installed server's bin folder (Debian: /usr/lib/postgresql/VERSION/bin), or undefined. */
export async function postgresBin(): Promise<string | undefined> {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = (await readdir(root)).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = path.join(root, version, 'bin');
    if (existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

/**
 * Starts a cluster for this test file (skipping or failing it when the server is not installed) and stops it at
 * teardown. Returns undefined when the test was skipped or failed; the caller returns.
 */
export async function withPostgres(t: Tap): Promise<PostgresCluster | undefined> {
  const bin = await postgresBin();
  if (bin === undefined) {
    const reason = 'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (Debian package postgresql)';
    if (inCi()) t.fail(`${reason}: CI must run the PostgreSQL store contract (.ci/run installs it)`);
    else t.plan(0, `skipped: ${reason}`);
    return undefined;
  }
  const cluster = await startCluster(bin);
  t.teardown(() => cluster.stop());
  return cluster;
}

async function startCluster(bin: string): Promise<PostgresCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), 'exposure-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  // As root the server runs as postgres, which must own the folder (it holds the socket and the log too).
  const as = async (command: string, args: readonly string[]): Promise<void> => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args]] : [path.join(bin, command), [...args]];
    await run(file, argv, { timeout: 60_000 });
  };
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(dir, 0o700);
  const password = randomBytes(12).toString('base64url');
  const passwordFile = path.join(dir, 'pw');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (asRoot) await run('chown', ['postgres', passwordFile]);
  const port = await closedPort();
  try {
    await as('initdb', ['-D', data, '-U', 'postgres', `--pwfile=${passwordFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale=C']);
    const settings = [`-k ${dir}`, '-c listen_addresses=127.0.0.1', `-p ${port}`, '-c fsync=off', '-c full_page_writes=off', '-c synchronous_commit=off', '-c max_connections=50'];
    await as('pg_ctl', ['-D', data, '-o', settings.join(' '), '-w', '-t', '30', '-l', path.join(dir, 'log'), 'start']);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const url = (database: string): string => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  let counter = 0;
  const sql = async (text: string, database = 'postgres'): Promise<pg.QueryResult> => {
    const client = new pg.Client({ connectionString: url(database), connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  };
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    url,
    sql,
    createDatabase: async (name) => {
      const database = name ?? `h${process.pid}_${++counter}`;
      await sql(`CREATE DATABASE ${database}`);
      return url(database);
    },
    stop: async () => {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
