import { defineConfig } from 'tsup';

export default defineConfig({
  // explore-worker: the file `sevsim explore` / `compare` start worker threads on.
  entry: { sevsim: 'src/main.ts', 'explore-worker': 'src/explore-worker.ts' },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Bundled CommonJS dependencies (yaml) call require() for Node built-ins.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __sevsimRequire } from 'node:module';\nconst require = __sevsimRequire(import.meta.url);",
  },
  // Bundle the workspace packages so a cold start reads one file, from their sources (the
  // `@sevsim/source` condition), so the binary never mixes in a stale dist of a layer.
  noExternal: [/^@sevsim\//],
  esbuildOptions(options) {
    options.conditions = ['@sevsim/source'];
  },
});
