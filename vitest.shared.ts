import { defineConfig } from 'vitest/config';

/** Every package tests its own sources: the custom export condition maps each workspace
 *  import to `src/index.ts`, so no build is needed before `vitest`. */
export const shared = defineConfig({
  resolve: { conditions: ['@sevsim/source'] },
  ssr: { resolve: { conditions: ['@sevsim/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'threads',
    // The timeout catches a hang, not slowness (speed is measured in `pnpm bench`, never asserted):
    // the tests are CPU-bound and run package by package in parallel on a 2-core machine that may
    // be shared, where a test that needs 15 s of CPU was seen to take 140 s.
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
