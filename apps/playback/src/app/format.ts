/** Small text formats the panels share. */

/** A firmware status or command id as the kernel prints it; negative ones (Linux's
 *  SEV_RET_NO_FW_CALL, -1) stay decimal. */
export const hex2 = (n: number): string =>
  n < 0 ? String(n) : `0x${n.toString(16).toUpperCase().padStart(2, '0')}`;

/** Sorted ASIDs as compact ranges: [1, 2, 3, 7] → "1–3, 7"; none → "—". */
export function asidRanges(asids: readonly number[]): string {
  const sorted = [...asids].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return parts.length ? parts.join(', ') : '—';
}

/** A JSON value as one line of text. */
export function showValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** KVM_CAP_VM_TYPES bit numbers (docs/reference/linux-kvm-amd.md §2.4). */
export const VM_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'KVM_X86_DEFAULT_VM',
  1: 'KVM_X86_SW_PROTECTED_VM',
  2: 'KVM_X86_SEV_VM',
  3: 'KVM_X86_SEV_ES_VM',
  4: 'KVM_X86_SNP_VM',
};
