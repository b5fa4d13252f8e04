/**
 * lib/dynamic_debug.c: which pr_debug()/dev_dbg() call sites print. sevsim keeps the `p` flag per
 * module (every call site of a module shares it), which is what a query naming a module (or none)
 * decides. Queries that pick single call sites (`func`, `file`, `format`, `line`) are not modelled:
 * the scenario validator refuses them (`dyndbgQueryProblem`). Only the print flag `p` matters here;
 * the decoration flags (`m f s l t _`) are parsed and have no effect on the lines sevsim prints.
 * Facts: Linux v6.18 lib/dynamic_debug.c ddebug_exec_queries(), ddebug_exec_query(),
 * ddebug_tokenize(), ddebug_parse_query(), ddebug_parse_flags(), ddebug_change(),
 * ddebug_dyndbg_param_cb(); Documentation/admin-guide/dynamic-debug-howto.rst.
 */

/** The flags-spec characters ddebug_parse_flags() knows (opt_array). */
const FLAG_CHARS = 'pmfslt_';
/** ddebug_exec_query(): at most this many words. */
const MAXWORDS = 9;
/** Match-spec keywords that select single call sites, which sevsim does not name. */
const SITE_KEYWORDS = ['func', 'file', 'format', 'line'] as const;

/**
 * The ddebug tables of the running kernel: one per loaded module (or built-in) with call sites,
 * and the modules whose call sites have `p` set.
 */
export class DynamicDebug {
  /** Both sets are shared with a copy (a fork of the whole system) until one side changes them. */
  private shared = false;

  constructor(
    private tableSet = new Set<string>(),
    private printSet = new Set<string>(),
  ) {}

  /** Modules whose tables exist (ddebug_add_module at boot or on MODULE_STATE_COMING). */
  get tables(): ReadonlySet<string> {
    return this.tableSet;
  }

  /** Modules whose call sites print (`p`). */
  get print(): ReadonlySet<string> {
    return this.printSet;
  }

  /** An independent copy: the sets shared until changed (most forks load or unload no module). */
  fork(): DynamicDebug {
    this.shared = true;
    const c = new DynamicDebug(this.tableSet, this.printSet);
    c.shared = true;
    return c;
  }

  /** Before a change: sets shared with a copy are copied first. */
  private own(): void {
    if (!this.shared) return;
    this.tableSet = new Set(this.tableSet);
    this.printSet = new Set(this.printSet);
    this.shared = false;
  }

  /** A new kernel boots: no module's table yet. */
  clear(): void {
    this.own();
    this.tableSet.clear();
    this.printSet.clear();
  }

  /** ddebug_add_module(): a module's call sites arrive with `p` clear. */
  addModule(module: string): void {
    this.own();
    this.tableSet.add(module);
  }

  /** ddebug_remove_module(): the table goes with the module, and with it its flags. */
  removeModule(module: string): void {
    this.own();
    this.tableSet.delete(module);
    this.printSet.delete(module);
  }

  /** ddebug_change(): set or clear `p` on a module's call sites. */
  setPrint(module: string, p: boolean): void {
    this.own();
    if (p) this.printSet.add(module);
    else this.printSet.delete(module);
  }
}

/** `*` and `?` as match_wildcard() reads them. */
function matchWildcard(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(name);
}

type Words = { ok: true; words: string[] } | { ok: false; log: string };

/** ddebug_tokenize(): whitespace-separated words, simple quotes, `#` starts a comment. */
function tokenize(query: string): Words {
  const words: string[] = [];
  let i = 0;
  while (i < query.length) {
    while (i < query.length && /\s/.test(query[i]!)) i++;
    if (i >= query.length || query[i] === '#') break;
    let end: number;
    let start = i;
    if (query[i] === '"' || query[i] === "'") {
      const quote = query[i]!;
      start = i + 1;
      end = query.indexOf(quote, start);
      if (end < 0) return { ok: false, log: `dyndbg: unclosed quote: ${query.slice(start)}` };
    } else {
      end = i;
      while (end < query.length && !/\s/.test(query[end]!)) end++;
    }
    if (words.length === MAXWORDS)
      return { ok: false, log: `dyndbg: too many words, legal max <=${MAXWORDS}` };
    words.push(query.slice(start, end));
    i = end + 1;
  }
  return { ok: true, words };
}

interface Flags {
  readonly op: '+' | '-' | '=';
  readonly p: boolean;
}

/** ddebug_parse_flags(): `[+-=]` then flag characters. */
function parseFlags(word: string, log: string[]): Flags | undefined {
  const op = word[0];
  if (op !== '+' && op !== '-' && op !== '=') {
    log.push(`dyndbg: bad flag-op ${op ?? ''}, at start of ${word}`);
    return undefined;
  }
  for (const c of word.slice(1)) {
    if (!FLAG_CHARS.includes(c)) {
      log.push(`dyndbg: unknown flag '${c}'`);
      return undefined;
    }
  }
  return { op, p: word.includes('p', 1) };
}

/**
 * ddebug_parse_query(): match-spec pairs, each keyword at most once (check_set). Returns the module
 * the query selects (undefined: every table) and whether it names a class; undefined on error.
 */
