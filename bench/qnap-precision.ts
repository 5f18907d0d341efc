/**
 * Benchmark (not a test): precision and recall of "QNAP detected" and of "vulnerable" over a matrix of loopback
 * fakes (test/support/fake-qnap.ts): QNAP builds and products answering in every way the fingerprints know, and
 * look-alikes that share one trait with a QNAP. Prints the confusion counts and the time per host. Loopback only.
 *
 *   npm run bench:qnap
 *
 * Measured 2026-11-30 on the 2-core machine (load ~9 from other work): see the README section on QNAP
 * fingerprints for the latest figures.
 */
import { fingerprintHost } from '../src/qnap/fingerprint-host.js';
import { verdictsFor } from '../src/qnap/verdicts.js';
import { startFakeQnap, startLookalike, type FakeQnapOptions, type LookalikeKind } from '../test/support/fake-qnap.js';

interface Case {
  name: string;
  start: () => ReturnType<typeof startFakeQnap>;
  qnap: boolean;
  /** Whether some advisory must come out vulnerable for this build. */
  vulnerable: boolean;
}

const noHttps = { flags: { stunnelPort: '0' } };
const qnap = (name: string, options: FakeQnapOptions, vulnerable: boolean): Case => ({ name, start: () => startFakeQnap({ ...noHttps, ...options }), qnap: true, vulnerable });
const lookalike = (kind: LookalikeKind): Case => ({ name: `look-alike ${kind}`, start: () => startLookalike(kind), qnap: false, vulnerable: false });

const CASES: Case[] = [
  qnap('QTS 4.5.2.1500 (Qlocker era)', { firmware: { version: '4.5.2', number: '1500', build: '20201201' } }, true),
  qnap('QTS 4.5.4.1892 (DeadBolt fix)', { firmware: { version: '4.5.4', number: '1892', build: '20211223' } }, true),
  qnap('QTS 5.2.0.2802 (newer than every fix)', { firmware: { version: '5.2.0', number: '2802', build: '20240619' } }, false),
  qnap('QTS 4.2.6 build 20200911 (no number)', { firmware: { version: '4.2.6', build: '20200911' } }, true),
  qnap('QTS legacy <version> 4.3.3', { firmware: { version: '4.3.3', legacy: true } }, false),
  qnap('QuTS hero h5.0.0.1800', { firmware: { version: 'h5.0.0', number: '1800', build: '20211101' }, authLogin: 'post' }, true),
  qnap('QuTS hero h5.2.0.2823', { firmware: { version: 'h5.2.0', number: '2823', build: '20240711' } }, false),
  qnap('QuTScloud c5.0.0.1919', { firmware: { version: 'c5.0.0', number: '1919', build: '20220119' }, displayModelName: 'QuTScloud' }, true),
  qnap('Photo Station 6.0.20 on QTS 5.0.0', { firmware: { version: '5.0.0', number: '1986', build: '20220324' }, photoStation: { version: '6.0.20' } }, true),
  qnap('login page only (redirect)', { authLogin: 'none', loginPage: 'redirect' }, false),
  qnap('default certificate only', { authLogin: 'none', loginPage: 'none', tls: 'qnap-default' }, false),
  ...(['server-header-only', 'qdocroot-without-structure', 'title-only', 'synology-photo-station', 'qnap-fan-blog', 'cert-lookalike', 'cert-ca-signed', 'markers-without-qnap'] as const).map(lookalike),
];

const counts = { detect: { tp: 0, fp: 0, fn: 0, tn: 0 }, vulnerable: { tp: 0, fp: 0, fn: 0, tn: 0 } };
const times: number[] = [];
for (const testCase of CASES) {
  const fake = await testCase.start();
  const started = performance.now();
  const result = await fingerprintHost({ address: '127.0.0.1', ports: [fake.port], requestTimeoutMs: 2000, deadline: Date.now() + 20_000, signal: AbortSignal.timeout(30_000) });
  times.push(performance.now() - started);
  await fake.close();
  const detected = result.device !== null;
  const vulnerable = verdictsFor(result.device).some((verdict) => verdict.status === 'vulnerable');
  const tally = (bucket: { tp: number; fp: number; fn: number; tn: number }, truth: boolean, said: boolean): void => {
    if (truth && said) bucket.tp++;
    else if (!truth && said) bucket.fp++;
    else if (truth) bucket.fn++;
    else bucket.tn++;
  };
  tally(counts.detect, testCase.qnap, detected);
  tally(counts.vulnerable, testCase.vulnerable, vulnerable);
  console.log(`${detected === testCase.qnap && vulnerable === testCase.vulnerable ? 'ok  ' : 'MISS'} ${testCase.name.padEnd(42)} detected=${String(detected).padEnd(5)} vulnerable=${String(vulnerable).padEnd(5)} ${times.at(-1)?.toFixed(0) ?? ''} ms`);
}
const ratio = (a: number, b: number): string => (b === 0 ? 'n/a' : (a / b).toFixed(2));
for (const [what, bucket] of Object.entries(counts)) {
  console.log(`${what}: precision ${ratio(bucket.tp, bucket.tp + bucket.fp)}, recall ${ratio(bucket.tp, bucket.tp + bucket.fn)} (tp ${bucket.tp}, fp ${bucket.fp}, fn ${bucket.fn}, tn ${bucket.tn})`);
}
const sorted = [...times].sort((a, b) => a - b);
console.log(`time per host: median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0) ?? ''} ms, max ${sorted.at(-1)?.toFixed(0) ?? ''} ms`);
