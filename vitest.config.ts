import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Makes the Log Analytics fake's TLS certificate and trusts it (NODE_EXTRA_CA_CERTS) before workers start.
    globalSetup: ['test/fakes/azure-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
