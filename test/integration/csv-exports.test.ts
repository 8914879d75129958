import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../server/faq/engine/csv.ts';
import { TICKET_CSV_HEADER } from '../../server/metrics/tickets-export.ts';
import { BACKENDS } from '../support/db.ts';
import { addAgent, api, login, startTestServer, type TestServer } from '../support/server.ts';

const BOM = '\ufeff';

describe.each(BACKENDS)('CSV exports and the FAQ import on %s', (backend) => {
  let server: TestServer;
  let admin: string;
  let agent: string;
  const sql = (text: string, params: unknown[] = []) => server.app.ctx.raw<Record<string, unknown>>(text, params);

  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = await login(server.url);
    await sql(`insert into sites (id, name, secret) values ('other', 'Other', 'secret-of-other')`);
    agent = await addAgent(server, `csv-${backend}@test.local`, ['demo']);
  });
  afterAll(() => server?.close());

  async function get(path: string, cookie: string) {
    const res = await fetch(`${server.url}${path}`, { headers: { cookie } });
    return { status: res.status, headers: res.headers, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer()) };
  }

  it('exports the FAQ as RFC 4180 CSV with a BOM, and imports it back unchanged', async () => {
    const before = (await api(server.url, admin, 'GET', '/api/faqs?siteId=demo')).body as any;
    const exported = await get('/api/faqs/export?siteId=demo&format=csv', admin);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/csv');
    expect(exported.text.startsWith(`${BOM}question,variants,answer,language,tags,articleUrls\r\n`)).toBe(true);
    expect(exported.text).toMatch(/[\u4e00-\u9fff]/);
    const imported = await fetch(`${server.url}/api/faqs/import?siteId=demo&format=csv&replace=1`, {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'text/csv; charset=utf-8' },
      body: exported.text,
    });
    expect(imported.status).toBe(200);
    const after = (await api(server.url, admin, 'GET', '/api/faqs?siteId=demo')).body as any;
    const shape = (e: any) => [e.question, e.variants, e.answer, e.language, e.tags, e.articleUrls];
    expect(after.data.map(shape).sort()).toEqual(before.data.map(shape).sort());
  });

  it('refuses a malformed FAQ CSV and changes nothing', async () => {
    const count = async () => ((await api(server.url, admin, 'GET', '/api/faqs?siteId=demo')).body as any).data.length;
    const n = await count();
    for (const body of ['question,variants,answer,language,tags,articleUrls\r\n"never closed,x,y,en,,\r\n', 'wrong,header\r\na,b\r\n']) {
      const res = await fetch(`${server.url}/api/faqs/import?siteId=demo&format=csv&replace=1`, { method: 'POST', headers: { cookie: admin, 'content-type': 'text/csv' }, body });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    }
    expect(await count()).toBe(n);
  });

  describe('tickets', () => {
    const day = '2026-03-10';
    beforeAll(async () => {
      // Three tickets of demo in the period (one resolved, one answered, one waiting), one before it, one of another site.
      const rows: [string, string, string, string | null, string | null, string, string][] = [
        ['demo', `${day}T09:00:00Z`, 'resolved', `${day}T09:02:30Z`, `${day}T10:00:00Z`, '=HYPERLINK("http://evil")', 'zh'],
        ['demo', `${day}T11:00:00.123456Z`, 'pending', `${day}T11:10:00Z`, null, '退款，还有"引号"\n第二行', 'zh'],
        ['demo', `${day}T12:00:00Z`, 'open', null, null, 'plain question', 'en'],
        ['demo', '2026-03-09T23:59:59Z', 'resolved', null, '2026-03-10T01:00:00Z', 'yesterday', 'en'],
        ['other', `${day}T12:30:00Z`, 'open', null, null, 'not your site', 'en'],
      ];
      for (const [i, [site, escalated, status, firstResponse, resolved, question, locale]] of rows.entries()) {
        const [v] = await sql(`insert into visitors (site_id, token_hash, locale) values ($1, $2, $3) returning id`, [site, `t-${i}`, locale]);
        await sql(
          `insert into conversations (site_id, visitor_id, status, question, page_url, created_at, escalated_at, first_response_at, resolved_at)
           values ($1, $2, $3, $4, 'https://example.com/a', $5::timestamptz - interval '1 minute', $5, $6, $7)`,
          [site, v.id, status, question, escalated, firstResponse, resolved],
        );
      }
    });

    it("streams the period's tickets of the agent's sites, oldest first, with their timestamps", async () => {
      const res = await get(`/api/conversations.csv?from=${day}T00:00:00Z&to=2026-03-11T00:00:00Z`, agent);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="tickets-2026-03-10-2026-03-11.csv"');
      expect(res.text.startsWith(BOM)).toBe(true);
      const [header, ...rows] = parseCsv(res.text);
      expect(header).toEqual([...TICKET_CSV_HEADER]);
      const col = (name: (typeof TICKET_CSV_HEADER)[number]) => TICKET_CSV_HEADER.indexOf(name);
      expect(rows.map((r) => r[col('question')])).toEqual([`'=HYPERLINK("http://evil")`, '退款，还有"引号"\n第二行', 'plain question']);
      expect(rows[0].slice(col('site'), col('agent'))).toEqual(['demo', 'resolved', 'zh', `${day}T08:59:00.000Z`, `${day}T09:00:00.000Z`, `${day}T09:02:30.000Z`, `${day}T10:00:00.000Z`, '150', '3600']);
      expect(rows[1][col('first_response_seconds')]).toBe('600');
      expect(rows[1][col('resolution_seconds')]).toBe('');
      expect(rows[2][col('first_response_at')]).toBe('');
      // RFC 4180: CRLF between records; the line break inside the quoted field is kept as written.
      expect(res.text).toContain('"退款，还有""引号""\n第二行"');
      expect(res.text.endsWith('\r\n')).toBe(true);
    });

    it('keeps to one site when asked, and shows an agent nothing of a site not theirs', async () => {
      const q = `from=${day}T00:00:00Z&to=2026-03-11T00:00:00Z`;
      expect(parseCsv((await get(`/api/conversations.csv?${q}&siteId=other`, admin)).text)).toHaveLength(2);
      expect(parseCsv((await get(`/api/conversations.csv?${q}&siteId=other`, agent)).text)).toHaveLength(1);
      expect(parseCsv((await get(`/api/conversations.csv?${q}`, admin)).text)).toHaveLength(5);
    });

    it("narrows to one breakdown row's tickets: a language, the unassigned, a page (its query aside)", async () => {
      const q = `from=${day}T00:00:00Z&to=2026-03-11T00:00:00Z`;
      const questions = async (extra: string) => parseCsv((await get(`/api/conversations.csv?${q}&${extra}`, agent)).text).slice(1).map((r) => r[TICKET_CSV_HEADER.indexOf('question')]);
      expect(await questions('locale=en')).toEqual(['plain question']);
      expect(await questions('language=zh')).toHaveLength(2);
      expect(await questions('agent=')).toHaveLength(3);
      expect(await questions('agent=00000000-0000-0000-0000-000000000000')).toEqual([]);
      expect(await questions(`page=${encodeURIComponent('https://example.com/a')}&locale=en`)).toEqual(['plain question']);
      expect(await questions(`page=${encodeURIComponent('https://example.com/b')}`)).toEqual([]);
      expect((await get(`/api/conversations.csv?${q}&locale=fr`, agent)).status).toBe(400);
    });

    it('refuses a bad period and a visitor without a session', async () => {
      expect((await get('/api/conversations.csv?from=yesterday&to=today', agent)).status).toBe(400);
      expect((await get(`/api/conversations.csv?from=2026-03-11T00:00:00Z&to=${day}T00:00:00Z`, agent)).status).toBe(400);
      expect((await fetch(`${server.url}/api/conversations.csv?from=${day}T00:00:00Z&to=2026-03-11T00:00:00Z`)).status).toBe(401);
    });

    it('reads every ticket exactly once across many slices, in order', async () => {
      const n = 1234;
      await sql(
        `with v as (
           insert into visitors (site_id, token_hash) select 'demo', 'bulk-' || g from generate_series(1, $1::int) g returning id, token_hash)
         insert into conversations (site_id, visitor_id, status, created_at, escalated_at, resolved_at)
         select 'demo', v.id, 'resolved', t, t, t + interval '1 hour'
         from v, lateral (select '2026-04-01T00:00:00Z'::timestamptz + (split_part(v.token_hash, '-', 2)::int % 100) * interval '1 second 1 microsecond' as t) x`,
        [n],
      );
      const [, ...rows] = parseCsv((await get('/api/conversations.csv?from=2026-04-01T00:00:00Z&to=2026-04-02T00:00:00Z', agent)).text);
      expect(rows).toHaveLength(n);
      expect(new Set(rows.map((r) => r[0])).size).toBe(n);
      const escalated = rows.map((r) => r[TICKET_CSV_HEADER.indexOf('escalated_at')]);
      expect(escalated).toEqual([...escalated].sort());
    });

    // On PostgreSQL an export reads through a cursor that holds a reports connection for the whole download.
    it.runIf(backend === 'postgres')('runs two tickets exports at once and refuses a third RATE_LIMITED until one ends', async () => {
      const { default: postgres } = await import('postgres');
      const locker = postgres(server.database.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let taken!: () => void;
      const isTaken = new Promise<void>((resolve) => (taken = resolve));
      const q = 'from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z';
      try {
        // The table locked: both exports wait at their first read, as two slow downloads hold their connections.
        const lock = locker.begin(async (tx) => {
          await tx`lock table conversations in access exclusive mode`;
          taken();
          await released;
        });
        await isTaken;
        const slow = [get(`/api/conversations.csv?${q}`, admin), get(`/api/conversations.csv?${q}`, agent)];
        for (let i = 0; ; i++) {
          const [{ n }] = await locker`select count(*)::int as n from pg_locks where not granted and relation = 'conversations'::regclass`;
          if (n >= 2) break;
          if (i > 200) throw new Error('the two exports never reached the database');
          await new Promise((r) => setTimeout(r, 25));
        }
        const third = await fetch(`${server.url}/api/conversations.csv?${q}`, { headers: { cookie: admin } });
        expect(third.status).toBe(429);
        expect(await third.json()).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
        release();
        await lock;
        for (const res of await Promise.all(slow)) {
          expect(res.status).toBe(200);
          expect(parseCsv(res.text).length).toBeGreaterThan(1);
        }
        expect((await get(`/api/conversations.csv?${q}`, admin)).status).toBe(200);
        // Counted with the rate limits' refusals (read once the table is free: /metrics counts waiting conversations).
        expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/^support_rate_limited_total\{rule="tickets_exports_at_once"\} 1$/m);
      } finally {
        release();
        await locker.end();
      }
    });
  });
});
