/**
 * The widget's build puts widget/url-parse.ts in place of engine.io-client's parseuri: on every kind of
 * address a site's embed can give, it must yield what the clients read from the original, with a
 * default port either kept (parseuri) or empty (URL), which both clients fill back in.
 */
import { describe, expect, it } from 'vitest';
import { parse as original } from '../../node_modules/engine.io-client/build/esm/contrib/parseuri.js';
import { url } from '../../node_modules/socket.io-client/build/esm/url.js';
import { parse } from '../../widget/url-parse.ts';

const ADDRESSES = [
  'http://localhost:3000/widget',
  'https://chat.example.com/widget',
  'https://chat.example.com:443/widget',
  'http://chat.example.com:80/support/widget?site=demo&x=1',
  'https://example.com/support/chat/widget',
  'wss://example.com:8443/socket.io/?EIO=4&transport=websocket',
  'http://127.0.0.1:51234/widget',
  'http://[::1]:3000/widget',
  'https://[2001:db8::1]/widget',
  'localhost:3000',
  'chat.example.com',
];

describe('the widget’s parse of a server address (widget/url-parse.ts)', () => {
  it.each(ADDRESSES)('reads %s as parseuri does', (address) => {
    const want = original(address);
    const got = parse(address);
    expect(got.protocol).toBe(want.protocol || 'http');
    expect(got.host).toBe(want.host.toLowerCase());
    expect(got.path || '/').toBe(want.path || '/');
    expect(got.query).toBe(want.query);
    const defaults: Record<string, string> = { http: '80', ws: '80', https: '443', wss: '443' };
    expect(got.port || defaults[got.protocol]).toBe(want.port || defaults[want.protocol || 'http']);
  });

  it('gives socket.io-client the same id and href for a namespace address', () => {
    for (const address of ADDRESSES.filter((a) => a.includes('://'))) {
      const a = url(address, '/', undefined as never);
      expect(a.protocol).toBeTruthy();
      const fromOurs = { ...parse(address) };
      const port = fromOurs.port || (/^(http|ws)$/.test(fromOurs.protocol) ? '80' : '443');
      const host = fromOurs.host.includes(':') ? `[${fromOurs.host}]` : fromOurs.host;
      expect(`${fromOurs.protocol}://${host}:${port}/`).toBe(a.id);
    }
  });
});
