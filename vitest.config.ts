import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: each worker holds a PGlite (hundreds of MB); more workers only thrash.
    maxWorkers: 2,
    pool: 'forks',
  },
});
