/**
 * Automatic assignment (sites.assignment_mode = 'auto'): the oldest waiting conversation of a site
 * goes to the least busy agent who is present and online for it and below their capacity
 * (agents.capacity, counted in open and pending conversations); among equally busy agents, the one
 * whose newest conversation came longest ago, which makes equal loads turn round robin.
 *
 * Any number of nodes may run it at once for the same site (an escalation on one, an agent coming
 * online on another). Each step is one transaction of two statements:
 * 1. lock the candidate agents' rows, in id order (no deadlock between two steps);
 * 2. in a fresh snapshot (READ COMMITTED: taken after the locks are held, so it sees every
 *    assignment committed by a step that held them before), pick the agent, take the oldest waiting
 *    conversation with FOR UPDATE SKIP LOCKED, assign it only if still unassigned, and append the
 *    "agent joined" notice, all in one statement.
 * So a conversation is assigned once (conditional UPDATE), and no agent passes their capacity (the
 * count and the assignment happen under the agent's row lock).
 */
import type { ConversationDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { rawClient, type RawTransaction } from '../db/raw.ts';
import * as repo from '../conversations/conversations.repository.ts';
import { readyAgents } from '../presence/presence.ts';
import { searchKeys } from '../search/search-keys.ts';

/** The notice's body is a code the widget and console show in their language; stored with its keys, as every message is. */
const AGENT_JOINED_KEYS = searchKeys('agent_joined');

const LOCK_AGENTS = `SELECT id FROM agents WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`;

const ASSIGN_ONE = `
WITH load AS (
  SELECT ag.id, ag.name, ag.capacity, count(o.id) AS open, max(o.escalated_at) AS newest
  FROM agents ag
  LEFT JOIN conversations o ON o.assigned_agent_id = ag.id AND o.status IN ('open', 'pending')
  WHERE ag.id = ANY($2::uuid[]) AND ag.active AND ag.availability = 'online'
  GROUP BY ag.id
), a AS (
  SELECT id, name FROM load WHERE open < capacity ORDER BY open, newest NULLS FIRST, id LIMIT 1
), w AS (
  SELECT id FROM conversations
  WHERE site_id = $1 AND status = 'open' AND assigned_agent_id IS NULL AND escalated_at IS NOT NULL
  ORDER BY escalated_at, id LIMIT 1
  FOR UPDATE SKIP LOCKED
), c AS (
  UPDATE conversations u SET assigned_agent_id = a.id, last_seq = u.last_seq + 1, updated_at = $3
  FROM a, w WHERE u.id = w.id AND u.assigned_agent_id IS NULL AND u.status = 'open'
  RETURNING u.id, u.last_seq, a.name AS agent_name
), m AS (
  INSERT INTO messages (conversation_id, seq, author, kind, body, search_keys, meta, created_at)
  SELECT c.id, c.last_seq, 'system', 'notice', 'agent_joined', $4::int4[], jsonb_build_object('notice', 'agent_joined', 'agentName', c.agent_name), $3 FROM c
  RETURNING id
)
SELECT c.id AS conversation_id, (SELECT id FROM m) AS message_id FROM c`;

/** The wait before a failed run is tried again, doubling with each failure in a row up to the second. */
const RETRY_MS = 500;
const RETRY_MAX_MS = 30_000;

/** Most conversations one run assigns before it lets other work through (it runs again at once if there are more). */
const RUN_MAX = 50;

export class Assigner {
  private readonly tx: RawTransaction;
  /** Sites with a run under way; a value of true: something changed meanwhile, run again after it. */
  private readonly running = new Map<string, boolean>();
  /** Failed runs in a row per site, for the wait before the next try. */
  private readonly failures = new Map<string, number>();

  constructor(private readonly ctx: Ctx) {
    this.tx = rawClient(ctx.db).transaction;
  }

  /**
   * Something may let a waiting conversation of the site be assigned (one came, an agent came
   * online or freed a place): assign what can be, unless the site assigns by hand. Coalesced: one
   * run per site at a time on this node, and a request during a run makes one more run.
   */
  poke(siteId: string): void {
    if (this.running.has(siteId)) {
      this.running.set(siteId, true);
      return;
    }
    this.running.set(siteId, false);
    void this.run(siteId)
      .then(
        () => this.failures.delete(siteId),
        (err) => {
          // A run that failed (the database or Redis away, a node not answering for its sockets)
          // is tried again: nothing else may come to poke the site, and its visitors would wait.
          const failures = (this.failures.get(siteId) ?? 0) + 1;
          this.failures.set(siteId, failures);
          this.ctx.log.warn({ err, siteId }, 'automatic assignment failed; trying again');
          setTimeout(() => this.poke(siteId), Math.min(RETRY_MS * 2 ** (failures - 1), RETRY_MAX_MS)).unref();
        },
      )
      .finally(() => {
        const again = this.running.get(siteId);
        this.running.delete(siteId);
        if (again) this.poke(siteId);
      });
  }

  /** Resolves when no run is under way on this node (tests). */
  async idle(): Promise<void> {
    while (this.running.size) await new Promise((r) => setTimeout(r, 10));
  }

  private async run(siteId: string): Promise<void> {
    const site = await this.ctx.sites.get(siteId);
    if (site?.assignmentMode !== 'auto') return;
    const candidates = await readyAgents(this.ctx, siteId);
    if (!candidates.length) return;
    for (let i = 0; i < RUN_MAX; i++) {
      const assigned = await this.assignOne(siteId, candidates);
      if (!assigned) return;
    }
    this.running.set(siteId, true);
  }

  /** One step: returns the conversation assigned, or undefined when none could be. */
  async assignOne(siteId: string, candidates: string[]): Promise<ConversationDTO | undefined> {
    const [, rows] = await this.tx([
      { text: LOCK_AGENTS, params: [candidates] },
      { text: ASSIGN_ONE, params: [siteId, candidates, this.ctx.clock().toISOString(), AGENT_JOINED_KEYS] },
    ]);
    const row = rows[0] as { conversation_id: string; message_id: string } | undefined;
    if (!row) return undefined;
    const [conv, notice] = await Promise.all([repo.getConversationDTO(this.ctx.db, row.conversation_id), repo.findMessage(this.ctx.db, row.message_id)]);
    if (!conv) return undefined;
    if (notice) this.ctx.realtime.messageCreated(conv, repo.toMessageDTO(notice, null));
    this.ctx.realtime.conversationUpdated(conv, { status: 'open', assignedAgentId: null });
    return conv;
  }
}
