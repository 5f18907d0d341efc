import t from 'tap';
import { execFileSync } from 'node:child_process';
import { formatPortList, parsePortSpec } from '../../src/net/portscan/port-spec.js';
import portSets from '../../probes/wan-scan/port-sets.json' with { type: 'json' };

t.test('named sets, ports and ranges', async (t) => {
  t.same(parsePortSpec('80,22,80,1-3'), [1, 2, 3, 22, 80]);
  t.equal(parsePortSpec('all').length, 65535);
  t.equal(parsePortSpec('top1000').length, 1000);
  const qnap = parsePortSpec('qnap');
  for (const port of [8080, 443, 80, 8081, 21, 22, 139, 445, 548, 873, 8443, 5000, 5001]) t.ok(qnap.includes(port), `qnap has ${port}`);
  t.ok(parsePortSpec('common').includes(7547), 'common has TR-069');
  t.same(parsePortSpec(' 443 , qnap ').slice(0, 3), [21, 22, 80]);
});

t.test('anything else is a usage error, so nothing unvalidated reaches nmap', async (t) => {
  for (const bad of ['', '0', '65536', '10-5', '80 -oN x', '80;id', '-p-', 'http', '1-2-3', '1,,2', 'x'.repeat(5000), '--script=vuln', '80\n81']) {
    t.throws(() => parsePortSpec(bad), { code: 'EXP_ERR_USAGE' }, JSON.stringify(bad.slice(0, 20)));
  }
});

t.test('compact formatting round-trips', async (t) => {
  t.equal(formatPortList([1, 2, 3, 5, 7, 8]), '1-3,5,7-8');
  t.equal(formatPortList([]), '');
  const all = parsePortSpec('all');
  t.equal(formatPortList(all), '1-65535');
  t.same(parsePortSpec(formatPortList(portSets.top1000)), portSets.top1000);
});

t.test('top1000 is exactly nmap --top-ports 1000 (when nmap is here)', async (t) => {
  let xml: string;
  try {
    // -sL lists targets without sending a packet; the XML still carries the port list nmap would scan.
    xml = execFileSync('nmap', ['--top-ports', '1000', '-sL', '-n', '-oX', '-', '127.0.0.1'], { encoding: 'utf8' });
  } catch {
    if (process.env['CI']) t.fail('nmap is installed in CI');
    else t.comment('nmap not installed: not compared');
    return;
  }
  const services = /<scaninfo[^>]*services="([^"]+)"/.exec(xml)?.[1];
  if (services === undefined) {
    t.comment('nmap -sL prints no scaninfo; comparing with a connect scan of loopback instead');
    xml = execFileSync('nmap', ['--top-ports', '1000', '-sT', '-Pn', '-n', '-oX', '-', '127.0.0.1'], { encoding: 'utf8' });
  }
  const spec = /<scaninfo[^>]*services="([^"]+)"/.exec(xml)?.[1] ?? '';
  t.same(parsePortSpec(spec), portSets.top1000);
});
