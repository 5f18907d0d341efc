import t from 'tap';
import { renderHtml } from '../../src/report/render-html.js';
import { renderMarkdown } from '../../src/report/render-markdown.js';
import { renderText } from '../../src/report/render-text.js';
import { HOSTILE } from '../support/hostile.js';
import { agentWan, gateway, mapping, observations, qlockerScenario, reportOf } from '../support/scenarios.js';

const hostileReport = () => reportOf(qlockerScenario(HOSTILE.join(' ')));

t.test('html: self-contained, strict CSP, no markup from the data', async (t) => {
  const html = renderHtml(hostileReport());
  t.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/);
  t.notMatch(html, /<script/i, 'no script element at all');
  t.notMatch(html, /<img/i);
  // Data is escaped, so every tag in the page is the renderer's own: check their attributes.
  const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
  t.ok(tags.length > 100);
  t.notOk(tags.some((tag) => /\son[a-z]+\s*=/i.test(tag)), 'no event-handler attribute');
  t.notOk(tags.some((tag) => /\s(src|srcset|action|formaction|xlink:href)\s*=/i.test(tag)), 'no attribute that loads anything');
  t.notMatch(html, /<(link|iframe|object|embed|base|form|foreignObject)\b/i);
  t.equal((html.match(/<svg\b/g) ?? []).length, 1, 'exactly the one diagram');
  t.equal((html.match(/<\/svg>/g) ?? []).length, 1, 'and the data could not close it early');
  t.notMatch(html, /[\u202a-\u202e\u2066-\u2069]/u, 'no bidi control survives');
  for (const href of html.match(/href="[^"]*"/g) ?? []) t.match(href, /^href="(#finding-[a-z0-9-]+|https:\/\/[^"<>\s]+)"$/, href);
  t.match(html, /&lt;script&gt;globalThis\.__pwned/, 'the hostile description is shown, as text');
});

t.test('html: headline, diagram with every door, findings with evidence and remediation, raw tables', async (t) => {
  const report = hostileReport();
  const html = renderHtml(report);
  t.ok(html.includes('Your QNAP TS-453D (QTS 4.5.2.1566 build 20210202) admin page on port 8080'));
  for (const door of report.exposures ?? []) t.match(html, new RegExp(`<g class="door sev-${door.severity}[^"]*" data-door="${door.key}"`), door.key);
  for (const finding of report.findings) t.ok(html.includes(`id="finding-${finding.id}"`), finding.id);
  t.match(html, /<ol class="remediation"><li>On the NAS: myQNAPcloud &gt; Auto Router Configuration/);
  t.match(html, /class="mappings" data-gateway="192.168.1.1"/);
  t.match(html, /class="wan-ports"/);
  t.match(html, /class="verdicts"/);
  t.match(html, /QSA-21-57/);
});

t.test('html: nothing exposed, and more doors than the diagram draws', async (t) => {
  const quiet = renderHtml(reportOf(observations({ gateways: [gateway([])] })));
  t.match(quiet, /No UPnP mapping was found; the external address was not scanned from the internet/, 'no claim about what was not scanned');
  t.notMatch(quiet, /No door from the internet was found/);
  const seen = renderHtml(reportOf(observations({ gateways: [gateway([])], wan: agentWan([{ port: 80, protocol: 'TCP', state: 'closed' }]) })));
  t.match(seen, /No door from the internet was found: no UPnP mapping, no open port on the external address/, 'only an outside view may say so');
  const many = reportOf(observations({ gateways: [gateway(Array.from({ length: 60 }, (_, index) => mapping(20000 + index, { internalClient: '192.168.1.77', leaseDuration: 600 })))] }));
  const html = renderHtml(many);
  t.equal((html.match(/data-door=/g) ?? []).length, 40, 'the diagram stops at 40');
  t.match(html, /and 20 more doors, listed in the table below/);
  t.equal((html.match(/<tr>/g) ?? []).length >= 60, true, 'the tables have them all');
});

t.test('markdown: escaped cells keep every table row whole', async (t) => {
  const markdown = renderMarkdown(hostileReport());
  t.notMatch(markdown, /<script|<img|<svg/i, 'no raw HTML from the data');
  const pipes = (row: string) => (row.match(/(?<!\\)\|/g) ?? []).length;
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (!line.startsWith('| ---')) continue;
    const columns = pipes(line);
    for (let next = index + 1; lines[next]?.startsWith('|'); next++) t.equal(pipes(lines[next] ?? ''), columns, `row ${next} has ${columns - 1} cells`);
  }
  t.match(markdown, /^\*\*Verdict:\*\* Your QNAP TS\\-453D/m);
  t.match(markdown, /^### CRITICAL: /m);
  t.match(markdown, /^1\. On the NAS\\: myQNAPcloud &gt; Auto Router Configuration/m);
  t.match(markdown, /<https:\/\/www\.qnap\.com\/en\/security-advisory\/qsa-21-57>/);
});

t.test('text: verdict, score, hosts and verdicts, doors, classification; network text made safe', async (t) => {
  const text = renderText(hostileReport());
  t.match(text, /^Verdict {2}Your QNAP TS-453D/m);
  t.match(text, /^Risk score {2}\d+\/100/m);
  t.match(text, /^Host {2}192\.168\.1\.20 from the LAN \(mapping\): QNAP TS-453D QTS, firmware 4\.5\.2\.1566 build 20210202/m);
  t.match(text, /QSA-21-57 {2}VULNERABLE/);
  t.match(text, /^Doors from the internet: \d+/m);
  t.match(text, /used by ransomware · QSA-21-57/);
  // eslint-disable-next-line no-control-regex -- none may reach the terminal
  t.notMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u);
});

