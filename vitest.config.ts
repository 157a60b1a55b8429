import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global-setup.ts'],
    // Property tests: a fixed fast-check seed (FC_SEED overrides; FC_SEED=random explores).
    setupFiles: ['tests/setup/fast-check-seed.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: integration suites start servers, so keep the worker count modest.
    maxWorkers: 2,
  },
});
