// Issue 14 item 4, decision 0013: each command loads what it runs and nothing else, and no command imports main.ts.
import t from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { AGENT_HELP, ALERTS_HELP, DIFF_HELP, HISTORY_HELP, SCAN_HELP, SERVE_HELP, WATCH_HELP } from '../../src/cli/help.js';
import { main } from '../../src/cli/main.js';
import { capture } from '../support/cli.js';
import { startFakeIgd } from '../support/fake-igd.js';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'src/cli/bin.ts');
const HOOK = path.join(ROOT, 'bench/loaded-modules.mjs');

/** The part of a tap test the helpers need. */
interface Teardown {
  teardown: (fn: () => unknown) => void;
}

/** The files a node process loads (bench/loaded-modules.mjs) running ARGS through the tests' TypeScript loader, relative to the repository. */
async function loadedBy(t: Teardown, args: string[]): Promise<{ code: number | null; files: string[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'exposure-modules-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'modules.json');
  const code = await new Promise<number | null>((resolve) => {
    const child = execFile(process.execPath, [...TS_LOADER_ARGS, '--import', HOOK, ...args], { env: { ...process.env, EXPOSURE_LOADED_MODULES: out }, timeout: 60_000 });
    child.on('exit', (status) => resolve(status));
  });
  return { code, files: (JSON.parse(await readFile(out, 'utf8')) as string[]).map((file) => path.relative(ROOT, file)) };
}

let harness: Set<string> | undefined;

/**
 * The files one run of the program loads, less what an empty program loads under the same harness: the loader's own
 * modules, and those tap's process-info hook puts into every child process.
 */
async function loaded(t: Teardown, args: string[]): Promise<{ code: number | null; files: string[] }> {
  harness ??= new Set((await loadedBy(t, ['-e', '0'])).files);
  const known = harness;
  const run = await loadedBy(t, [BIN, ...args]);
  return { code: run.code, files: run.files.filter((file) => !known.has(file)) };
}

const packageOf = (file: string): string | undefined => /^node_modules\/(@[^/]+\/[^/]+|[^/]+)\//.exec(file)?.[1];
const packages = (files: readonly string[]): string[] => [...new Set(files.flatMap((file) => packageOf(file) ?? []))].sort();

t.test('--version and help load a handful of small modules and no package', async (t) => {
  for (const args of [['--version'], ['help'], ['scan', '--help'], ['serve', '-h']]) {
    const { code, files } = await loaded(t, args);
    t.equal(code, 0, args.join(' '));
    t.same(packages(files), [], `${args.join(' ')}: no third-party package`);
    t.ok(files.length <= 12, `${args.join(' ')}: ${files.length} files: ${files.join(' ')}`);
    t.notOk(files.some((file) => /^(probes|src\/(scan|net|rules|store|server|schedule))\//.test(file)), `${args.join(' ')}: nothing of a command`);
  }
});

t.test('a scan loads neither the server, the history store nor the ajv compiler', async (t) => {
  const igd = await startFakeIgd({ mappings: [{ protocol: 'TCP', externalPort: 8080, internalClient: '127.0.0.1', internalPort: 8080, description: 'web' }] });
  t.teardown(() => igd.close());
  const { code, files } = await loaded(t, ['scan', '--gateway', igd.url, '--no-wan', '--format', 'json', '--fail-on', 'none', '--quiet']);
  t.equal(code, 0, 'the scan ran');
  const heavy = packages(files).filter((name) => ['fastify', 'better-sqlite3', 'pg', 'croner', 'ajv-formats'].includes(name) || name.startsWith('@fastify/'));
  t.same(heavy, [], 'no server, database driver or scheduler');
  // The report and QNAP data validators are compiled ahead of time; they use only ajv's small run-time helpers.
  t.same(files.filter((file) => file.startsWith('node_modules/ajv/') && !file.startsWith('node_modules/ajv/dist/runtime/')), [], 'no ajv compiler');
  t.notOk(files.some((file) => /^src\/(server|store)\//.test(file)), 'no server or store code');
});

/** In-process, never scanning: every line here stops at a help text or a usage error. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture();
  const err = capture();
  const code = await main(args, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

t.test('COMMAND --help is answered before the command loads, with the text the command prints itself', async (t) => {
  const texts: Record<string, string> = { scan: SCAN_HELP, agent: AGENT_HELP, history: HISTORY_HELP, diff: DIFF_HELP, alerts: ALERTS_HELP, watch: WATCH_HELP, serve: SERVE_HELP };
  for (const [command, text] of Object.entries(texts)) {
    for (const flag of ['--help', '-h']) {
      const fast = await run([command, flag]);
      t.same({ code: fast.code, stdout: fast.stdout, stderr: fast.stderr }, { code: 0, stdout: text, stderr: '' }, `${command} ${flag}`);
    }
  }
  // With another option the command parses the line itself: the same text, and its own usage errors.
  const parsed = await run(['scan', '--help', '--quiet']);
  t.same({ code: parsed.code, stdout: parsed.stdout }, { code: 0, stdout: SCAN_HELP });
  const wrong = await run(['scan', '--help', '--format', 'pdf']);
  t.equal(wrong.code, 2);
  t.match(wrong.stderr, /EXP_ERR_USAGE: --format must be one of/);
});

/** Every import in src/cli and what it reaches in src/ and probes/, type-only and dynamic imports included. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts')) files.push(file);
    }
  };
  walk('src');
  walk('probes');
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
    graph.set(
      file,
      importedFiles.filter((entry) => entry.fileName.startsWith('.')).map((entry) => path.join(path.dirname(file), entry.fileName).replace(/\.js$/, '.ts')),
    );
  }
  return graph;
}

t.test('no import cycle runs through src/cli (type-only and dynamic imports count)', async (t) => {
  const graph = importGraph();
  const cycles: string[] = [];
  // A depth-first walk from each cli file back to itself.
  for (const start of [...graph.keys()].filter((file) => file.startsWith('src/cli/'))) {
    const seen = new Set<string>();
    const stack: Array<{ file: string; trail: string[] }> = [{ file: start, trail: [start] }];
    while (stack.length > 0) {
      const { file, trail } = stack.pop()!;
      for (const next of graph.get(file) ?? []) {
        if (next === start) cycles.push([...trail, next].join(' -> '));
        else if (!seen.has(next)) {
          seen.add(next);
          stack.push({ file: next, trail: [...trail, next] });
        }
      }
    }
  }
  t.same(cycles, []);
  t.notOk([...graph].some(([file, imports]) => file !== 'src/cli/bin.ts' && imports.includes('src/cli/main.ts')), 'only bin.ts imports main.ts');
});
