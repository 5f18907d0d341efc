import t from 'tap';
import { execFileSync } from 'node:child_process';
import { formatPortList, MAX_SPEC_ITEMS, MAX_SPEC_LENGTH, parsePortSpec } from '../../src/net/portscan/port-spec.js';
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

t.test('size and shape are checked before anything is expanded', async (t) => {
  // Over a cap, whatever the items: refused for the cap, not for an item.
  t.throws(() => parsePortSpec('1,'.repeat(1100).slice(0, -1)), { code: 'EXP_ERR_USAGE', message: /at most 1024 comma-separated items/ });
  t.throws(() => parsePortSpec(','.repeat(MAX_SPEC_LENGTH)), { code: 'EXP_ERR_USAGE', message: /at most 1024/ });
  t.throws(() => parsePortSpec('1'.repeat(MAX_SPEC_LENGTH + 1)), { code: 'EXP_ERR_USAGE', message: /1 to 4096 characters, not 4097/ });
  t.throws(() => parsePortSpec(42 as unknown as string), { code: 'EXP_ERR_USAGE' }, 'not a string');
  // Only spaces and tabs around an item; any other whitespace is refused, not trimmed.
  t.same(parsePortSpec('\t80 ,  qnap\t').slice(0, 3), [21, 22, 80]);
  for (const bad of ['80\n', '\r80', '80\u00a0', '\u2028' + '80', '８０', '+80', '0x50', '1e3', '80.0', '00000080', 'ALL', 'all ,']) {
    t.throws(() => parsePortSpec(bad), { code: 'EXP_ERR_USAGE' }, JSON.stringify(bad).replace(/[^ -~]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
  }
  // The refused item is quoted escaped and cut short: no control character or page of text comes back out.
  const error = t.throws(() => parsePortSpec(`80,\u001b[31m${'x'.repeat(200)}`)) as Error;
  t.notOk(error.message.includes('\u001b'), 'no raw escape character');
  t.match(error.message, /"\\x1b\[31mx+\.\.\." is not a port/);
  t.ok(error.message.length < 200, 'short');
  // Exactly at the caps is accepted.
  t.equal(parsePortSpec(Array.from({ length: MAX_SPEC_ITEMS }, (_, index) => String(index + 1)).join(',')).length, MAX_SPEC_ITEMS);
  t.equal(parsePortSpec(`${' '.repeat(MAX_SPEC_LENGTH - 2)}80`).length, 1, '4096 characters');
});

t.test('the largest specs the limits accept parse in well under 20 ms of CPU (linear, capped work)', async (t) => {
  // Before the bounded parser, 400 repeats of "all" (1.6 KB) took about 2 s: every repeat was expanded. CPU time, not
  // wall time: tap runs three files at once on two cores, and waiting for a core is not the parser's cost.
  const repeat = (item: string): string => {
    const count = Math.min(MAX_SPEC_ITEMS, Math.floor((MAX_SPEC_LENGTH + 1) / (item.length + 1)));
    return Array.from({ length: count }, () => item).join(',');
  };
  const worst: Array<[string, string, number]> = [
    ['all', repeat('all'), 65535],
    ['1-65535', repeat('1-65535'), 65535],
    ['top1000', repeat('top1000'), 1000],
    ['qnap,common', repeat('qnap,common'), new Set([...portSets.qnap, ...portSets.common]).size],
    ['mixed', repeat('all,top1000,1-65535,common'), 65535],
    ['ranges', Array.from({ length: 409 }, (_, index) => `${index + 1}-65535`).join(','), 65535],
    ['refused last', `${repeat('all').slice(0, -4)},x`, -1],
  ];
  parsePortSpec('all');
  for (const [name, spec, size] of worst) {
    t.ok(spec.length <= MAX_SPEC_LENGTH, `${name}: ${spec.length} characters`);
    let best = Infinity;
    for (let run = 0; run < 5; run++) {
      const started = process.cpuUsage();
      try {
        t.equal(parsePortSpec(spec).length, size, name);
      } catch (error) {
        t.equal(size, -1, `${name}: ${(error as Error).message}`);
      }
      const used = process.cpuUsage(started);
      best = Math.min(best, (used.user + used.system) / 1000);
    }
    t.ok(best < 20, `${name}: ${best.toFixed(2)} ms`);
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
