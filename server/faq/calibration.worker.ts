/**
 * Calibrates sites' FAQ thresholds in a worker thread (calibration.ts sends the entries): asking every
 * variant of the FAQ about itself takes up to a few seconds of CPU at 10,000 variants.
 */
import { workerData } from 'node:worker_threads';
import { calibrateFaq, type Calibration } from './engine/calibrate.ts';
import type { FaqDoc } from './engine/index.ts';
import { serve } from './thread.ts';

export interface CalibrationRequest { docs: FaqDoc[]; targetPrecision: number }

export const handle = ({ docs, targetPrecision }: CalibrationRequest): Calibration => calibrateFaq(docs, { targetPrecision });

// Started as a worker (thread.ts names this file in workerData), not imported.
if ((workerData as { entry?: string } | null)?.entry === import.meta.url) serve(handle);
