/** What a LAN device can write into a mapping description, and what each renderer must make of it. */
export const HOSTILE = [
  '<script>globalThis.__pwned = 1; alert(1)</script>',
  '"><img src=x onerror="globalThis.__pwned=2;console.log(\'pwned\')">',
  "'><svg onload=alert(3)>",
  '</svg><script>alert(4)</script>',
  ']]><script>alert(5)</script>',
  '<!-- x --><style>body{display:none}</style>',
  'a\u202Eexe.txt\u2066b\u200Bc\u0000d\u001b[31me\u0085f\u2028g',
  '| table | break |',
  '`code` *bold* _it_ [link](https://evil.example) ![img](https://evil.example/x.png) @mention $x$ # h',
  'https://evil.example/path www.evil.example',
  '&lt;script&gt; &amp; &#x3c;',
];
