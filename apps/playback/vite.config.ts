import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

/** The browser app: `src/app/index.html` → `dist/app/`. JSX goes through Vite's built-in
 *  transform (automatic runtime); one chunk and no module-preload polyfill so `writeReport` can
 *  inline the whole app into one HTML file. */
export default defineConfig({
  root: fileURLToPath(new URL('./src/app/', import.meta.url)),
  base: './',
  // Workspace packages from their sources, like the tests and the CLI bundle.
  resolve: { conditions: ['@sevsim/source', ...defaultClientConditions] },
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist/app/', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    rolldownOptions: { output: { codeSplitting: false } },
  },
});
