/**
 * Runs fake QNAP web services and a fake DNS server as one process, for the lab (spawned inside a namespace with
 * `node --import tsx test/support/fake-services-main.ts '<json>'`). Prints "ready" once everything listens.
 * JSON: { "qnap": [FakeQnapOptions with host and port], "dns": { "host", "port", "records" } }
 */
import { startFakeQnap, type FakeQnapOptions } from './fake-qnap.js';
import { startFakeDns, type FakeDnsOptions } from './fake-dns.js';

interface Config {
  qnap?: FakeQnapOptions[];
  dns?: FakeDnsOptions;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
await Promise.all([...(config.qnap ?? []).map((options) => startFakeQnap(options)), ...(config.dns ? [startFakeDns(config.dns)] : [])]);
process.stdout.write('ready\n');
