import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  // Only the Node side: the browser app is built by `vite build` into dist/app, which must survive.
  clean: false,
  sourcemap: true,
  target: 'node20',
});
