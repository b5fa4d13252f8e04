/**
 * The citation check of docs/reference/README.md "Citation grammar": every `§` citation names a
 * heading that exists, no citation is bare, and nothing points outside the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** What a check needs to know of the repository besides the text it reads. */
export interface Repository {
  /** Does this repository-relative path exist? */
  exists(path: string): boolean;
  /** The anchors (`3.2`, `9`, `Appendix A`) of `docs/reference/<name>.md`, or undefined if absent. */
  anchors(name: string): ReadonlySet<string> | undefined;
}

const REFERENCE_DIR = 'docs/reference/';
const CONTRACTS_DIR = 'docs/contracts/';
const REFERENCE_NAMES = 'psp-firmware|linux-ccp|linux-kvm-amd|anchors';
const CONTRACT_NAMES = 'scenario-v1|diagnose-v1';

/** The numbered headings of a reference file: `## 3.`, `### 3.2 …`, `## Appendix A: …`. */
export function headings(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const line of markdown.split('\n')) {
    const numbered = /^#{2,4} (\d+(?:\.\d+)*)\.? /.exec(line);
    if (numbered) found.add(numbered[1]!);
    const appendix = /^#{2,4} Appendix ([A-Z])\b/.exec(line);
    if (appendix) found.add(`Appendix ${appendix[1]}`);
  }
  return found;
}

/** Test patterns write citations regex-escaped (`\/` and `\.`); read them plain. */
function unescapeRegex(line: string): string {
  return line.replace(/\\([./§])/g, '$1');
}

const SECTION = /§{1,2}\s?(\d+(?:\.\d+)*)/g;
const CONTEXT = /docs\/reference\/([\w-]+)\.md|\bAMD \d{5}\b/g;
const DOC_PATH = /(?<![\w./-])docs\/(?:[\w-]+\/)*[\w-]+\.md(?: Appendix ([A-Z])\b)?/g;
// The research notes the project started from sit in a sibling `shared` directory.
const OUTSIDE = /(?:\.\.\/)+shared\b|\/wor[k]\/shared\b|(?<![\w.-])shared\/(?:reference|contracts|seeds)\b/g;
// The directory in front of a file name (group 1) never starts with `/`: that is a regex delimiter.
const REFERENCE_FILE = new RegExp(`(?<![\\w.-])((?:[\\w.-][\\w./-]*?)?)(${REFERENCE_NAMES})\\.md`, 'g');
const CONTRACT_FILE = new RegExp(`(?<![\\w.-])((?:[\\w.-][\\w./-]*?)?)(${CONTRACT_NAMES})\\.md`, 'g');

/** The problems of one file's text; `file` is its repository-relative path. */
export function checkText(file: string, text: string, repo: Repository): Problem[] {
  const problems: Problem[] = [];
  const own = file.startsWith(REFERENCE_DIR) ? file.slice(REFERENCE_DIR.length, -'.md'.length) : undefined;
  text.split('\n').forEach((raw, index) => {
    const line = unescapeRegex(raw);
    const report = (message: string) => problems.push({ file, line: index + 1, message });

    for (const m of line.matchAll(DOC_PATH)) {
      const path = m[0].replace(/ Appendix [A-Z]$/, '');
      if (!repo.exists(path)) {
        report(`${path} does not exist`);
      } else if (m[1] !== undefined && path.startsWith(REFERENCE_DIR)) {
        const name = path.slice(REFERENCE_DIR.length, -'.md'.length);
        if (!repo.anchors(name)?.has(`Appendix ${m[1]}`)) report(`${path} has no heading "Appendix ${m[1]}"`);
      }
    }

    for (const m of line.matchAll(SECTION)) {
      const section = m[1]!;
      let context: RegExpMatchArray | undefined;
      for (const c of line.slice(0, m.index).matchAll(CONTEXT)) context = c;
      if (context && context[1] === undefined) continue; // an AMD specification section
      const name = context?.[1] ?? own;
      if (name === undefined) {
        report(`bare citation "${m[0]}": write docs/reference/<file>.md ${m[0]} or a primary source`);
        continue;
      }
      const anchors = repo.anchors(name);
      if (anchors === undefined) continue; // the missing file is reported as a path
      if (!anchors.has(section)) report(`${REFERENCE_DIR}${name}.md has no heading §${section}`);
    }

    for (const m of line.matchAll(OUTSIDE)) report(`"${m[0]}" is outside the repository`);
    for (const m of line.matchAll(REFERENCE_FILE)) {
      if (m[1] === REFERENCE_DIR || (m[1] === '' && own !== undefined)) continue;
      report(`"${m[0]}" is not a repository path: cite ${REFERENCE_DIR}${m[2]}.md`);
    }
    for (const m of line.matchAll(CONTRACT_FILE)) {
      if (m[1] === CONTRACTS_DIR || (m[1] === '' && file.startsWith(CONTRACTS_DIR))) continue;
      report(`"${m[0]}" is not a repository path: cite ${CONTRACTS_DIR}${m[2]}.md`);
    }
  });
  return problems;
}

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.turbo', 'coverage', 'out', '.sevsim']);
const CHECKED = /\.(?:ts|tsx|mts|cts|js|mjs|cjs|md|json|ya?ml)$/;
const SKIP_FILES = new Set(['pnpm-lock.yaml']);

/** Every source, test, README, doc and data file of the repository, as relative paths. */
export function repositoryFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      } else if (CHECKED.test(entry.name) && !SKIP_FILES.has(entry.name)) {
        files.push(`${prefix}${entry.name}`);
      }
    }
  };
  walk(root, '');
  return files.sort();
}

/** Checks the repository at `root`. */
export function checkRepository(root: string): Problem[] {
  const cache = new Map<string, ReadonlySet<string> | undefined>();
  const repo: Repository = {
    exists: (path) => existsSync(join(root, path)),
    anchors: (name) => {
      if (!cache.has(name)) {
        const path = join(root, `${REFERENCE_DIR}${name}.md`);
        cache.set(name, existsSync(path) ? headings(readFileSync(path, 'utf8')) : undefined);
      }
      return cache.get(name);
    },
  };
  return repositoryFiles(root).flatMap((file) =>
    checkText(file, readFileSync(join(root, file), 'utf8'), repo),
  );
}
