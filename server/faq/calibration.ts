/**
 * Each site's calibrated FAQ threshold (engine/calibrate.ts): computed in a worker thread a moment after
 * the site's FAQ last changed, stored in faq_calibrations, and kept in memory for every question.
 *
 * The threshold a question is decided with is the site's own `faq_threshold` when an admin set one, else
 * this one. Reading it waits for a computation only on a site that was never calibrated: its first
 * question starts the calibration and waits up to FIRST_WAIT_MS for it, and the questions after that
 * meet PROVISIONAL_THRESHOLD until it is done. A FAQ that changed keeps its last calibration until the
 * new one is stored. The node where the FAQ changed computes; other nodes read the stored row again
 * after CACHE_MS.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { faqCalibrations, faqEntries, faqLearnedVariants, sites, type FaqEntry } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { CALIBRATION_RULES, DEFAULT_TARGET_PRECISION, type Calibration } from './engine/calibrate.ts';
import type { FaqDoc } from './engine/index.ts';
import type { CalibrationRequest } from './calibration.worker.ts';
import { ThreadClient } from './thread.ts';

export type FaqCalibrationRow = typeof faqCalibrations.$inferSelect;

/** Edits come in bursts (an import, a session of editing): calibrate once they pause. */
const DEBOUNCE_MS = 2_000;
const CACHE_MS = 60_000;
/** How long the first question of a site never calibrated waits for its calibration (the demo FAQ's took 0.55–0.73 s, the worker's start included). */
const FIRST_WAIT_MS = 3_000;
/**
 * The threshold of a site whose first calibration is not done (a large FAQ just imported, or a failed
 * computation, tried again after CACHE_MS): as cautious as the strictest prior that still answers
 * (priorThreshold). Before, it was the prior of a small FAQ (0.85), at which one-text entries of a 77-entry FAQ were
 * right only 70–78% of the time (engine/calibrate.ts, PRIOR_ONE_TEXT).
 */
export const PROVISIONAL_THRESHOLD = 0.99;

interface Cached { threshold: number; at: number; loading?: Promise<number> }

/** Whether a stored calibration was made under other rules than engine/calibrate.ts's now: it is computed again. */
export const outdated = (row: FaqCalibrationRow): boolean => (row.details as { rules?: number }).rules !== CALIBRATION_RULES;

