import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    allowOnly: false,
    // Much of the suite waits — on Chromium, the databases, the SMTP sink, child processes — so one
    // worker per core (at least two) keeps the cores busy; the default leaves one idle.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
