import { cpSync, existsSync } from 'node:fs';
import { defineConfig } from 'tsup';

const PLAYBACK_APP = '../playback/dist/app';

export default defineConfig({
  // explore-worker: the file `sevsim explore` / `compare` start worker threads on.
  entry: { sevsim: 'src/main.ts', 'explore-worker': 'src/explore-worker.ts' },
  format: ['esm'],
  dts: false,
  clean: true,
  // No source map: it would be twice the size of the bundle it maps (issue 13: a small install).
  sourcemap: false,
  target: 'node20',
  // Bundled CommonJS dependencies (yaml) call require() for Node built-ins.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __sevsimRequire } from 'node:module';\nconst require = __sevsimRequire(import.meta.url);",
  },
  // Everything is bundled, so the installed command has no dependencies to fetch: the workspace
  // packages from their sources (the `@sevsim/source` condition, so the binary never mixes in a
  // stale dist of a layer), commander, yaml and zod.
  noExternal: [/./],
  esbuildOptions(options) {
    options.conditions = ['@sevsim/source'];
  },
  // The playback app ships inside the CLI (dist/playback-app), found next to the bundle.
  async onSuccess() {
    if (!existsSync(`${PLAYBACK_APP}/index.html`))
      throw new Error(`${PLAYBACK_APP} is not built: build @sevsim/playback first (turbo does)`);
    cpSync(PLAYBACK_APP, 'dist/playback-app', { recursive: true });
  },
});
