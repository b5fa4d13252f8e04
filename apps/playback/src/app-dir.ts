/** Where the built browser app (`vite build` → dist/app) is, seen from this module: next to the
 *  bundle when running from dist/index.js, or ../dist/app when running from source (tests). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findAppDir(explicit?: string): string {
  const candidates = explicit
    ? [explicit]
    : [
        fileURLToPath(new URL('./app/', import.meta.url)),
        fileURLToPath(new URL('../dist/app/', import.meta.url)),
      ];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) {
    throw new Error(
      `the playback app is not built (no index.html in ${candidates.join(' or ')}): run \`pnpm --filter @sevsim/playback build\``,
    );
  }
  return found;
}
