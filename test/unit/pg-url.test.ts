import { describe, expect, it } from 'vitest';
import { socketOf } from '../../server/db/pg-url.ts';

describe('PostgreSQL URLs as libpq reads them (server/db/pg-url.ts)', () => {
  it('takes ?host=/directory as the Unix socket of the URL’s port, and leaves it out of the URL', () => {
    expect(socketOf('postgresql://support@localhost/support?host=/var/run/postgresql')).toEqual({
      url: 'postgresql://support@localhost/support',
      connect: { path: '/var/run/postgresql/.s.PGSQL.5432' },
    });
    expect(socketOf('postgres://u:p%40ss@localhost:5433/db?host=/tmp/pg/&sslmode=disable')).toEqual({
      url: 'postgres://u:p%40ss@localhost:5433/db?sslmode=disable',
      connect: { path: '/tmp/pg/.s.PGSQL.5433' },
    });
  });

  it('leaves a URL without a socket directory as it is', () => {
    for (const url of ['postgres://postgres@127.0.0.1:5432/test', 'postgres://db.example/app?host=db2.example', 'postgres://u@h/db?sslmode=require']) {
      expect(socketOf(url)).toEqual({ url, connect: {} });
    }
  });
});