export class FaqCalibrations {
  private readonly cache = new Map<string, Cached>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<FaqCalibrationRow | undefined>>();
  /** Sites never seen here whose calibration is being read (or, never made, computed): one read for all their questions. */
  private readonly reading = new Map<string, Promise<number>>();
  private readonly thread = new ThreadClient<CalibrationRequest, Calibration>(new URL('./calibration.worker.ts', import.meta.url), { idleMs: 60_000 });

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly opts: { debounceMs?: number; firstWaitMs?: number } = {},
  ) {}

  /** The calibrated threshold of a site, from memory (one read of the stored row per CACHE_MS). */
  async threshold(siteId: string): Promise<number> {
    const cached = this.cache.get(siteId);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.threshold;
    if (cached?.loading) return cached.threshold;
    const loading = this.reading.get(siteId) ?? this.read(siteId, cached);
    // A stale value answers while it reloads; only a site never seen here waits for the read.
    if (cached) {
      cached.loading = loading;
      return cached.threshold;
    }
    this.reading.set(siteId, loading);
    return loading.finally(() => this.reading.delete(siteId));
  }

  private async read(siteId: string, cached: Cached | undefined): Promise<number> {
    let row: FaqCalibrationRow | undefined;
    try {
      row = await this.stored(siteId);
    } catch (err) {
      this.log.warn({ err, siteId }, 'faq calibration read failed');
      return this.remember(siteId, cached?.threshold ?? PROVISIONAL_THRESHOLD);
    }
    if (row) {
      if (outdated(row)) this.changed(siteId);
      return this.remember(siteId, row.threshold);
    }
    // Never calibrated: calibrate now, and give the computation a moment before deciding without it.
    const first = this.recompute(siteId).then(
      (computed) => computed?.threshold,
      (err: unknown) => void this.log.warn({ err, siteId }, 'faq calibration failed'),
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.opts.firstWaitMs ?? FIRST_WAIT_MS);
      timer.unref();
    });
    const threshold = await Promise.race([first, late]).finally(() => clearTimeout(timer));
    // When the computation is late, it stores its own threshold here once done (recompute).
    return threshold ?? this.remember(siteId, PROVISIONAL_THRESHOLD);
  }

  /** The stored calibration of a site, if it was computed. */
  async stored(siteId: string): Promise<FaqCalibrationRow | undefined> {
    const [row] = await this.db.select().from(faqCalibrations).where(eq(faqCalibrations.siteId, siteId));
    return row;
  }

  /** The FAQ of a site changed: calibrate it again once edits pause. */
  changed(siteId: string): void {
    clearTimeout(this.timers.get(siteId));
    const timer = setTimeout(() => {
      this.timers.delete(siteId);
      this.recompute(siteId).catch((err: unknown) => this.log.warn({ err, siteId }, 'faq calibration failed'));
    }, this.opts.debounceMs ?? DEBOUNCE_MS);
    this.timers.set(siteId, timer.unref());
  }

  /** Calibrates a site now (after one already running for it), stores and returns the result. */
  async recompute(siteId: string): Promise<FaqCalibrationRow | undefined> {
    const previous = this.running.get(siteId);
    const run = (async () => {
      await previous?.catch(() => undefined);
      const [site] = await this.db.select({ target: sites.faqTargetPrecision }).from(sites).where(eq(sites.id, siteId));
      if (!site) return undefined;
      const docs = await this.docs(siteId);
      const started = performance.now();
      const c = await this.thread.call({ docs, targetPrecision: site.target ?? DEFAULT_TARGET_PRECISION });
      const values = {
        threshold: c.threshold,
        precision: c.precision,
        answered: c.answered,
        method: c.method,
        details: {
          rules: CALIBRATION_RULES,
          targetPrecision: c.targetPrecision,
          samples: c.samples,
          unfit: c.unfit,
          oosAnswered: c.oosAnswered,
          confused: c.confused,
          alike: c.alike,
          optimistic: c.optimistic,
        },
        computedAt: new Date(),
      };
      const [row] = await this.db
        .insert(faqCalibrations)
        .values({ siteId, ...values })
        .onConflictDoUpdate({ target: faqCalibrations.siteId, set: values })
        .returning();
      this.remember(siteId, row.threshold);
      this.log.info({ siteId, threshold: c.threshold, method: c.method, samples: c.samples, ms: Math.round(performance.now() - started) }, 'faq calibrated');
      return row;
    })();
    this.running.set(siteId, run);
    try {
      return await run;
    } finally {
      if (this.running.get(siteId) === run) this.running.delete(siteId);
    }
  }

  private remember(siteId: string, threshold: number): number {
    this.cache.set(siteId, { threshold, at: Date.now() });
    return threshold;
  }

  /** What answers visitors: published entries, with their active learned variants among the variants. */
  private async docs(siteId: string): Promise<FaqDoc[]> {
    const entries = await this.db
      .select()
      .from(faqEntries)
      .where(and(eq(faqEntries.siteId, siteId), eq(faqEntries.status, 'published')));
    const learned = entries.length
      ? await this.db
          .select({ entryId: faqLearnedVariants.entryId, text: faqLearnedVariants.text })
          .from(faqLearnedVariants)
          .where(and(eq(faqLearnedVariants.siteId, siteId), eq(faqLearnedVariants.status, 'active'), inArray(faqLearnedVariants.entryId, entries.map((e) => e.id))))
      : [];
    const extra = new Map<string, string[]>();
    for (const l of learned) extra.set(l.entryId, [...(extra.get(l.entryId) ?? []), l.text]);
    return entries.map((e: FaqEntry) => ({ id: e.id, question: e.question, variants: [...e.variants, ...(extra.get(e.id) ?? [])], language: e.language }));
  }
}
