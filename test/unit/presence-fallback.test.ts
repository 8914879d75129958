/**
 * Presence when the other nodes cannot be asked (Redis away): this node's own ready agents, not a
 * failure that refuses the visitor's message or the admin's change that asked.
 */
import { describe, expect, it } from 'vitest';
import type { Ctx } from '../../server/context.ts';
import { readyAgents } from '../../server/presence/presence.ts';
import { pushAgentRights } from '../../server/agents/agent-rights.ts';

const offline = () => Promise.reject(new Error('The client is closed'));

function ctxWith(local: { rooms: Set<string> }[]) {
  const emitted: unknown[][] = [];
  const agents = {
    in: () => ({ fetchSockets: offline }),
    local: { in: () => ({ fetchSockets: () => Promise.resolve(local) }) },
    adapter: { serverCount: offline, rooms: new Map() },
    sockets: new Map(),
    serverSideEmit: (...args: unknown[]) => emitted.push(args),
  };
  const ctx = { realtime: { agents }, log: { warn() {}, error() {}, debug() {} } } as unknown as Ctx;
  return { ctx, emitted };
}

describe('presence while the other nodes cannot be asked', () => {
  it('answers with this node’s ready agents', async () => {
    const { ctx } = ctxWith([{ rooms: new Set(['sock-1', 'me:agent-a', 'ready:demo']) }, { rooms: new Set(['me:agent-b']) }, { rooms: new Set(['me:agent-a']) }]);
    expect((await readyAgents(ctx, 'demo')).sort()).toEqual(['agent-a', 'agent-b']);
  });

  it('still tells the other nodes of an agent’s changed rights, and applies them here', async () => {
    const { ctx, emitted } = ctxWith([]);
    await expect(pushAgentRights(ctx, 'agent-a')).resolves.toBeUndefined();
    expect(emitted).toEqual([[expect.any(String), 'agent-a']]);
  });
});
