/** Read marks (conversations.visitor_read_seq and agent_read_seq) and who takes part in a conversation. */
import type { ConversationStatus } from '../../shared/types.ts';
import type { RawQuery } from '../db/raw.ts';
import type { Participants } from '../realtime/realtime.ts';

type Row = Record<string, unknown>;

/** Whose conversation: the visitor's (`visitorId`), or of one of the agent's sites (`siteIds`). */
export interface Reader {
  visitorId?: string;
  siteIds?: string[];
}

const SCOPE = `id = $1 AND (visitor_id = $2::uuid OR site_id = ANY($3::text[]))`;
const PARTICIPANT_COLUMNS = `id, site_id, visitor_id, assigned_agent_id`;

const participantsOf = (r: Row): Participants => ({
  id: r.id as string,
  siteId: r.site_id as string,
  visitorId: r.visitor_id as string,
  assignedAgentId: (r.assigned_agent_id as string | null) ?? null,
});

/**
 * Moves one side's read mark forward (never back, never past the last message) in one statement. The
 * update re-checks the stored mark, so of two concurrent reads the higher stays. `moved`: it changed.
 */
const markSql = (column: 'visitor_read_seq' | 'agent_read_seq') => `
WITH c AS (SELECT ${PARTICIPANT_COLUMNS}, ${column} AS mark, least($4::int, last_seq) AS seq FROM conversations WHERE ${SCOPE}),
u AS (UPDATE conversations t SET ${column} = c.seq FROM c WHERE t.id = c.id AND t.${column} < c.seq RETURNING t.${column} AS mark)
SELECT c.*, coalesce((SELECT mark FROM u), c.mark) AS read_seq, EXISTS (SELECT 1 FROM u) AS moved FROM c`;
const MARK = { visitor: markSql('visitor_read_seq'), agent: markSql('agent_read_seq') };

/** The mark after this read, or undefined when the conversation is not the reader's. */
export async function markRead(
  raw: RawQuery,
  side: 'visitor' | 'agent',
  reader: Reader,
  conversationId: string,
  seq: number,
): Promise<{ conv: Participants; readSeq: number; moved: boolean } | undefined> {
  const [row] = await raw<Row>(MARK[side], [conversationId, reader.visitorId ?? null, reader.siteIds ?? [], seq]);
  return row && { conv: participantsOf(row), readSeq: Number(row.read_seq), moved: Boolean(row.moved) };
}

const PARTICIPANTS = `SELECT ${PARTICIPANT_COLUMNS}, status FROM conversations WHERE ${SCOPE}`;

/** Who takes part in the conversation, if it is the reader's: one primary-key read. */
export async function findParticipants(raw: RawQuery, reader: Reader, conversationId: string): Promise<(Participants & { status: ConversationStatus }) | undefined> {
  const [row] = await raw<Row>(PARTICIPANTS, [conversationId, reader.visitorId ?? null, reader.siteIds ?? []]);
  return row && { ...participantsOf(row), status: row.status as ConversationStatus };
}
