import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for something that happens on another process (a message stored, a page
    // updated): 1 s, vitest's default, was too short while CI ran the outage tests beside it (the emoji
    // test's stored message came later). A condition that never comes still fails, after 10 s.
    expect: { poll: { timeout: 10_000 } },
    // Two cores: each worker holds a PGlite (hundreds of MB); more workers only thrash.
    maxWorkers: 2,
    pool: 'forks',
  },
});
