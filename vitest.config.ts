import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx', 'test/integration/**/*.test.ts', 'test/property/**/*.test.ts', 'test/crash/**/*.test.ts', 'test/hq/**/*.test.ts', 'test/sync/**/*.test.ts', 'test/sync-hq/**/*.test.ts', 'test/sync-faults/**/*.test.ts', 'test/updates/**/*.test.ts', 'test/packaging/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
  },
});
