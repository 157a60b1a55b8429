import { defineConfig } from 'vitest/config';

/**
 * The integration files quick enough for the inner loop (`npm run test:fast`, VITEST_FAST=1: unit
 * plus these, under a minute on two cores): a few seconds each at most, no second relay process,
 * no real TTL waited out. `npm test` runs every file. Add a file here only if it stays that quick.
 */
export const QUICK_INTEGRATION = [
  'tests/integration/relay/admission.test.ts',
  'tests/integration/relay/kiosk-identity.test.ts',
  'tests/integration/relay/redis-store.test.ts',
  'tests/integration/relay/vrs-client-timeout.test.ts',
  'tests/integration/portal/mail-format.test.ts',
  'tests/integration/vrs/isolation.test.ts',
  'tests/security/error-log.test.ts',
  'tests/security/maintenance-backoff.test.ts',
];

const fast = process.env.VITEST_FAST === '1';

export default defineConfig({
  test: {
    // Property tests: a fixed fast-check seed (FC_SEED overrides; FC_SEED=random explores).
    setupFiles: ['tests/setup/fast-check-seed.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: integration suites start servers, so keep the worker count modest.
    maxWorkers: 2,
    // `npm test` runs every project; `vitest run --project unit` one of them.
    projects: [
      // No servers: the code alone (and the test PKI under certs/out).
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], globalSetup: ['tests/setup/pki-setup.ts'] } },
      // Real Redis and PostgreSQL (tests/setup/global-setup.ts starts them unless CI gives URLs).
      {
        extends: true,
        test: {
          name: 'integration',
          include: fast ? QUICK_INTEGRATION : ['tests/integration/**/*.test.ts', 'tests/security/**/*.test.ts'],
          globalSetup: ['tests/setup/pki-setup.ts', 'tests/setup/global-setup.ts'],
        },
      },
      // Real Chromium against the whole stack.
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], globalSetup: ['tests/setup/pki-setup.ts', 'tests/setup/global-setup.ts'] } },
      // Relays and VRS under load, restarts and faults.
      { extends: true, test: { name: 'load', include: ['tests/load/**/*.test.ts'], globalSetup: ['tests/setup/pki-setup.ts', 'tests/setup/global-setup.ts'] } },
    ],
  },
});
