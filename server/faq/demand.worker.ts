/**
 * Groups the questions that reached a person by similarity: what to write next in the FAQ.
 * Grouping 5,000 questions takes seconds of CPU, so faq.admin.ts runs it here, in a worker thread,
 * where it holds up no socket or request; `groupQuestions` is also plain code that tests call directly.
 */
import { workerData } from 'node:worker_threads';
import { GROUP_CONVERSATIONS, type DemandGroupDTO } from '../../shared/types.ts';
import { FaqIndex } from './engine/index.ts';
import { serve } from './thread.ts';

/** Similar questions merge into one group when the matcher is this sure they ask the same thing. */
const SAME_QUESTION = 0.5;

export interface QuestionRow {
  siteId: string;
  text: string;
  createdAt: Date;
  /** The conversation the question was asked in (the period's rows; the previous period's are only counted). */
  conversationId?: string;
  /** The page the conversation started on, without query (metrics' "pages they came from"). */
  page?: string | null;
  /** Asked in the period of the same length before: counted for the trend only. */
  previous?: boolean;
}

interface Group {
  siteId: string;
  texts: string[];
  previous: number;
  last: Date;
  pages: Map<string, number>;
  days: Map<string, number>;
  /** Newest first: the rows arrive newest first, and a Set keeps the order of first insertion. */
  conversations: Set<string>;
}

const hasCjk = (s: string) => /[\u3400-\u9fff]/.test(s);
const count = (m: Map<string, number>, k: string | null | undefined) => k && m.set(k, (m.get(k) ?? 0) + 1);

/**
 * The period's rows newest first, then the previous period's (`previous`) newest first, in; the 50
 * largest groups of the period out (ties: the most recently asked), each within one site. A group is
 * started by a question of the period only, so the previous period's questions count towards the
 * groups of this one (`previousCount`) and are otherwise left out.
 */
export function groupQuestions(rows: QuestionRow[]): DemandGroupDTO[] {
  // One index per site: an entry is written for one site, so its group is too.
  const indexes = new Map<string, FaqIndex>();
  const groups = new Map<string, Group>();
  for (const row of rows) {
    const text = row.text.trim();
    if (!text) continue;
    let index = indexes.get(row.siteId);
    if (!index) indexes.set(row.siteId, (index = new FaqIndex()));
    const [hit] = index.search(text, 1);
    const group = hit && hit.confidence >= SAME_QUESTION ? groups.get(hit.id) : undefined;
    if (row.previous) {
      if (group) group.previous++;
      continue;
    }
    const day = new Date(row.createdAt).toISOString().slice(0, 10);
    if (group) {
      group.texts.push(text);
      if (row.createdAt > group.last) group.last = row.createdAt;
      count(group.pages, row.page);
      count(group.days, day);
      if (row.conversationId) group.conversations.add(row.conversationId);
      continue;
    }
    const id = String(groups.size);
    const fresh: Group = { siteId: row.siteId, texts: [text], previous: 0, last: row.createdAt, pages: new Map(), days: new Map(), conversations: new Set() };
    groups.set(id, fresh);
    count(fresh.pages, row.page);
    count(fresh.days, day);
    if (row.conversationId) fresh.conversations.add(row.conversationId);
    index.upsert({ id, question: text, variants: [], language: hasCjk(text) ? 'zh' : 'en' });
  }
  return [...groups.values()]
    .sort((a, b) => b.texts.length - a.texts.length || b.last.getTime() - a.last.getTime())
    .slice(0, 50)
    .map((g) => ({
      siteId: g.siteId,
      question: g.texts[g.texts.length - 1],
      count: g.texts.length,
      previousCount: g.previous,
      examples: [...new Set(g.texts)].slice(0, 5),
      lastAskedAt: g.last.toISOString(),
      pages: [...g.pages].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3).map(([url, n]) => ({ url, count: n })),
      days: [...g.days].sort((a, b) => a[0].localeCompare(b[0])).map(([day, n]) => ({ day, count: n })),
      conversationIds: [...g.conversations].slice(0, GROUP_CONVERSATIONS),
      conversationCount: g.conversations.size,
    }));
}

// Started as a worker (thread.ts names this file in workerData), not imported.
if ((workerData as { entry?: string } | null)?.entry === import.meta.url) serve(groupQuestions);
