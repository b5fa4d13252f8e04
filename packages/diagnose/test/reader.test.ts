/**
 * The log reader on logs as people paste them. The same kernel lines (AMDSEV#189's, verbatim)
 * in every format the contract lists must read to the same messages; chunk boundaries anywhere
 * (inside a line, inside CRLF, inside a UTF-8 sequence) must not change the result.
 */
import { describe, expect, it } from 'vitest';
import {
  DiagnoseInputError,
  diagnose,
  LogReader,
  MAX_LINE,
  messageOf,
  NO_SEV_LINES,
  readLog,
} from '../src/index';

const MESSAGES = [
  'ccp 0000:42:00.1: sev enabled',
  'ccp 0000:42:00.1: SEV-SNP: failed to INIT rc -5, error 0x3',
  'ccp 0000:42:00.1: SEV: failed to INIT error 0x1, rc -5',
  'kvm_amd: SEV enabled (ASIDs 100 - 509)',
];

const FORMATS: Record<string, (m: string, i: number) => string> = {
  plain: (m) => m,
  dmesg: (m, i) => `[   11.70213${i}] ${m}`,
  'dmesg -T': (m) => `[Fri Oct  6 10:11:12 2023] ${m}`,
  'dmesg -x': (m) => `kern  :info  : [   11.652294] ${m}`,
  'dmesg -r': (m) => `<6>[   11.652294] ${m}`,
  'journalctl -k': (m) => `Oct 06 10:11:12 r7515 kernel: ${m}`,
  'journalctl -k -o short-iso': (m) => `2023-10-06T10:11:12+0200 r7515 kernel: ${m}`,
  'journalctl -k -o short-monotonic': (m) => `[   11.702131] r7515 kernel: ${m}`,
  // As AMDSEV#184's second report pasted it: the monotonic timestamp, no host.
  'journalctl -k -o short-monotonic, host cut': (m) => `[  126.228774] kernel: ${m}`,
  '/dev/kmsg': (m, i) => `6,${1000 + i},11702131,-;${m}`,
  serial: (m) => `\x1b[0m\x1b[33m[   11.702131] ${m}\x1b[0m`,
};

describe('reader', () => {
  for (const [name, fmt] of Object.entries(FORMATS)) {
    for (const eol of ['\n', '\r\n']) {
      it(`reads ${name} with ${eol === '\n' ? 'LF' : 'CRLF'}`, () => {
        const text = ['unrelated: usb 1-1: new device', ...MESSAGES.map(fmt), 'EXT4-fs mounted'].join(eol);
        const log = readLog(text);
        expect(log.lines).toBe(MESSAGES.length + 2);
        expect(log.relevant.map((l) => l.text)).toEqual(MESSAGES);
        expect(log.relevant.map((l) => l.line)).toEqual([2, 3, 4, 5]);
      });
    }
  }

  it('gives the same result whatever the chunk boundaries (bytes, CRLF and UTF-8 split)', () => {
    const text = `${MESSAGES.map(FORMATS.dmesg!).join('\r\n')}\r\nccp 0000:42:00.1: SEV API:1.55 build:7 — naïve ✓\r\n`;
    const whole = readLog(text);
    const bytes = new TextEncoder().encode(text);
    const r = new LogReader();
    r.next('stdin');
    for (let i = 0; i < bytes.length; i++) r.push(bytes.subarray(i, i + 1));
    const split = r.end();
    expect(split.relevant).toEqual(whole.relevant);
    expect(split.lines).toBe(whole.lines);
  });

  it('numbers lines across several inputs in order, a line never spanning two', () => {
    const log = readLog([
      { name: 'boot.log', text: 'Linux version 6.15.0-sev-snp-amd64 (x)\nunrelated' },
      { name: 'later.log', text: 'ccp 0000:42:00.1: sev enabled' },
    ]);
    expect(log.sources).toEqual([
      { name: 'boot.log', firstLine: 1 },
      { name: 'later.log', firstLine: 3 },
    ]);
    expect(log.relevant.map((l) => l.line)).toEqual([1, 3]);
  });

  it('keeps at most MAX_LINE characters of a huge line and goes on with the next', () => {
    const r = new LogReader();
    r.next('huge');
    r.push('ccp 0000:42:00.1: ');
    for (let i = 0; i < 100; i++) r.push('x'.repeat(100_000));
    r.push('\nkvm_amd: SEV enabled (ASIDs 100 - 509)\n');
    const log = r.end();
    expect(log.lines).toBe(2);
    expect(log.relevant[0]!.raw.length).toBe(MAX_LINE);
    expect(log.relevant[1]!.text).toBe('kvm_amd: SEV enabled (ASIDs 100 - 509)');
  });

  it('strips stacked prefixes: journalctl around a dmesg timestamp', () => {
    expect(messageOf('Jun 06 10:00:01 host kernel: [    3.905403] ccp 0000:22:00.1: sev enabled')).toBe(
      'ccp 0000:22:00.1: sev enabled',
    );
  });
});

describe('a log without SEV lines', () => {
  it('is an input error naming the lines needed and how to collect them', () => {
    const err = (() => {
      try {
        diagnose('usb 1-1: new high-speed USB device\nEXT4-fs (sda1): mounted filesystem\n');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DiagnoseInputError);
    expect((err as Error).message).toBe(NO_SEV_LINES);
    expect(NO_SEV_LINES).toContain("dmesg | grep -iE 'sev|snp|ccp|kvm_amd|AMD-Vi|rmp");
    expect(NO_SEV_LINES).toMatch(/command line/);
    expect(NO_SEV_LINES).toMatch(/CPU model/);
  });
});
