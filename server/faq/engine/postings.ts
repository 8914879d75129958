/**
 * The index's bookkeeping: feature ids, document frequencies, IDF and inverted lists.
 *
 * Features are interned as small integers so that the hot loops index arrays instead of hashing strings:
 * with string-keyed maps, building 8,000 variants spent a second in garbage collection alone.
 */

/** Kind of a feature, from its key's first letter: word, bigram or piece of a word (see text.ts). */
export const enum Kind {
  Word = 0,
  Bigram = 1,
  Piece = 2,
}

/**
 * Feature ids with their document frequency and IDF.
 *
 * Stored vectors are L2-normalised with the IDF of the moment they were computed. Recomputing every
 * vector on every edit would make an upsert cost a full build, so IDF is a snapshot: a new feature gets
 * its IDF when first seen, and the whole snapshot is renewed (a full re-weighting) only once the
 * collection has changed by a tenth since the last one. IDF drifts slowly, so ranking barely notices.
 */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  private readonly free: number[] = [];
  private readonly keys: string[] = [];
  readonly kind: Kind[] = [];
  readonly df: number[] = [];
  /** IDF per id, NaN until computed for the current snapshot. */
  private readonly idf: number[] = [];
  private docs = 0;
  private changed = 0;
  private distinct = 0;

  get documents(): number {
    return this.docs;
  }

  /** Number of features in use: the vocabulary size for smoothing. */
  get size(): number {
    return this.distinct;
  }

  /** One more than the largest id handed out: the length of per-feature arrays. */
  get capacity(): number {
    return this.keys.length;
  }

  /** Id of a feature the index contains, or -1. */
  find(key: string): number {
    return this.ids.get(key) ?? -1;
  }

  key(id: number): string {
    return this.keys[id];
  }

  /** Counts one more document with these distinct features; returns their ids. */
  addDocument(keys: string[]): number[] {
    const out: number[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      let id = this.ids.get(keys[i]);
      if (id === undefined) {
        id = this.free.pop() ?? this.keys.length;
        this.ids.set(keys[i], id);
        this.keys[id] = keys[i];
        this.kind[id] = keys[i][0] === 'w' ? Kind.Word : keys[i][0] === 'b' ? Kind.Bigram : Kind.Piece;
        this.df[id] = 0;
        this.idf[id] = NaN;
        this.distinct++;
      }
      this.df[id]++;
      out[i] = id;
    }
    this.docs++;
    this.changed++;
    return out;
  }

  removeDocument(ids: ArrayLike<number>): void {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (--this.df[id] > 0) continue;
      this.ids.delete(this.keys[id]);
      this.free.push(id);
      this.distinct--;
    }
    this.docs--;
    this.changed++;
  }

  /** Smoothed IDF, fixed until the next snapshot so that stored and query vectors agree. */
  weight(id: number): number {
    let w = this.idf[id];
    if (Number.isNaN(w)) this.idf[id] = w = this.unseenWeight(this.df[id]);
    return w;
  }

  /** IDF of a feature found in `df` documents; 0 documents gives the largest weight. */
  unseenWeight(df = 0): number {
    return Math.log((this.docs + 1) / (df + 1)) + 1;
  }

  /**
   * Whether stored vectors should be re-weighted before the next search. Small indexes renew after
   * any change, because doing so costs them less than a few milliseconds.
   */
  get stale(): boolean {
    return this.changed > 0 && (this.docs <= 2000 || this.changed >= this.docs / 10);
  }

  /** Starts a new snapshot: IDF is recomputed lazily from the current frequencies. */
  renew(): void {
    this.idf.fill(NaN);
    this.changed = 0;
  }
}

/** A document's place in packed postings: its slot, and where it sits in each of its features' lists. */
export interface Placed {
  slot: number;
  placedIds: number[];
  positions: number[];
}

interface PackedList {
  slots: number[];
  weights: number[];
  owners: Placed[];
}

/**
 * Feature id → parallel arrays of (slot, weight). Arrays scan faster than maps; removal swaps the last
 * posting into the hole and tells its owner its new position, so it costs O(features of the document).
 */
export class PackedPostings {
  private readonly lists: (PackedList | undefined)[] = [];

  /** Places one weighted feature of a document (a feature at most once per document). */
  add(doc: Placed, id: number, weight: number): void {
    let list = this.lists[id];
    if (!list) this.lists[id] = list = { slots: [], weights: [], owners: [] };
    doc.placedIds.push(id);
    doc.positions.push(list.slots.length);
    list.slots.push(doc.slot);
    list.weights.push(weight);
    list.owners.push(doc);
  }

  remove(doc: Placed): void {
    for (let i = 0; i < doc.placedIds.length; i++) {
      const id = doc.placedIds[i];
      const list = this.lists[id];
      if (!list) continue;
      const at = doc.positions[i];
      const last = list.slots.length - 1;
      if (at !== last) {
        const moved = list.owners[last];
        list.slots[at] = list.slots[last];
        list.weights[at] = list.weights[last];
        list.owners[at] = moved;
        moved.positions[moved.placedIds.indexOf(id)] = at;
      }
      list.slots.pop();
      list.weights.pop();
      list.owners.pop();
      if (list.slots.length === 0) this.lists[id] = undefined;
    }
    doc.placedIds = [];
    doc.positions = [];
  }

  /** Whether the document in this slot has the feature. */
  has(id: number, slot: number): boolean {
    return id >= 0 && (this.lists[id]?.slots.includes(slot) ?? false);
  }

  list(id: number): PackedList | undefined {
    return this.lists[id];
  }

  clear(): void {
    this.lists.length = 0;
  }
}

/** Hands out small integer slots, reusing released ones, so that per-slot score arrays stay short. */
export class Slots {
  private readonly free: number[] = [];
  private next = 0;

  get capacity(): number {
    return this.next;
  }

  take(): number {
    return this.free.pop() ?? this.next++;
  }

  release(slot: number): void {
    this.free.push(slot);
  }
}
