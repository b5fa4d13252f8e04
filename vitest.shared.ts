import { defineConfig } from 'vitest/config';

/** Every package tests its own sources: the custom export condition maps each workspace
 *  import to `src/index.ts`, so no build is needed before `vitest`. */
export const shared = defineConfig({
  resolve: { conditions: ['@sevsim/source'] },
  ssr: { resolve: { conditions: ['@sevsim/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'threads',
    // Generous: the suite runs package by package in parallel on a 2-core CI machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
