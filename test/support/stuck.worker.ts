/** A worker for thread.test.ts: doubles a number, or never answers (spins) when asked to. */
import { serve } from '../../server/faq/thread.ts';

serve((request: { n: number; spin?: boolean }) => {
  if (request.spin) for (;;);
  return request.n * 2;
});