t.test('outside view: open ports always listed, a state with more than 25 ports only counted (nmap\'s rule)', async (t) => {
  const closed = Array.from({ length: 300 }, (_, index) => ({ port: 10000 + index, protocol: 'TCP' as const, state: 'closed' as const }));
  const filtered = Array.from({ length: 26 }, (_, index) => ({ port: 20000 + index, protocol: 'TCP' as const, state: 'filtered' as const }));
  const open = Array.from({ length: 30 }, (_, index) => ({ port: 30000 + index, protocol: 'TCP' as const, state: 'open' as const }));
  const report = reportOf(observations({ gateways: [gateway([])], wan: agentWan([...closed, ...filtered, ...open, { port: 5351, protocol: 'UDP', state: 'open|filtered' }, { port: 7, protocol: 'TCP', state: 'closed' }]) }));
  const markdown = renderMarkdown(report);
  // Markdown escapes punctuation in text; what a reader sees is the text without the backslashes.
  const unescaped = (text: string) => text.replace(/\\(.)/g, '$1');
  t.match(unescaped(markdown), /358 ports checked: 30 open, 301 closed, 26 filtered, 1 open\|filtered\. Not listed: the closed and filtered ports\./);
  t.match(markdown, /\| 30029\/tcp \| open \|/, 'the 30 open ports are listed');
  t.match(markdown, /\| 5351\/udp \| open\\\|filtered \|/, 'a state with few ports is listed');
  t.notMatch(markdown, /\| 10000\/tcp|\| 20000\/tcp|\| 7\/tcp/, 'closed and filtered rows are not');
  const html = renderHtml(report);
  t.match(html, /358 ports checked: 30 open, 301 closed, 26 filtered, 1 open\|filtered\. Not listed: the closed and filtered ports\./);
  t.equal((html.match(/<td>300\d\d\/tcp<\/td>/g) ?? []).length, 30);
  t.notMatch(html, /<td>(10000|20000|7)\/tcp<\/td>/);
  t.match(renderText(report), /358 ports checked: 30 open, 301 closed, 26 filtered, 1 open\|filtered/);

  const few = renderMarkdown(reportOf(observations({ gateways: [gateway([])], wan: agentWan([{ port: 22, protocol: 'TCP', state: 'closed' }, { port: 80, protocol: 'TCP', state: 'open' }]) })));
  t.match(unescaped(few), /2 ports checked: 1 open, 1 closed, 0 filtered, 0 open\|filtered\.\n/, 'nothing left out, nothing said about it');
  t.match(few, /\| 22\/tcp \| closed \|/);
});

t.test('findings: past 5 of one rule and severity, the rest are one line each in every format, anchors kept', async (t) => {
  const proxies = Array.from({ length: 32 }, (_, index) => mapping(40000 + index, { internalClient: `93.184.216.${index + 1}`, internalPort: 80, internalClientOnLan: false, description: 'galleta silenciosa' }));
  const report = reportOf(observations({ gateways: [gateway(proxies)] }));
  const proxyFindings = report.findings.filter((finding) => finding.rule === 'upnp-proxy-pattern');
  t.equal(proxyFindings.length, 32);

  const text = renderText(report);
  t.equal(proxyFindings.filter((finding) => text.includes(finding.title)).length, 25, '5 written out, 20 one line each');
  t.match(text, /\[HIGH\] {5}27 more upnp-proxy-pattern findings like the ones above \(same explanation and fix\):/);
  t.match(text, /\.\.\. and 7 more \(--format json, markdown or html lists every one\)/);

  const html = renderHtml(report);
  for (const finding of report.findings) t.equal(html.split(`id="finding-${finding.id}"`).length, 2, `one anchor for ${finding.id}`);
  t.equal((html.match(/<article class="finding"[^>]*data-rule="upnp-proxy-pattern"/g) ?? []).length, 5);
  t.match(html, /<section class="finding more" data-rule="upnp-proxy-pattern"[^>]*>\n<h3><span[^>]*>HIGH<\/span>27 more upnp-proxy-pattern findings<\/h3>/);

  const markdown = renderMarkdown(report);
  const plain = markdown.replace(/\\(.)/g, '$1');
  t.equal((plain.match(/^### HIGH: TCP\/400\d\d /gm) ?? []).length, 10, '5 full sections for each of the two high rules');
  t.match(markdown, /^### HIGH: 27 more upnp\\-proxy\\-pattern findings$/m);
  for (const finding of proxyFindings) t.match(markdown, `\`${finding.id}\``);

  const few = reportOf(observations({ gateways: [gateway(proxies.slice(0, 5))] }));
  t.notMatch(renderText(few), /more .* findings like the ones above/, 'five of a kind: nothing condensed');
});
