/**
 * Messages the user wrote that the server has not acknowledged yet. Kept in localStorage so a reload,
 * a crash or a dead connection never loses what someone typed; an item leaves only on `ok: true`.
 */
import { retryDelay, type ErrorCode } from '../shared/result.ts';

export interface OutboxItem {
  /** Sent with the message: the server ignores a second copy, so retries are harmless. */
  clientId: string;
  body: string;
  /** Failed attempts so far. */
  attempts: number;
  /** failed: the server refused it for a reason a retry cannot change; it waits for the user. */
  status: 'queued' | 'sending' | 'failed';
  /** Epoch ms before which the item is not sent again. */
  nextAt: number;
  /** Why the last attempt failed (absent after a timeout or a lost connection). */
  error?: ErrorCode;
}

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Codes a retry cannot change: anything else (rate limit, server error, timeout) is tried again. */
const FINAL: readonly ErrorCode[] = ['INVALID_PAYLOAD', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'UNKNOWN_SITE', 'ORIGIN_NOT_ALLOWED', 'CONVERSATION_CLOSED', 'IDENTITY_REQUIRED', 'INVALID_IDENTITY'];

/** 32 random hex digits, matching the contract's ClientId (randomUUID would need a secure context; many sites are http). */
export const newClientId = (): string => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b + 256).toString(16).slice(1)).join('');

/**
 * An ordered queue persisted under one key that every tab of the site shares. Each change is made to what
 * storage holds now, merged with this tab's items: a tab never drops an item another tab queued, and
 * leaves out only what it saw acknowledged or discarded itself. An item another tab wrote back after that
 * is sent again at worst, which the server answers with the copy it stored.
 */
export class Outbox {
  private _items: OutboxItem[];
  /** Client ids this tab saw acknowledged or discarded. */
  private readonly _done = new Set<string>();

  constructor(
    private readonly _store: KeyValueStore | null,
    readonly key: string,
  ) {
    // An item that was in flight when the page went away is simply queued again.
    this._items = this._read().map((i) => ({ ...i, status: i.status === 'failed' ? 'failed' : 'queued' }));
  }

  /** The items in the order they were written. */
  get items(): readonly OutboxItem[] {
    return this._items;
  }

  add(body: string, now = Date.now()): OutboxItem {
    const item: OutboxItem = { clientId: newClientId(), body, attempts: 0, status: 'queued', nextAt: now };
    this._save((items) => [...items, item]);
    return item;
  }

  update(clientId: string, patch: Partial<OutboxItem>): void {
    this._save((items) => items.map((i) => (i.clientId === clientId ? { ...i, ...patch } : i)));
  }

  /** Drops items for good, here and in storage, by client id (acknowledged or discarded); returns whether this tab had any. */
  remove(...clientIds: string[]): boolean {
    for (const id of clientIds) this._done.add(id);
    const removed = this._items.some((i) => clientIds.includes(i.clientId));
    if (removed) this._save((items) => items);
    return removed;
  }

  /** Records a failed attempt: a final code marks the item failed, anything else schedules a retry. */
  fail(clientId: string, code?: ErrorCode, retryAfterMs?: number, now = Date.now()): void {
    const attempts = (this._items.find((i) => i.clientId === clientId)?.attempts ?? 0) + 1;
    const failed = !!code && FINAL.includes(code);
    this.update(clientId, { attempts, error: code, status: failed ? 'failed' : 'queued', nextAt: now + (retryAfterMs ?? retryDelay(attempts)) });
  }

  /** Sends a failed or waiting item again, now. */
  retry(clientId: string, now = Date.now()): void {
    this.update(clientId, { status: 'queued', error: undefined, nextAt: now });
  }

  /** After a reconnect nothing waits out its backoff, except a rate limit the server asked us to respect. */
  wake(now = Date.now()): void {
    this._save((items) => items.map((i) => (i.status === 'failed' || i.error === 'RATE_LIMITED' ? i : { ...i, status: 'queued', nextAt: Math.min(i.nextAt, now) })));
  }

  /** The item to send next, in order: the first one that has not failed for good. */
  head(): OutboxItem | undefined {
    return this._items.find((i) => i.status !== 'failed');
  }

  /** What storage holds now (other tabs write there too); nothing when it is unreadable. */
  private _read(): OutboxItem[] {
    try {
      const saved: unknown = JSON.parse(this._store?.getItem(this.key) ?? '[]');
      if (Array.isArray(saved)) return saved.filter((i) => i?.clientId && i.body);
    } catch {
      // Unreadable or blocked: nothing there.
    }
    return [];
  }

  /** Applies a change to storage's items and this tab's, merged by client id (this tab's copy wins, in storage's order), and writes it through. */
  private _save(change: (items: OutboxItem[]) => OutboxItem[]): void {
    const merged = new Map([...this._read(), ...this._items].map((i) => [i.clientId, i]));
    const items = (this._items = change([...merged.values()].filter((i) => !this._done.has(i.clientId))));
    try {
      if (items.length) this._store?.setItem(this.key, JSON.stringify(items));
      else this._store?.removeItem(this.key);
    } catch {
      // Storage full or blocked (private mode, sandboxed iframe): the queue still lives in memory.
    }
  }
}
