/**
 * A fast-check arbitrary that generates JSON values from a JSON Schema: the subset
 * `schema/scenario-v1.schema.json` uses (type, const, enum, properties, required,
 * additionalProperties, propertyNames, items, minItems, uniqueItems, anyOf, oneOf, pattern,
 * minLength, minimum, maximum, $ref into $defs). It follows the schema's structure; the conditional
 * keywords (if/then/else, allOf, not, dependentSchemas, contains) are left to the validators, but
 * for an `allOf` of `if: {properties: {K: {const: V}}}` / `then: {properties}` it also makes
 * objects of one branch (a raw `psp` command with its own buffer fields). The values it makes are
 * the near-valid files both validators must judge alike. Optional keys are
 * left out more often than not, and strings that a pattern allows come from a few short words
 * when one fits, so that files stay small and names meet (a VM created and then used).
 */
import fc from 'fast-check';

type Schema = boolean | { readonly [k: string]: unknown };
type Obj = { readonly [k: string]: unknown };

/** How many list items at most: small files, so that rules meet. */
const MAX_ITEMS = 5;
/** Out of 4: how often an optional key is present. */
const OPTIONAL_WEIGHT = 1;
/** Short strings tried first for a `pattern` (VM ids, versions, numbers as text). */
const WORDS = ['a', 'b', '0', '1', '0x1', '1.55.25', '1.51.3', '0.0.0'];
const ABSENT = Symbol('absent');

/** The next integer a double can hold above `x` (past 2^53 doubles are 2^k apart). */
const nextAbove = (x: number) => x + Math.max(1, 2 ** (Math.floor(Math.log2(Math.abs(x) || 1)) - 52));

