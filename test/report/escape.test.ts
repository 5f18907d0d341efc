import t from 'tap';
import { escapeHtml, escapeMarkdown, safeLink } from '../../src/report/escape.js';
import { HOSTILE } from '../support/hostile.js';


t.test('escapeHtml: no markup, no attribute break-out, no invisible reordering', async (t) => {
  // Messages name the input by index: a raw U+2028 in a message would break the TAP stream itself.
  HOSTILE.forEach((input, index) => {
    const output = escapeHtml(input);
    t.notMatch(output, /[<>"']/, `no metacharacter survives: hostile #${index}`);
    // eslint-disable-next-line no-control-regex -- the point is that none survive
    t.notMatch(output, /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u, 'no control or bidi character survives');
  });
  t.equal(escapeHtml('<a href="x">T&C\'s</a>'), '&lt;a href=&quot;x&quot;&gt;T&amp;C&#39;s&lt;/a&gt;');
  t.equal(escapeHtml('a\u202Eb'), 'a\\u202eb', 'bidi override made visible');
  t.equal(escapeHtml('QNAP TS-453D · Müller'), 'QNAP TS-453D · Müller', 'ordinary text untouched');
  t.equal(escapeHtml('&lt;'), '&amp;lt;', 'entities arriving from the network are shown, not decoded');
});

t.test('escapeMarkdown: no table break, no code, no link, no HTML, no mention, no autolink', async (t) => {
  HOSTILE.forEach((input, index) => {
    const output = escapeMarkdown(input).replace(/&(amp|lt|gt|quot|#39);/g, '');
    t.notMatch(output, /[<>"'\n\r\u2028\u2029]/, `no HTML metacharacter or newline: hostile #${index}`);
    t.notMatch(output, /(^|[^\\])[|`[\]()*_@$#!:.]/, `every markdown metacharacter is backslash-escaped: hostile #${index}`);
  });
  t.equal(escapeMarkdown('a|b'), 'a\\|b');
  t.equal(escapeMarkdown('[x](y)'), '\\[x\\]\\(y\\)');
  t.equal(escapeMarkdown('<b>'), '&lt;b&gt;');
  t.equal(escapeMarkdown('x\ny'), 'x\\\\x0ay', 'a newline becomes a visible escape (its backslash escaped too)');
  t.equal(escapeMarkdown('www.evil.example'), 'www\\.evil\\.example');
});

t.test('safeLink: https only', async (t) => {
  t.equal(safeLink('https://www.qnap.com/en/security-advisory/qsa-21-57'), 'https://www.qnap.com/en/security-advisory/qsa-21-57');
  t.equal(safeLink('javascript:alert(1)'), null);
  t.equal(safeLink('http://example.com/'), null);
  t.equal(safeLink('https://user:pw@example.com/'), null);
  t.equal(safeLink('not a url'), null);
  t.notMatch(safeLink('https://example.com/"><script>') ?? '', /[<>"]/);
});

t.test('JSON output: C1 controls, bidi and invisible marks are escaped, and the JSON still parses to the same report', async (t) => {
  const { qlockerScenario, reportOf } = await import('../support/scenarios.js');
  const { renderJson } = await import('../../src/report/render-json.js');
  const description = 'a\u009b2Jb\u202ec\u200bd\u2028e\u007ff';
  const report = reportOf(qlockerScenario(description));
  const json = renderJson(report);
  t.notOk(/[\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e]/u.test(json), 'no raw C1, DEL, bidi or separator character');
  t.match(json, /\\u009b2Jb\\u202ec/);
  t.same(JSON.parse(json), report, 'the same values');
  t.match(json, /^\{\n {2}"/, 'still pretty-printed');
});
