/**
 * The log reader: kernel logs as people paste them (dmesg with or without timestamps, `dmesg -T`,
 * `dmesg -x` level prefixes, raw `<6>` levels, `/dev/kmsg` records, `journalctl -k` syslog
 * prefixes (short, ISO, monotonic), serial captures with escape codes, CRLF), read chunk by chunk. Only the lines that
 * matter to SEV are kept, so memory stays bounded whatever the size of the input: a 100 MB log is
 * never held whole.
 */
import { isToolLine } from './host-tools';

/** One kept line: its 1-based number in the concatenated input, the line as written, its message. */
export interface LogLine {
  readonly line: number;
  readonly raw: string;
  /** The kernel message with timestamp, level and syslog prefixes removed. */
  readonly text: string;
}

export interface ReadLog {
  /** Every line of the input, kept or not. */
  readonly lines: number;
  /** Lines an SEV diagnosis reads (SEV, SNP, ccp, kvm_amd, AMD-Vi, RMP, boot identity). */
  readonly relevant: readonly LogLine[];
  /** Relevant lines dropped because the cap was reached (never in a real boot log). */
  readonly dropped: number;
  /** Where each input started (for messages): name and first line. */
  readonly sources: readonly { readonly name: string; readonly firstLine: number }[];
}

/** Longest line kept whole; the rest of a longer line is skipped without being buffered. */
export const MAX_LINE = 4096;
/** Relevant lines kept; a boot log has a few dozen, a log flooded by one repeated line more. */
export const MAX_RELEVANT = 20_000;

const PREFIXES: readonly RegExp[] = [
  // /dev/kmsg record: "6,1234,5678901,-;message"
  /^\d+,\d+,\d+,[^;]*;/,
  // raw printk level (dmesg -r): "<6>"
  /^<\d+>/,
  // dmesg -x: "kern  :info  : "
  /^(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local\d)\s*:\s*(?:emerg|alert|crit|err|warn|notice|info|debug)\s*:\s*/,
  // journalctl -k: "Mar 04 12:34:56 host kernel: " or ISO "2025-06-06T10:11:12+0200 host kernel: "
  /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ kernel: /,
  /^\d{4}-\d\d-\d\d[T ][\d:.,]+(?:Z|[+-]\d\d:?\d\d)? \S+ kernel: /,
  // journalctl -k -o short-monotonic: "[  126.228774] host kernel: ", pasted also without the host
  // (AMDSEV#184: "[  126.228774] kernel: ccp 0000:01:00.5: ...")
  /^\[\s*\d+\.\d+\] (?:\S+ )?kernel: /,
  // dmesg timestamp "[    3.141592] " (also "[ 21.301847]")
  /^\[\s*\d+\.\d+\]\s?/,
  // dmesg -T: "[Wed Jun  4 15:09:56 2025] "
  /^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\]\s?/,
];

// ANSI escape sequences and other control characters a serial console leaves in.
const CONTROL = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|[\x00-\x08\x0b-\x1f\x7f]/g;

/** The kernel message of one line: every known prefix removed, in whatever order they stack. */
export function messageOf(raw: string): string {
  let s = raw.replace(CONTROL, '').trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of PREFIXES) {
      const m = p.exec(s);
      if (m && m[0].length > 0) {
        s = s.slice(m[0].length).trimStart();
        changed = true;
      }
    }
  }
  return s;
}

/** What a diagnosis reads; the rest of the log is counted and forgotten. */
const RELEVANT =
  /sev|snp|ccp|kvm_amd|amd-vi|rmp|\bpsp\b|Linux version|Command line:|smpboot: CPU0|\bSMT: (?:Force )?disabled|AMD EPYC|efi: EFI v|Number of encrypted guests|\bCPU: \d+ (?:UID: \d+ )?PID: \d+ Comm: /i;
/** Kernel lines that show the SEV stack at all (`sevctl ok` output is none); a log without one cannot be diagnosed. */
const SEV_RELATED = /sev|snp|ccp|kvm_amd|amd-vi|rmp|\bpsp\b/i;

export function isSevRelated(text: string): boolean {
  return SEV_RELATED.test(text) && !isToolLine(text);
}

/**
 * Incremental reader: `push` chunks (strings or bytes, any split), `next` between inputs,
 * `end` for the result. A line is only buffered up to MAX_LINE characters.
 */
export class LogReader {
  private lineNo = 0;
  private partial = '';
  private overflow = false;
  private pendingCr = false;
  private readonly kept: LogLine[] = [];
  private droppedCount = 0;
  private readonly starts: { name: string; firstLine: number }[] = [];
  private decoder = new TextDecoder('utf-8', { fatal: false });

  /** Start the next input (a file, standard input): a line never spans two inputs. */
  next(name: string): void {
    this.flush();
    this.decoder = new TextDecoder('utf-8', { fatal: false });
    this.starts.push({ name, firstLine: this.lineNo + 1 });
  }

  push(chunk: string | Uint8Array): void {
    const s = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    let from = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // "\r\n" split across two chunks: the "\n" ends nothing new.
      if (c === 10 && i === 0 && this.pendingCr && from === 0) {
        this.pendingCr = false;
        from = 1;
        continue;
      }
      this.append(s.slice(from, i));
      this.endLine();
      if (c === 13 && s.charCodeAt(i + 1) === 10) i++;
      from = i + 1;
    }
    this.pendingCr = s.length > 0 && s.charCodeAt(s.length - 1) === 13;
    this.append(s.slice(from));
  }

  end(): ReadLog {
    this.flush();
    return {
      lines: this.lineNo,
      relevant: this.kept,
      dropped: this.droppedCount,
      sources: this.starts,
    };
  }

  private flush(): void {
    const tail = this.decoder.decode();
    if (tail) this.append(tail);
    if (this.partial.length > 0 || this.overflow) this.endLine();
    this.pendingCr = false;
  }

  private append(s: string): void {
    if (s.length === 0 || this.overflow) return;
    if (this.partial.length + s.length > MAX_LINE) {
      this.partial += s.slice(0, MAX_LINE - this.partial.length);
      this.overflow = true;
      return;
    }
    this.partial += s;
  }

  private endLine(): void {
    this.lineNo++;
    const raw = this.partial;
    this.partial = '';
    this.overflow = false;
    if (!RELEVANT.test(raw)) return;
    const text = messageOf(raw);
    if (!RELEVANT.test(text)) return;
    if (this.kept.length >= MAX_RELEVANT) {
      this.droppedCount++;
      return;
    }
    this.kept.push({ line: this.lineNo, raw, text });
  }
}

/** Read whole texts (one per input, in order). */
export function readLog(
  inputs: string | readonly { readonly name: string; readonly text: string }[],
): ReadLog {
  const r = new LogReader();
  const list = typeof inputs === 'string' ? [{ name: 'log', text: inputs }] : inputs;
  for (const i of list) {
    r.next(i.name);
    r.push(i.text);
  }
  return r.end();
}

/** Read inputs given as byte streams (files, standard input), chunk by chunk. */
export async function readLogStreams(
  inputs: readonly { readonly name: string; readonly stream: AsyncIterable<string | Uint8Array> }[],
): Promise<ReadLog> {
  const r = new LogReader();
  for (const i of inputs) {
    r.next(i.name);
    for await (const chunk of i.stream) r.push(chunk);
  }
  return r.end();
}
