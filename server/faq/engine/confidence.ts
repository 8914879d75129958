/** Placeholder calibration; fitted below. */
export interface Signals { nearest: number; centroid: number; coverage: number; margin: number }
export function calibrate(s: Signals): number {
  return 1 / (1 + Math.exp(-(s.nearest + s.centroid + s.coverage + s.margin - 2)));
}
