import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    appDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const appDir = mkdtempSync(join(tmpdir(), 'sevsim-playback-app-'));
  await build({
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    logLevel: 'error',
    build: { outDir: appDir, emptyOutDir: true },
  });
  project.provide('appDir', appDir);
  return () => rmSync(appDir, { recursive: true, force: true });
}
