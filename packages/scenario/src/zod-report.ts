/**
 * zod's issues → positioned messages in the words of docs/contracts/scenario-v1.md "Errors": the
 * path of the offending key, what was found and what is allowed.
 */
import { z } from 'zod';
import type { InputPath, Problems } from './yaml-input';

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg as string];
  }
  return v;
}

/** A value as the messages show it: `the string "x"`, `number 3`, `a list`. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** The keys an object schema at `path` accepts (for "unknown key" messages). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType | undefined = schema;
  for (const seg of [...path, undefined]) {
    while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    if (seg === undefined) break;
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[seg as string];
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else return [];
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/** Unknown keys of one map listed before the rest are counted in one line. */
const MAX_UNKNOWN_KEYS_LISTED = 20;

export function reportZod(
  issues: readonly z.core.$ZodIssue[],
  base: InputPath,
  root: unknown,
  schema: z.ZodType,
  problems: Problems,
): void {
  for (const issue of issues) {
    const rel = issue.path as PropertyKey[];
    const path: InputPath = [...base, ...rel.map((p) => (typeof p === 'number' ? p : String(p)))];
    const value = valueAt(root, rel);
    switch (issue.code) {
      case 'unrecognized_keys': {
        // Listed one per line up to a cap; a file of thousands of stray keys gets one more line.
        const allowed = keysAt(schema, rel);
        for (const k of issue.keys.slice(0, MAX_UNKNOWN_KEYS_LISTED)) {
          problems.add([...path, k], 'unknown key', { target: 'key', allowed });
        }
        const more = issue.keys.length - MAX_UNKNOWN_KEYS_LISTED;
        if (more > 0) problems.add(path, `${more} more unknown keys not listed`, { target: 'key', allowed });
        break;
      }
      case 'invalid_type':
        if (value === undefined) problems.add(path, 'required key is missing', { target: 'key' });
        else problems.add(path, `expected ${article(issue.expected)}, got ${describe(value)}`);
        break;
      case 'invalid_value':
        problems.add(path, `${describe(value)} is not allowed`, {
          allowed: issue.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
        });
        break;
      case 'too_small':
        problems.add(
          path,
          issue.origin === 'string' || issue.origin === 'array'
            ? 'must not be empty'
            : `${describe(value)} is out of range: must be ≥ ${String(issue.minimum)}`,
        );
        break;
      case 'too_big':
        problems.add(path, `${describe(value)} is out of range: must be ≤ ${String(issue.maximum)}`);
        break;
      case 'invalid_format':
        problems.add(path, `${describe(value)}: ${issue.message}`);
        break;
      case 'invalid_union': {
        const keywords = booleanOrKeywords(issue.errors);
        problems.add(
          path,
          keywords
            ? `expected true, false or ${keywords.map((k) => `"${k}"`).join(', ')}, got ${describe(value)}`
            : `${describe(value)} is not allowed here`,
        );
        break;
      }
      default:
        problems.add(path, issue.message);
    }
  }
}

/** A `true | false | "keyword"` union (`bios.smee: auto`): its keywords, so the message can list them. */
function booleanOrKeywords(branches: readonly (readonly z.core.$ZodIssue[])[]): string[] | undefined {
  const keywords: string[] = [];
  let hasBoolean = false;
  for (const b of branches) {
    const i = b[0];
    if (b.length !== 1 || i === undefined || i.path.length !== 0) return undefined;
    if (i.code === 'invalid_type' && i.expected === 'boolean') hasBoolean = true;
    else if (i.code === 'invalid_value' && i.values.every((v) => typeof v === 'string'))
      keywords.push(...(i.values as string[]));
    else return undefined;
  }
  return hasBoolean && keywords.length > 0 ? keywords : undefined;
}

function article(t: string): string {
  const names: Record<string, string> = {
    number: 'a number',
    int: 'an integer',
    string: 'a string',
    boolean: 'true or false',
    object: 'a map',
    array: 'a list',
    null: 'nothing',
  };
  return names[t] ?? t;
}
