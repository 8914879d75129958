/**
 * Sites as every handshake and message reads them, from memory: a widget connection looked its
 * site up twice (allowRequest, then the namespace middleware), and every socket held its own copy.
 * One object per site is shared by all its sockets and refreshed in place, so a change of settings
 * reaches open sockets too. A change made here is announced to the other nodes (app.ts wires
 * `announce` to serverSideEmit), which reload the site; TTL_MS bounds how stale a change made
 * elsewhere (a CLI, another deployment) can be.
 */
import type { Db } from '../db/client.ts';
import type { Site } from '../db/schema.ts';
import { findSite } from './sites.repository.ts';

const TTL_MS = 30_000;
/** An unknown key is remembered briefly, so that a flood of handshakes with it does not reach the database. */
const UNKNOWN_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  site: Site | undefined;
  at: number;
  loading?: Promise<Site | undefined>;
}

export class SiteCache {
  private readonly entries = new Map<string, Entry>();
  /** Tells the other nodes that a site changed (set by app.ts when there are several). */
  announce: (siteId: string) => void = () => {};

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** The site, or undefined when there is no such site. */
  get(id: string): Promise<Site | undefined> {
    const entry = this.entries.get(id);
    if (entry?.loading) return entry.loading;
    if (entry && this.now() - entry.at < (entry.site ? TTL_MS : UNKNOWN_TTL_MS)) return Promise.resolve(entry.site);
    return this.load(id, entry);
  }

  /** A site changed here: reloaded on this node before this resolves, and the others are told. */
  async changed(id: string): Promise<void> {
    this.announce(id);
    await this.invalidate(id);
  }

  /** A site changed (here or elsewhere): reloaded now, in place, so that its open sockets follow. */
  async invalidate(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    await (entry.loading ?? Promise.resolve()).catch(() => {});
    await this.load(id, this.entries.get(id)).catch(() => {
      // Not reachable now: forget it, so that the next use reads the database again.
      this.entries.delete(id);
    });
  }

  private load(id: string, entry: Entry | undefined): Promise<Site | undefined> {
    const loading = findSite(this.db, id).then(
      (fresh) => {
        // Refreshed in place: sockets holding the object see the new settings.
        const site = entry?.site && fresh ? Object.assign(entry.site, fresh) : fresh;
        this.entries.set(id, { site, at: this.now() });
        return site;
      },
      (err) => {
        if (entry) this.entries.set(id, { site: entry.site, at: entry.at });
        else this.entries.delete(id);
        throw err;
      },
    );
    if (!entry && this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(id, { site: entry?.site, at: entry?.at ?? 0, loading });
    return loading;
  }
}
