/**
 * Breakdowns of a period's figures per site, agent, language, page (URL without query) and registered
 * article, and the questions that most often needed a person on a page (docs/metrics.md).
 */
import type { BreakdownKind, BreakdownRowDTO } from '../../shared/types.ts';
import type { RawQuery } from '../db/raw.ts';
import { isSliced, percentilesMs, slicesOf, ticketGroups } from './sliced.ts';
import { num, Params, query, questionRows, QUESTION_SUMS, FIRST_RESPONSE_PERCENTILES, ticketRows, type Scope } from './figures.ts';
import { PAGE } from './rollup.ts';

/** Pages listed: the ones where most questions needed a person. */
const PAGES = 100;
const share = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

/** The key of each kind in question rows and in ticket rows (null: questions do not split that way). */
const KEYS: Record<BreakdownKind, { q: string | null; t: string }> = {
  site: { q: 'site_id', t: 'site_id' },
  agent: { q: null, t: `coalesce(agent_id::text, '')` },
  language: { q: 'locale', t: 'locale' },
  // Tickets are sorted by page to be grouped: byte order (the rows are ordered in JS) sorted a year's
  // 100,000 in 118 ms instead of 136 under the database's collation.
  page: { q: 'page', t: 'page collate "C"' },
  article: { q: 'page', t: 'page collate "C"' },
};

const LABELS: Partial<Record<BreakdownKind, string>> = {
  site: `select id as key, name as label from sites where id = any($1::text[])`,
  agent: `select id::text as key, name as label from agents`,
};

type Sums = Record<string, unknown> & { k: string };

/** What a row shows of its tickets: only the first-response percentiles sort them (one sort per key, not two). */
const TICKETS = `count(*)::int as tickets, count(*) filter (where resolved)::int as resolved, ${FIRST_RESPONSE_PERCENTILES},
  avg(csat_rating)::float8 as rating_avg, count(csat_rating)::int as ratings`;

/** Orders keys as PostgreSQL's `order by` on text did when this was one statement, in JS: by code unit. */
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** TICKETS per key, read a slice of days at a time (sliced.ts). */
async function slicedTickets(raw: RawQuery, s: Scope, key: string): Promise<Sums[]> {
  const groups = await ticketGroups(raw, await slicesOf(raw, s), key, null);
  return [...groups].map(([k, g]) => {
    const [frt_p50, frt_p90] = percentilesMs(g.frt);
    return { k, tickets: g.tickets, resolved: g.resolved, frt_p50, frt_p90, rating_avg: g.ratings ? g.ratingSum / g.ratings : null, ratings: g.ratings };
  });
}

/**
 * One kind's rows. The question sums and the ticket aggregates are two statements run at once, each on
 * its own connection, and joined here: as one statement PostgreSQL ran them one after the other, and
 * over a year each reads about 100,000 rows (npm run bench:metrics).
 */
export async function breakdown(raw: RawQuery, s: Scope, kind: BreakdownKind): Promise<BreakdownRowDTO[]> {
  const keys = KEYS[kind];
  const run = <T extends object>(build: (p: Params) => string) => {
    const p = new Params();
    return query<T>(raw, build(p), p);
  };
  const byPage = kind === 'page' || kind === 'article';
  const [qRows, tRows, articles] = await Promise.all([
    keys.q ? run<Sums>((p) => `select ${keys.q} as k, ${QUESTION_SUMS} from ${questionRows(s, p, null, byPage)} r group by 1`) : Promise.resolve([] as Sums[]),
    isSliced(s) ? slicedTickets(raw, s, keys.t) : run<Sums>((p) => `select ${keys.t} as k, ${TICKETS} from ${ticketRows(s, p, null)} t group by 1`),
    kind === 'article'
      ? run<{ url: string; title: string; page: string }>((p) => `select url, title, ${PAGE('url')} as page from articles where site_id = any(${p.add(s.sites, 'text[]')})`)
      : Promise.resolve([]),
  ]);
  const qs = new Map(qRows.map((r) => [r.k, r]));
  const ts = new Map(tRows.map((r) => [r.k, r]));
  const escalated = (k: string) => num(qs.get(k)?.escalated) ?? 0;
  const asked = (k: string) => num(qs.get(k)?.questions) ?? 0;
  const mostNeeded = (a: string, b: string) => escalated(b) - escalated(a) || asked(b) - asked(a);
  let rows: { k: string; label: string | null; q: string }[];
  if (kind === 'article') {
    // Every registered article of the sites, with or without questions; an article is its page.
    rows = articles.sort((a, b) => mostNeeded(a.page, b.page) || byKey(a.url, b.url)).map((a) => ({ k: a.url, label: a.title, q: a.page }));
  } else {
    const all = [...new Set([...qs.keys(), ...ts.keys()])];
    all.sort(kind === 'page' ? (a, b) => mostNeeded(a, b) || byKey(a, b) : byKey);
    rows = (kind === 'page' ? all.slice(0, PAGES) : all).map((k) => ({ k, label: null, q: k }));
  }
  const labels = LABELS[kind] ? new Map((await raw<{ key: string; label: string }>(LABELS[kind]!, kind === 'site' ? [s.sites] : [])).map((r) => [r.key, r.label])) : null;
  return rows.map((r) => {
    const qsRow = qs.get(r.q);
    const t: Record<string, unknown> = ts.get(r.q) ?? {};
    const n = (k: string) => num(t[k]) ?? 0;
    const qn = (k: string) => (keys.q === null ? null : (num(qsRow?.[k]) ?? 0));
    const ms = (k: string) => (num(t[k]) === null ? null : Math.round(num(t[k])!));
    return {
      key: r.k,
      label: r.label ?? labels?.get(r.k) ?? null,
      questions: qn('questions'),
      faqAnswered: qn('answered'),
      escalated: qn('escalated'),
      tickets: n('tickets'),
      resolved: n('resolved'),
      resolutionRate: share(n('resolved'), n('tickets')),
      firstResponseP50Ms: ms('frt_p50'),
      firstResponseP90Ms: ms('frt_p90'),
      ratingAverage: num(t.rating_avg) === null ? null : Math.round(num(t.rating_avg)! * 100) / 100,
      ratings: n('ratings'),
    };
  });
}

