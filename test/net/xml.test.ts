import t from 'tap';
import { decodeXmlText, parseXml, childText } from '../../src/net/xml.js';

t.test('decodes only predefined entities and character references', async (t) => {
  t.equal(decodeXmlText('a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;'), `a & b <c> "d" 'e'`);
  t.equal(decodeXmlText('&#65;&#x42;'), 'AB');
  t.equal(decodeXmlText('&foo; &#x110000;'), '&foo; &#x110000;', 'unknown and out-of-range references stay as text');
  t.equal(decodeXmlText('&amp;lt;'), '&lt;', 'decodes once, not recursively');
});

t.test('refuses a DOCTYPE (entity bombs, external entities)', async (t) => {
  const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><root>&lol2;</root>';
  t.throws(() => parseXml(bomb, { what: 'test' }), { code: 'EXP_ERR_XML_INVALID' });
  const external = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>';
  t.throws(() => parseXml(external, { what: 'test' }), { code: 'EXP_ERR_XML_INVALID' });
});

t.test('bounds nesting depth', async (t) => {
  const deep = '<a>'.repeat(200) + 'x' + '</a>'.repeat(200);
  t.throws(() => parseXml(deep, { what: 'deep' }), { code: 'EXP_ERR_XML_INVALID' });
  const ok = '<a>'.repeat(10) + 'x' + '</a>'.repeat(10);
  t.doesNotThrow(() => parseXml(ok, { what: 'ok' }));
});

t.test('keeps values as strings and strips namespace prefixes', async (t) => {
  const parsed = parseXml('<s:Envelope xmlns:s="x"><s:Body><n>0012</n><m>a &amp; b</m></s:Body></s:Envelope>', { what: 't' });
  const body = (parsed as { Envelope: { Body: unknown } }).Envelope.Body;
  t.equal(childText(body, 'n'), '0012', 'no number coercion');
  t.equal(childText(body, 'm'), 'a & b');
});

t.test('does not pollute prototypes', async (t) => {
  t.throws(() => parseXml('<root><__proto__><polluted>yes</polluted></__proto__></root>', { what: 't' }), { code: 'EXP_ERR_XML_INVALID' });
  t.equal(({} as Record<string, unknown>)['polluted'], undefined);
});
