/** Conversations written straight into the database, for tests of what reads them (search, filters). */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../server/db/client.ts';
import { conversations, messages, visitors } from '../../server/db/schema.ts';
import { searchKeys } from '../../server/search/search-keys.ts';

export interface SeedConversation {
  siteId: string;
  visitor?: { name?: string; email?: string };
  status?: 'open' | 'pending' | 'snoozed' | 'resolved';
  assignedAgentId?: string | null;
  labels?: string[];
  /** When it reached a person (default: now). */
  escalatedAt?: Date;
  /** Visitor and agent lines, alternating, the visitor first. */
  lines: string[];
}

/** Inserts a visitor, an escalated conversation and its messages; returns the conversation id. */
export async function seedConversation(db: Db, c: SeedConversation): Promise<string> {
  const at = c.escalatedAt ?? new Date();
  const [visitor] = await db
    .insert(visitors)
    .values({ siteId: c.siteId, tokenHash: randomUUID(), name: c.visitor?.name ?? null, email: c.visitor?.email ?? null })
    .returning();
  const [conv] = await db
    .insert(conversations)
    .values({
      siteId: c.siteId,
      visitorId: visitor.id,
      status: c.status ?? 'open',
      assignedAgentId: c.assignedAgentId ?? null,
      labels: c.labels ?? [],
      question: c.lines[0],
      lastSeq: c.lines.length,
      createdAt: at,
      escalatedAt: at,
      updatedAt: at,
      resolvedAt: c.status === 'resolved' ? at : null,
    })
    .returning();
  await db.insert(messages).values(
    c.lines.map((body, i) => ({
      conversationId: conv.id,
      seq: i + 1,
      author: i % 2 === 0 ? ('visitor' as const) : ('agent' as const),
      agentId: i % 2 === 0 ? null : (c.assignedAgentId ?? null),
      body,
      searchKeys: searchKeys(body),
      createdAt: new Date(at.getTime() + i * 1000),
    })),
  );
  return conv.id;
}
