import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // Property tests use one fixed seed (FC_SEED=random explores): the same verdict on every run.
    setupFiles: ['tests/setup-fast-check.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
