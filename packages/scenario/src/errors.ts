/**
 * Input errors: every problem in a scenario file, each with the file, line and column and the
 * offending key (docs/contracts/scenario-v1.md "Errors": exit 2, one message per problem, no stack trace).
 */

import { printable } from './printable';

export interface ScenarioError {
  readonly file: string;
  /** 1-based; 0 when the problem is the file itself (unreadable, a directory, ...). */
  readonly line: number;
  /** 1-based; 0 with line 0. */
  readonly col: number;
  /** Dotted path of the offending key (`machine.bios.snp`, `steps[3].vm.create.type`); '' for the file. */
  readonly key: string;
  readonly message: string;
  /** What would have been accepted, when the set is small enough to list. */
  readonly allowed?: readonly string[];
}

/** `file:line:col: key: what is wrong (allowed: …)`, with the input's characters made printable. */
export function formatError(e: ScenarioError): string {
  const where = e.line > 0 ? `${e.file}:${e.line}:${e.col}` : e.file;
  const key = e.key === '' ? '' : `${e.key}: `;
  const allowed = e.allowed && e.allowed.length > 0 ? ` (allowed: ${e.allowed.join(', ')})` : '';
  return printable(`${where}: ${key}${e.message}${allowed}`);
}

/** Errors in reading order (line, then column), as an editor lists them. */
export function sortErrors(errors: readonly ScenarioError[]): ScenarioError[] {
  return [...errors].sort(
    (a, b) => a.line - b.line || a.col - b.col || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

/** Path segments → the key shown in messages: `steps[2].vm.create.id`. */
export function pathKey(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}