/** The questions asked on a page that most often needed a person (same text, case and spaces aside). */
export async function unansweredOnPage(raw: RawQuery, s: Scope, page: string, limit = 5): Promise<{ question: string; count: number }[]> {
  if (isSliced(s)) return slicedUnanswered(raw, s, page, limit);
  const p = new Params();
  const rows = await query<{ question: string; count: unknown }>(raw, `${unansweredOf(s, p, page)} order by count(*) desc, min(q.text) limit ${limit}`, p);
  return rows.map((r) => ({ question: r.question, count: num(r.count)! }));
}

/** The page's escalated questions of the scope, grouped by their text (case and spaces aside): `k`, `question` (the least text), `count`. */
function unansweredOf(s: Scope, p: Params, page: string): string {
  const lang = s.language === null ? '' : ` and v.locale = ${p.add(s.language, 'text')}`;
  return `select lower(btrim(q.text)) as k, min(q.text) as question, count(*) as count
     from questions q join conversations c on c.id = q.conversation_id join visitors v on v.id = c.visitor_id
     where q.site_id = any(${p.add(s.sites, 'text[]')}) and q.created_at >= ${p.add(s.from.toISOString(), 'timestamptz')}
       and q.created_at < ${p.add(s.to.toISOString(), 'timestamptz')} and q.escalated_at is not null and q.decision <> 'smalltalk'
       and ${PAGE('c.page_url')} = ${p.add(page, 'text')}${lang}
     group by lower(btrim(q.text))`;
}

/**
 * unansweredOnPage a slice of days at a time (sliced.ts): the groups' counts added up and their least
 * texts compared here, by code unit as PGlite's C collation compares them; the first `limit` kept in one pass.
 */
async function slicedUnanswered(raw: RawQuery, s: Scope, page: string, limit: number): Promise<{ question: string; count: number }[]> {
  const groups = new Map<string, { question: string; count: number }>();
  // A slice's groups come back as rows, one per distinct text: a few times fewer tickets per slice.
  for (const slice of await slicesOf(raw, s, Math.ceil(s.sliceTickets! / 3))) {
    const p = new Params();
    for (const r of await query<{ k: string; question: string; count: unknown }>(raw, unansweredOf(slice, p, page), p)) {
      const g = groups.get(r.k);
      if (!g) groups.set(r.k, { question: r.question, count: num(r.count)! });
      else {
        g.count += num(r.count)!;
        if (byKey(r.question, g.question) < 0) g.question = r.question;
      }
    }
  }
  const first = (a: { question: string; count: number }, b: { question: string; count: number }) => b.count - a.count || byKey(a.question, b.question);
  const top: { question: string; count: number }[] = [];
  for (const g of groups.values()) {
    if (top.length === limit && first(g, top[limit - 1]) >= 0) continue;
    top.push(g);
    top.sort(first);
    if (top.length > limit) top.pop();
  }
  return top;
}
