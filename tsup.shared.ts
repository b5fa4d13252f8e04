import type { Options } from 'tsup';

/**
 * How every library package is built: ESM (`dist/*.js`) for `import` and CommonJS (`dist/*.cjs`)
 * for `require`, each with its own declarations (`.d.ts` / `.d.cts`), so Node 20 and TypeScript
 * resolve both forms through `exports`. `shims` gives the CommonJS build an `import.meta.url`
 * (the explorer finds its worker file and the playback package its app relative to themselves).
 */
export function library(entry: string[], overrides: Options = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    shims: true,
    target: 'node20',
    ...overrides,
  };
}
