import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { sevsim: 'src/main.ts' },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  // Bundle the workspace packages so a cold start reads one file.
  noExternal: [/^@sevsim\//],
});
