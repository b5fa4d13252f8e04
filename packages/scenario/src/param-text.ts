/**
 * Module parameter values reach the kernel as text (`kvm_amd.ciphertext_hiding_asids=062` on the
 * command line, `modprobe kvm_amd ciphertext_hiding_asids=0x32`), and the kernel parses that text
 * with base 0 (@sevsim/kernel). YAML reads an unquoted `062` as the number 62 and `0x32` as 50,
 * so a number written in any other form than its decimal value is kept as the text the user wrote:
 * the kernel then reads `062` as octal (50), exactly as on a real machine.
 */
import { type Document, isMap, isScalar } from 'yaml';

/** Rewrite, in `value` (the document as plain data), numeric parameter values to their source text. */
export function paramsAsWritten(doc: Document, value: unknown): void {
  const top = value as { kernel?: { params?: unknown }; steps?: unknown[] } | null;
  if (top === null || typeof top !== 'object') return;
  keepText(doc.getIn(['kernel', 'params'], true), top.kernel?.params);
  if (!Array.isArray(top.steps)) return;
  top.steps.forEach((step, i) => {
    keepText(doc.getIn(['steps', i, 'params'], true), (step as { params?: unknown } | null)?.params);
  });
}

function keepText(node: unknown, params: unknown): void {
  if (!isMap(node) || params === null || typeof params !== 'object') return;
  const out = params as Record<string, unknown>;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    const v = pair.value;
    if (key === undefined || !isScalar(v) || typeof v.value !== 'number') continue;
    if (v.source !== undefined && v.source !== String(v.value)) out[key] = v.source;
  }
}
