/**
 * `--host`: the inputs of a diagnosis read from the machine it runs on, read-only: the kernel log
 * (`/dev/kmsg`, else `dmesg`), `/proc/cmdline`, `/proc/cpuinfo` and
 * `/sys/module/{ccp,kvm_amd}/parameters/*`. `root` reads the same paths under a copied tree.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Facts } from './infer';
import { LogReader, type ReadLog } from './reader';

export interface HostInputs {
  readonly log: ReadLog;
  readonly facts: Facts;
  /** What was read, for the report. */
  readonly read: readonly string[];
}

/** /dev/kmsg, one record per read, non-blocking so the end of the buffer ends the loop. */
function readKmsg(path: string, reader: LogReader): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  const buf = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        // EPIPE: a record was overwritten while reading; the next read continues.
        if (code === 'EPIPE') continue;
        throw e;
      }
      if (n === 0) break;
      reader.push(buf.subarray(0, n));
      // A kmsg record has no newline of its own when it fills the read; a file read has them.
      if (buf[n - 1] !== 10) reader.push('\n');
    }
  } finally {
    closeSync(fd);
  }
  return true;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function collectHost(root = '/'): HostInputs {
  const read: string[] = [];
  const reader = new LogReader();
  const kmsg = join(root, 'dev/kmsg');
  reader.next(kmsg);
  if (existsSync(kmsg) && readKmsg(kmsg, reader)) read.push(kmsg);
  else if (root === '/') {
    reader.next('dmesg');
    reader.push(execFileSync('dmesg', [], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));
    read.push('dmesg');
  }
  const cmdline = readText(join(root, 'proc/cmdline'));
  if (cmdline !== undefined) read.push(join(root, 'proc/cmdline'));
  const cpuinfo = readText(join(root, 'proc/cpuinfo'));
  if (cpuinfo !== undefined) read.push(join(root, 'proc/cpuinfo'));
  const parameters: Record<string, Record<string, string>> = {};
  for (const mod of ['ccp', 'kvm_amd']) {
    const dir = join(root, 'sys/module', mod, 'parameters');
    let names: string[] = [];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    const values: Record<string, string> = {};
    for (const n of names) {
      const t = readText(join(dir, n));
      if (t !== undefined) values[n] = t.trim();
    }
    parameters[mod] = values;
    read.push(dir);
  }
  const cpuHead = cpuinfo?.split(/\n\s*\n/)[0];
  return {
    log: reader.end(),
    facts: {
      source: root === '/' ? 'this host' : root,
      ...(cmdline !== undefined ? { cmdline: cmdline.trim() } : {}),
      ...(cpuHead !== undefined ? { cpuinfo: cpuHead } : {}),
      parameters,
    },
    read,
  };
}
