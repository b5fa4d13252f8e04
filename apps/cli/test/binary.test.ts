/**
 * The built `sevsim` process and its streams (issue 13 "CLI conventions", clig.dev): a reader
 * that goes away (`| head -1`) ends the output quietly with the command's own exit status; a
 * standard output that cannot be written (`> /dev/full`) is one line on stderr and exit 2. Runs
 * dist/sevsim.js, which turbo builds before this package's tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../dist/sevsim.js');
const EX = join(import.meta.dirname, '../../../examples');
const PASSING = join(EX, 'sev-init-then-snp-init-fails.yaml');

/** `bash -c` so the pipe and redirection are the shell's, as a user types them; PIPESTATUS[0] is sevsim's. */
function sh(script: string) {
  const r = spawnSync('bash', ['-c', `${script}; echo "status=\${PIPESTATUS[0]}" >&2`], {
    env: { ...process.env, BIN, NO_COLOR: '1' },
    encoding: 'utf8',
  });
  const status = Number(/status=(\d+)\n$/.exec(r.stderr)?.[1]);
  return { status, stdout: r.stdout, stderr: r.stderr.replace(/status=\d+\n$/, '') };
}

describe('sevsim as a process: closed pipes and full disks', () => {
  it('dist/sevsim.js is built (turbo runs build before test)', () => {
    expect(existsSync(BIN), `${BIN} missing: run the build first`).toBe(true);
  });

  it('run … | head -1: the first line, no stack trace, exit 0 as the run passed', () => {
    const r = sh(`node "$BIN" run ${PASSING} | head -1`);
    expect(r.stdout).toBe('sev-init-then-snp-init-fails  ' + PASSING + '\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('a large output into a pipe closed at once (run --json of every example | true): quiet, same status', () => {
    const r = sh(`node "$BIN" run --json ${EX}/*.yaml | true`);
    expect(r.stderr).toBe('');
    const full = sh(`node "$BIN" run --json ${EX}/*.yaml > /dev/null`);
    expect(r.status).toBe(full.status);
  });

  it('> /dev/full: one line naming the problem, exit 2', () => {
    for (const argv of [`run ${PASSING}`, `run --json ${PASSING}`, `completion bash`]) {
      const r = sh(`node "$BIN" ${argv} > /dev/full`);
      expect(r.stderr, argv).toBe('sevsim: cannot write standard output: no space left on device\n');
      expect(r.status, argv).toBe(2);
    }
  });
});
