/**
 * Breakdowns of a period's figures per site, agent, language, page (URL without query) and registered
 * article, and the questions that most often needed a person on a page (docs/metrics.md).
 */
import type { BreakdownKind, BreakdownRowDTO } from '../../shared/types.ts';
import type { RawQuery } from '../db/raw.ts';
import { num, Params, query, questionRows, QUESTION_SUMS, TICKET_COUNTS, ticketRows, type Scope } from './figures.ts';
import { PAGE } from './rollup.ts';

/** Pages listed: the ones where most questions needed a person. */
const PAGES = 100;
const share = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

/** The key of each kind in question rows and in ticket rows (null: questions do not split that way). */
const KEYS: Record<BreakdownKind, { q: string | null; t: string }> = {
  site: { q: 'site_id', t: 'site_id' },
  agent: { q: null, t: `coalesce(agent_id::text, '')` },
  language: { q: 'locale', t: 'locale' },
  page: { q: 'page', t: 'page' },
  article: { q: 'page', t: 'page' },
};

const LABELS: Partial<Record<BreakdownKind, string>> = {
  site: `select id as key, name as label from sites where id = any($1::text[])`,
  agent: `select id::text as key, name as label from agents`,
};

interface Row {
  k: string;
  label?: string | null;
  q: unknown;
  t: unknown;
}

export async function breakdown(raw: RawQuery, s: Scope, kind: BreakdownKind): Promise<BreakdownRowDTO[]> {
  const p = new Params();
  const keys = KEYS[kind];
  const q = keys.q ? `select ${keys.q} as k, ${QUESTION_SUMS} from ${questionRows(s, p, null, kind === 'page' || kind === 'article')} r group by 1` : `select null::text as k, 0 as questions where false`;
  const t = `select ${keys.t} as k, ${TICKET_COUNTS} from ${ticketRows(s, p, null)} t group by 1`;
  let text: string;
  if (kind === 'article') {
    // Every registered article of the sites, with or without questions; an article is its page.
    text = `with q as (${q}), t as (${t})
      select a.url as k, a.title as label, to_json(q) as q, to_json(t) as t
      from articles a left join q on q.k = ${PAGE('a.url')} left join t on t.k = ${PAGE('a.url')}
      where a.site_id = any(${p.add(s.sites, 'text[]')})
      order by coalesce(q.escalated, 0) desc, coalesce(q.questions, 0) desc, a.url`;
  } else {
    const order = kind === 'page' ? `order by coalesce(q.escalated, 0) desc, coalesce(q.questions, 0) desc, 1 limit ${PAGES}` : 'order by 1';
    text = `with q as (${q}), t as (${t})
      select coalesce(q.k, t.k) as k, to_json(q) as q, to_json(t) as t from q full join t on q.k = t.k ${order}`;
  }
  const rows = await query<Row>(raw, text, p);
  const labels = LABELS[kind] ? new Map((await raw<{ key: string; label: string }>(LABELS[kind]!, kind === 'site' ? [s.sites] : [])).map((r) => [r.key, r.label])) : null;
  const json = (v: unknown) => (v === null ? null : ((typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>));
  return rows.map((r) => {
    const qs = json(r.q);
    const ts = json(r.t) ?? {};
    const n = (k: string) => num(ts[k]) ?? 0;
    const qn = (k: string) => (keys.q === null ? null : (num(qs?.[k]) ?? 0));
    const ms = (k: string) => (num(ts[k]) === null ? null : Math.round(num(ts[k])!));
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
      ratingAverage: num(ts.rating_avg) === null ? null : Math.round(num(ts.rating_avg)! * 100) / 100,
      ratings: n('ratings'),
    };
  });
}

/** The questions asked on a page that most often needed a person (same text, case and spaces aside). */
export async function unansweredOnPage(raw: RawQuery, s: Scope, page: string, limit = 5): Promise<{ question: string; count: number }[]> {
  const p = new Params();
  const lang = s.language === null ? '' : ` and v.locale = ${p.add(s.language, 'text')}`;
  const rows = await query<{ question: string; count: unknown }>(
    raw,
    `select min(q.text) as question, count(*) as count
     from questions q join conversations c on c.id = q.conversation_id join visitors v on v.id = c.visitor_id
     where q.site_id = any(${p.add(s.sites, 'text[]')}) and q.created_at >= ${p.add(s.from.toISOString(), 'timestamptz')}
       and q.created_at < ${p.add(s.to.toISOString(), 'timestamptz')} and q.escalated_at is not null and q.decision <> 'smalltalk'
       and ${PAGE('c.page_url')} = ${p.add(page, 'text')}${lang}
     group by lower(btrim(q.text)) order by count(*) desc, min(q.text) limit ${limit}`,
    p,
  );
  return rows.map((r) => ({ question: r.question, count: num(r.count)! }));
}
