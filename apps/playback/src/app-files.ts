/** The built app's files as a table of URL path → file, fixed when the server starts. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function appFileTable(appDir: string): Map<string, string> {
  const table = new Map<string, string>();
  const walk = (dir: string, prefix: string): void => {
    // Sorted so the table (and anything derived from it) does not depend on directory order.
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full, `${prefix}${entry.name}/`);
      else if (entry.isFile()) table.set(`${prefix}${entry.name}`, full);
    }
  };
  walk(appDir, '/');
  return table;
}

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
