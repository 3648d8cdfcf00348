import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/fresh-dist.ts'],
    // Most tests wait on loopback I/O, not the CPU: three workers keep the two cores busy. Files share a
    // worker's modules (no module mocks, fake timers or global patches outlive a test here).
    pool: 'threads',
    maxWorkers: 3,
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
    },
  },
});
