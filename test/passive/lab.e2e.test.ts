// Issue 16, "done when": the fake InternetDB's extra port is shown as seen by Shodan, closed now. The real router,
// the agent on the lab's internet host, the scanner on the LAN; the fake InternetDB runs on the scanner namespace's
// own loopback (plain http is allowed only there), started as the lab helper would start it.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { render } from '../../src/report/render.js';
import { withLab, type Lab } from '../lab/lab.js';
import { scanWithVantage, startAgent } from '../lab/exposure.js';

const TOKEN = 'lab-token-'.padEnd(48, 'x');
const SERVER = fileURLToPath(new URL('../support/fake-internetdb-server.ts', import.meta.url));
const ANSWERS = fileURLToPath(new URL('../fixtures/internetdb/lab-answers.json', import.meta.url));

/** Starts the fake in the scanner's namespace and resolves to the URL it prints. */
function startFakeInternetDbIn(lab: Lab): Promise<string> {
  const child: ChildProcess = lab.spawn(lab.scanner, process.execPath, ['--import', 'tsx', SERVER, '--port', '0', '--answers', ANSWERS]);
  return new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the fake InternetDB did not start: ${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /^(http:\/\/127\.0\.0\.1:\d+)$/m.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the fake InternetDB exited (${String(code)}): ${output}`));
    });
  });
}

t.test('the fake InternetDB lists 9443; the agent finds it closed: "open at Shodan\'s last crawl, closed now"', async (t) => {
  const lab = await withLab(t, {});
  if (!lab) return;
  const [agent, internetdb] = await Promise.all([startAgent(lab, TOKEN, ['--engine', 'connect']), startFakeInternetDbIn(lab)]);
  const run = await scanWithVantage(lab, agent, TOKEN, ['--ports', '9443', '--passive', 'internetdb', '--passive-endpoint', internetdb]);
  t.equal(run.code, 0, run.stderr);
  const report = run.report;
  if (!report) return;
  t.equal(report.wan.address, lab.router.wanAddress);
  t.same(report.coverage.passive, { status: 'complete', requested: true });
  const data = report.probes?.['passive-internetdb']?.['internetdb']?.[0] as { address: string; addressFrom: string; ports: number[] };
  t.equal(data.address, lab.router.wanAddress, 'the address the agent saw, and only it');
  t.equal(data.addressFrom, 'agent');
  t.same(data.ports, [9443]);
  t.equal(report.wan.ports.find((port) => port.port === 9443 && port.protocol === 'TCP')?.state, 'closed');
  t.ok(report.findings.some((finding) => finding.id === 'passive-port-closed-now-tcp-9443'));
  t.match(render(report, 'text'), "Open at Shodan's last crawl, closed now: 9443/tcp (closed now)");
});