export function arbitraryOf(root: Obj): fc.Arbitrary<unknown> {
  const defs = (root.$defs ?? {}) as Record<string, Schema>;
  const cache = new Map<Schema, fc.Arbitrary<unknown>>();

  function of(s: Schema): fc.Arbitrary<unknown> {
    if (s === true) return fc.jsonValue({ maxDepth: 1 });
    if (s === false) return fc.constant(undefined);
    let a = cache.get(s);
    if (a === undefined) {
      a = build(s);
      cache.set(s, a);
    }
    return a;
  }

  function build(s: Obj): fc.Arbitrary<unknown> {
    if (typeof s.$ref === 'string') {
      const name = s.$ref.replace(/^#\/\$defs\//, '');
      const target = defs[name];
      if (target === undefined) throw new Error(`$ref ${s.$ref}: no such $defs entry`);
      return fc.constant(null).chain(() => of(target));
    }
    if ('const' in s) return fc.constant(s.const);
    if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
    const alts = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
    if (alts) return fc.oneof(...alts.map(of));
    const types = Array.isArray(s.type) ? (s.type as string[]) : s.type ? [s.type as string] : [];
    if (types.length > 1) return fc.oneof(...types.map((t) => build({ ...s, type: t })));
    switch (types[0]) {
      case 'object':
        return object(s);
      case 'array': {
        const item = s.items === undefined ? of(true) : of(s.items as Schema);
        const size = {
          minLength: (s.minItems as number | undefined) ?? 0,
          maxLength: Math.max(MAX_ITEMS, (s.minItems as number | undefined) ?? 0),
        };
        return s.uniqueItems === true
          ? fc.uniqueArray(item, { ...size, selector: (v) => JSON.stringify(v) })
          : fc.array(item, size);
      }
      case 'string': {
        if (typeof s.pattern !== 'string')
          return fc.string({ minLength: (s.minLength as number | undefined) ?? 0, maxLength: 8 });
        const re = new RegExp(s.pattern, 'u');
        const words = WORDS.filter((w) => re.test(w));
        const any = fc.stringMatching(re);
        return words.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...words) }, any) : any;
      }
      case 'integer':
        return integer(s);
      case 'number':
        return fc.oneof(integer(s), fc.double({ noNaN: true, noDefaultInfinity: true }));
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      default:
        return of(true);
    }
  }

  /**
   * Integers within the bounds, with the bounds and small values likely, and now and then the
   * first value past a bound the schema gives (both validators must refuse it). Where the schema
   * gives no bound, far values the schema therefore accepts (±2^32, 2^53 − 1) come too: a bound
   * only the validator has would otherwise never be met.
   */
  function integer(s: Obj): fc.Arbitrary<number> {
    const lo = (s.minimum as number | undefined) ?? -1000;
    const hi = (s.maximum as number | undefined) ?? 1000;
    const [safeLo, safeHi] = [Math.max(lo, Number.MIN_SAFE_INTEGER), Math.min(hi, Number.MAX_SAFE_INTEGER)];
    const past = [
      ...(s.minimum !== undefined ? [-nextAbove(-lo)] : []),
      ...(s.maximum !== undefined ? [nextAbove(hi)] : []),
    ];
    const far = [
      ...(s.minimum === undefined ? [-(2 ** 32)] : []),
      ...(s.maximum === undefined ? [2 ** 32, Number.MAX_SAFE_INTEGER] : []),
    ];
    return fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(lo, hi, ...far) },
      { weight: 2, arbitrary: fc.integer({ min: safeLo, max: Math.min(safeHi, safeLo + 16) }) },
      { weight: 2, arbitrary: fc.integer({ min: safeLo, max: safeHi }) },
      ...(past.length > 0 ? [{ weight: 1, arbitrary: fc.constantFrom(...past) }] : []),
    );
  }

  /** The keys of `props` (those in `required` always, the others now and then). */
  function keys(props: Record<string, Schema>, required: ReadonlySet<string>) {
    return fc
      .record(
        Object.fromEntries(
          Object.entries(props).map(([k, p]) => [
            k,
            required.has(k)
              ? of(p)
              : fc.oneof(
                  { weight: 4 - OPTIONAL_WEIGHT, arbitrary: fc.constant(ABSENT) },
                  { weight: OPTIONAL_WEIGHT, arbitrary: of(p) },
                ),
          ]),
        ),
      )
      .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== ABSENT)));
  }

  /**
   * `allOf: [{if: {properties: {K: {const: V}}}, then: {properties}}, …]` (a raw `psp` step's
   * fields per command): pick one branch and give K its value and some of that branch's keys.
   */
  function branches(s: Obj): fc.Arbitrary<Record<string, unknown>>[] {
    const out: fc.Arbitrary<Record<string, unknown>>[] = [];
    for (const c of (s.allOf ?? []) as Obj[]) {
      const cond = (c.if as Obj | undefined)?.properties as Record<string, Obj> | undefined;
      const then = c.then as Obj | undefined;
      const [k, only] = Object.entries(cond ?? {})[0] ?? [];
      if (k === undefined || !only || !('const' in only) || !then?.properties) continue;
      const more = keys(then.properties as Record<string, Schema>, new Set());
      out.push(more.map((m) => ({ ...m, [k]: only.const })));
    }
    return out;
  }

  function object(s: Obj): fc.Arbitrary<unknown> {
    const named = keys(
      (s.properties ?? {}) as Record<string, Schema>,
      new Set((s.required ?? []) as string[]),
    );
    const extra = s.additionalProperties;
    if (extra === undefined || extra === false) return named;
    const names = s.propertyNames
      ? (of(s.propertyNames as Schema) as fc.Arbitrary<string>)
      : fc.string({ minLength: 1, maxLength: 6 });
    const more = fc.dictionary(names, of(extra as Schema), { maxKeys: 3 });
    const free = fc.tuple(named, more).map(([a, b]) => ({ ...b, ...a }));
    const picked = branches(s);
    if (picked.length === 0) return free;
    return fc.oneof(
      free,
      fc.tuple(named, fc.oneof(...picked)).map(([a, b]) => ({ ...a, ...b })),
    );
  }

  return of(root);
}
