/**
 * engine.io-client's `parse` (contrib/parseuri.js), put in its place by the build (scripts/build.ts,
 * urlParser): the original is a 1 KB regular expression kept for platforms without `URL`, and every
 * browser the widget targets has `URL`. It returns the fields engine.io-client and socket.io-client
 * read: protocol (without its colon), host (IPv6 without brackets), port, path and query. A default
 * port comes back empty where parseuri kept it: both clients then put the default back.
 * @example parse('https://chat.example.com/support/') // { protocol: 'https', host: 'chat.example.com', port: '', path: '/support/', query: '' }
 */
export function parse(str: string) {
  // engine.io-client also parses a bare `host:port` (its `host` option).
  const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(str) ? str : `http://${str}`);
  return { source: str, protocol: u.protocol.slice(0, -1), host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: u.port, path: u.pathname, query: u.search.slice(1) };
}
