import { describe, expect, it } from 'vitest';
import { ArticleIndex, FaqIndex, type FaqDoc } from '../../server/faq/engine/index.ts';

const refund: FaqDoc = { id: 'refund', question: 'How do I get a refund?', variants: ['I want my money back'], language: 'en' };
const speed: FaqDoc = { id: 'speed', question: 'Can I change the playback speed?', variants: ['play videos faster'], language: 'en' };

/** A deterministic pseudo-random sequence, so that a failing run can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe('live updates', () => {
  it('finds an entry in the very next search after it was added', () => {
    const idx = new FaqIndex();
    idx.upsert(speed);
    expect(idx.search('refund')).toEqual([]);
    idx.upsert(refund);
    expect(idx.search('refund')[0].id).toBe('refund');
    expect(idx.size).toBe(2);
  });

  it('forgets a removed entry in the very next search', () => {
    const idx = new FaqIndex();
    idx.upsert(refund);
    idx.upsert(speed);
    idx.remove('refund');
    expect(idx.search('refund').map((h) => h.id)).not.toContain('refund');
    expect(idx.size).toBe(1);
    idx.remove('not-there');
    expect(idx.size).toBe(1);
  });

  it('matches an edited entry by its new wording only', () => {
    const idx = new FaqIndex();
    idx.upsert(refund);
    idx.upsert(speed);
    expect(idx.search('money back')[0].id).toBe('refund');
    idx.upsert({ ...refund, variants: ['reimburse me for a course'] });
    expect(idx.search('reimburse')[0].id).toBe('refund');
    expect(idx.search('money back').map((h) => h.id)).not.toContain('refund');
    expect(idx.size).toBe(2);
  });

  it('answers after many edits exactly like an index built from scratch', () => {
    const words = ['refund', 'invoice', 'course', 'download', 'speed', 'password', 'login', 'coupon', '退款', '发票', '课程', '下载', '会员', '续费'];
    const next = random(42);
    const pick = () => words[Math.floor(next() * words.length)];
    const sentence = () => Array.from({ length: 2 + Math.floor(next() * 4) }, pick).join(' ');
    const edited = new FaqIndex();
    const current = new Map<string, FaqDoc>();
    for (let step = 0; step < 400; step++) {
      const id = `e${Math.floor(next() * 30)}`;
      if (next() < 0.25) {
        edited.remove(id);
        current.delete(id);
      } else {
        const doc: FaqDoc = { id, question: sentence(), variants: Array.from({ length: Math.floor(next() * 5) }, sentence), language: 'en' };
        edited.upsert(doc);
        current.set(id, doc);
      }
    }
    const fresh = new FaqIndex();
    for (const doc of current.values()) fresh.upsert(doc);
    expect(edited.size).toBe(fresh.size);
    for (let q = 0; q < 50; q++) {
      const query = sentence();
      const round = (hits: { id: string; confidence: number }[]) => hits.map((h) => `${h.id}:${h.confidence.toFixed(9)}`);
      expect(round(edited.search(query, 3)), query).toEqual(round(fresh.search(query, 3)));
    }
  });

  it('updates and removes help articles the same way', () => {
    const articles = new ArticleIndex();
    const article = { id: 'a1', title: 'Watching offline in the app', summary: 'Download courses to your phone.', body: 'Open a course and tap the download icon.', language: 'en' as const };
    articles.upsert(article);
    expect(articles.search('how do I download a course')[0]?.id).toBe('a1');
    articles.upsert({ ...article, title: 'Playback speed', summary: 'Change the speed of the player.', body: 'Tap 1.0x.' });
    expect(articles.search('how do I download a course')).toEqual([]);
    articles.remove('a1');
    expect(articles.search('playback speed')).toEqual([]);
  });
});