function parseQuery(
  words: readonly string[],
  modname: string | null,
  log: string[],
): { module: string | undefined; cls: boolean } | undefined {
  if (words.length % 2 !== 0) {
    log.push('dyndbg: expecting pairs of match-spec <value>');
    return undefined;
  }
  const seen = new Map<string, string>();
  for (let i = 0; i < words.length; i += 2) {
    const keyword = words[i]!;
    const arg = words[i + 1]!;
    if (
      keyword !== 'module' &&
      keyword !== 'class' &&
      !(SITE_KEYWORDS as readonly string[]).includes(keyword)
    ) {
      log.push(`dyndbg: unknown keyword "${keyword}"`);
      return undefined;
    }
    const prev = seen.get(keyword);
    if (prev !== undefined) {
      log.push(`dyndbg: match-spec:${keyword} val:${prev} overridden by ${arg}`);
      return undefined;
    }
    seen.set(keyword, arg);
  }
  // $modname.dyndbg applies to its module unless the query names one.
  return { module: seen.get('module') ?? modname ?? undefined, cls: seen.has('class') };
}

/**
 * ddebug_exec_queries(query, modname): queries separated by `;` or newlines, each
 * `[match-spec value]... flags`; a failing query prints its error lines and the rest still run.
 * With `modname` (a `module.dyndbg` parameter) a query that names no module applies to that module.
 * Returns the dmesg lines.
 */
export function ddebugExecQueries(dd: DynamicDebug, query: string, modname: string | null): string[] {
  const log: string[] = [];
  for (const raw of query.split(/[;\n]/)) {
    const q = raw.trimStart();
    if (q === '' || q.startsWith('#')) continue;
    const t = tokenize(q);
    if (!t.ok) {
      log.push(t.log, 'dyndbg: tokenize failed');
      continue;
    }
    if (t.words.length === 0) {
      log.push('dyndbg: tokenize failed');
      continue;
    }
    const flags = parseFlags(t.words[t.words.length - 1]!, log);
    if (!flags) {
      log.push('dyndbg: flags parse failed');
      continue;
    }
    const problem = dyndbgQueryProblem(q);
    // The scenario validator refuses these; a library caller must not pass them either.
    if (problem) throw new Error(problem);
    const spec = parseQuery(t.words.slice(0, -1), modname, log);
    if (!spec) {
      log.push('dyndbg: query parse failed');
      continue;
    }
    // ddebug_change(): `class NAME` matches only classed call sites; ccp and kvm_amd have none.
    if (spec.cls) continue;
    for (const m of dd.tables) {
      if (spec.module !== undefined && !matchWildcard(spec.module, m)) continue;
      const p =
        flags.op === '='
          ? flags.p
          : flags.op === '+'
            ? dd.print.has(m) || flags.p
            : dd.print.has(m) && !flags.p;
      dd.setPrint(m, p);
    }
  }
  return log;
}

/**
 * ddebug_dyndbg_param_cb(): the `dyndbg` "fake" parameter every module takes; a bare `dyndbg`
 * means `+p`. Returns undefined when `param` is not `dyndbg`.
 */
export function ddebugDyndbgParam(
  dd: DynamicDebug,
  param: string,
  val: string | null,
  modname: string | null,
): string[] | undefined {
  if (param !== 'dyndbg') return undefined;
  return ddebugExecQueries(dd, val ?? '+p', modname);
}

/**
 * dynamic_debug_init() → parse_args("dyndbg params", boot command line, ddebug_dyndbg_boot_param_cb):
 * `dyndbg=QUERY` (every table) and `module.dyndbg=QUERY` (that module), in command-line order, on
 * the tables the boot has: built-in modules only. A loadable module's `module.dyndbg` is applied
 * again when it loads (modprobe passes it on from /proc/cmdline).
 */
export function ddebugBootParams(
  dd: DynamicDebug,
  args: readonly (readonly [string, string | null])[],
): string[] {
  const log: string[] = [];
  for (const [name, val] of args) {
    const dot = name.indexOf('.');
    const modname = dot >= 0 ? name.slice(0, dot) : null;
    const r = ddebugDyndbgParam(dd, dot >= 0 ? name.slice(dot + 1) : name, val, modname);
    if (r) log.push(...r);
  }
  return log;
}

/**
 * Why sevsim cannot decide a query (a match-spec on single call sites), or undefined. Used by the
 * scenario validator; the kernel itself would accept such a query.
 */
export function dyndbgQueryProblem(query: string): string | undefined {
  for (const raw of query.split(/[;\n]/)) {
    const t = tokenize(raw.trimStart());
    if (!t.ok) continue;
    const words = t.words.slice(0, -1);
    for (let i = 0; i < words.length; i += 2) {
      const keyword = words[i]!;
      if ((SITE_KEYWORDS as readonly string[]).includes(keyword))
        return `the dyndbg match-spec "${keyword}" selects single call sites, which sevsim does not model: use "module NAME" or NAME.dyndbg=+p`;
    }
  }
  return undefined;
}
