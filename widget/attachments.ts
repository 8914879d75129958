/**
 * What the attachment elements share (support-chat-uploads, support-chat-file), loaded with them when
 * a file is first picked, pasted, dropped or shown: sizes in words and links to files, asked for in
 * batches (the check and the upload itself: shared/uploads.ts). Their words are in
 * later.ts, with the other parts loaded when first needed.
 */
import type { Locale } from '../shared/schemas.ts';
import type { ChatClient } from './chat-client.ts';

/** 2.4 MB, 312 KB, 90 B. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(bytes >= 10 * 1024 * 1024 ? 0 : 1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}


type Link = { url: string; expiresAt: number };
const links = new Map<string, Link>();
let queue: { id: string; resolve: (l: Link | undefined) => void }[] = [];

/**
 * A short-lived link to a file of the visitor's conversations, asked for with the others needed in
 * the same turn (one `attachment:links` for a page of thumbnails), and reused until a minute before it expires.
 */
export function linkFor(client: ChatClient, id: string): Promise<Link | undefined> {
  const known = links.get(id);
  if (known && known.expiresAt - Date.now() > 60_000) return Promise.resolve(known);
  return new Promise((resolve) => {
    queue.push({ id, resolve });
    if (queue.length === 1) queueMicrotask(() => void flush(client));
  });
}

async function flush(client: ChatClient): Promise<void> {
  const batch = queue.splice(0, 50);
  queue = queue.length ? queue : [];
  if (queue.length) queueMicrotask(() => void flush(client));
  const res = await client.request('attachment:links', { ids: [...new Set(batch.map((b) => b.id))] });
  for (const { id, resolve } of batch) {
    const got = res.ok ? res.data.links[id] : undefined;
    const link = got && { url: client.serverUrl(got.url), expiresAt: Date.parse(got.expiresAt) };
    if (link) links.set(id, link);
    resolve(link);
  }
}
