/**
 * A PostgreSQL URL as libpq reads it, for postgres.js: `?host=/var/run/postgresql` names the directory of
 * a Unix socket (`postgresql://user@localhost/db?host=/var/run/postgresql`, as psql and libpq accept), which
 * postgres.js takes as `path` and would otherwise send to the server as a setting ("unrecognized
 * configuration parameter host"). On the same machine a Unix socket costs this process less per round
 * trip than TCP on 127.0.0.1 (README, Numbers). `connect` goes into postgres.js's options as it is.
 */
export function socketOf(url: string): { url: string; connect: { path?: string } } {
  const u = new URL(url);
  const host = u.searchParams.get('host');
  if (!host?.startsWith('/')) return { url, connect: {} };
  u.searchParams.delete('host');
  return { url: u.toString(), connect: { path: `${host.replace(/\/+$/, '')}/.s.PGSQL.${u.port || 5432}` } };
}
