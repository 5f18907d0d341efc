/**
 * Records miniupnpd 2.3.1's real answer to WANIPv6FirewallControl:1 GetFirewallStatus into test/ipv6/fixtures/
 * (see the README there).
 *
 *   npx tsx test/ipv6/record-firewall-status.ts record
 *
 * Without `record` it does nothing (tap loads every file of the folder). Needs root, the lab tools (test/lab/lab.ts)
 * and curl; every packet stays inside the lab's namespaces.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startLab } from '../lab/lab.js';

const OUT = resolve('test/ipv6/fixtures');
const SERVICE = 'urn:schemas-upnp-org:service:WANIPv6FirewallControl:1';

async function main(): Promise<void> {
  const lab = await startLab({ net: { a: 1, b: 2 }, uuid: 'e5c0a5e0-2a3b-4c1d-8e0f-000000000001' });
  try {
    const envelope =
      '<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
      `<s:Body><u:GetFirewallStatus xmlns:u="${SERVICE}"></u:GetFirewallStatus></s:Body></s:Envelope>\r\n`;
    const request = join(lab.tmpDir, 'request.xml');
    writeFileSync(request, envelope);
    const body = join(OUT, 'miniupnpd-2.3.1-GetFirewallStatus.xml');
    const url = `http://${lab.router.address}:5000/ctl/IP6FCtl`;
    const result = await lab.exec(lab.scanner, 'curl', ['-sS', '--max-time', '10', '-D', `${body}.headers`, '-o', body, '-X', 'POST', '-H', 'Content-Type: text/xml; charset="utf-8"', '-H', `SOAPAction: "${SERVICE}#GetFirewallStatus"`, '--data-binary', `@${request}`, url], { timeoutMs: 15_000 });
    if (result.code !== 0) throw new Error(`curl: ${result.stderr}`);
    process.stdout.write(`recorded ${body} from ${url}\n`);
  } finally {
    await lab.down();
  }
}

if (process.argv[2] === 'record') await main();
