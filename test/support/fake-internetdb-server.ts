/**
 * The fake InternetDB as a process, for the lab (run inside a namespace):
 *   node --import tsx test/support/fake-internetdb-server.ts --port N --answers FILE [--host ADDRESS]
 * (or with the tests' own loader, `node ...TS_LOADER_ARGS test/support/fake-internetdb-server.ts ...`, as the lab
 * starts its other fakes: test/support/ts-loader.ts).
 * Prints its URL on one line once it listens, then serves until killed. FILE is an answers file
 * (test/fixtures/internetdb/README.md); keys starting with "_" are comments.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFakeInternetDb, type FakeAnswer } from './fake-internetdb.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, answers: { type: 'string' }, host: { type: 'string' } } });
if (values.answers === undefined) throw new Error('--answers FILE is required');
const table = JSON.parse(readFileSync(values.answers, 'utf8')) as Record<string, FakeAnswer>;
const answers = Object.fromEntries(Object.entries(table).filter(([key]) => !key.startsWith('_')));
const fake = await startFakeInternetDb({ answers, host: values.host ?? '127.0.0.1', port: Number(values.port ?? 0) });
process.stdout.write(`${fake.url}\n`);
const stop = (): void => void fake.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
