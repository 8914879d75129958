/**
 * Corrects English typos against the words an index actually contains ("refnud" → "refund").
 *
 * Candidates come from a deletion index (every word with one letter removed, as in SymSpell), so a lookup
 * touches a handful of words instead of the whole vocabulary; natural's Damerau-Levenshtein distance then
 * confirms them. Both are needed: the deletion index alone also pairs words two edits apart.
 */
import { DamerauLevenshteinDistance } from 'natural/lib/natural/distance/levenshtein_distance.js';

/** Shorter words have too many neighbours one edit away ("card"/"cart"/"care") to correct safely. */
const MIN_LENGTH = 5;

function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

export class Speller {
  /** Word → how many indexed texts use it: the more common of two candidates wins. */
  private readonly counts = new Map<string, number>();
  private readonly byDeletion = new Map<string, Set<string>>();
  private readonly cache = new Map<string, string | null>();

  add(word: string): void {
    const n = this.counts.get(word) ?? 0;
    this.counts.set(word, n + 1);
    if (n > 0 || word.length < MIN_LENGTH - 1 || !/^[a-z]+$/.test(word)) return;
    this.cache.clear();
    for (const d of deletions(word)) {
      let set = this.byDeletion.get(d);
      if (!set) this.byDeletion.set(d, (set = new Set()));
      set.add(word);
    }
  }

  remove(word: string): void {
    const n = this.counts.get(word) ?? 0;
    if (n > 1) {
      this.counts.set(word, n - 1);
      return;
    }
    this.counts.delete(word);
    this.cache.clear();
    for (const d of deletions(word)) {
      const set = this.byDeletion.get(d);
      set?.delete(word);
      if (set?.size === 0) this.byDeletion.delete(d);
    }
  }

  has(word: string): boolean {
    return this.counts.has(word);
  }

  /**
   * The known word one edit away from `word` (two for words of 9 letters or more), or null.
   * @example speller.correct('refnud') // 'refund' when an indexed text says "refund"
   */
  correct(word: string): string | null {
    if (word.length < MIN_LENGTH || this.counts.has(word) || !/^[a-z]+$/.test(word)) return null;
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    const maxDistance = word.length >= 9 ? 2 : 1;
    const candidates = new Set<string>(this.byDeletion.get(word));
    for (const d of deletions(word)) {
      if (this.counts.has(d)) candidates.add(d);
      for (const w of this.byDeletion.get(d) ?? []) candidates.add(w);
    }
    let best: string | null = null;
    let bestDistance = Infinity;
    let bestCount = 0;
    for (const c of [...candidates].sort()) {
      const distance = DamerauLevenshteinDistance(word, c);
      const count = this.counts.get(c) ?? 0;
      if (distance > maxDistance) continue;
      if (distance < bestDistance || (distance === bestDistance && count > bestCount)) {
        best = c;
        bestDistance = distance;
        bestCount = count;
      }
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(word, best);
    return best;
  }
}
