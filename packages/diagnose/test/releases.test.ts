/**
 * Which modelled release a log's kernel replays on (src/infer.ts nearestRelease): the newest modelled
 * release not after it, else the oldest. With 6.11–6.13 modelled (docs/reference/linux-kvm-amd.md §7.1),
 * the releases most public SNP host logs come from replay on themselves.
 */
import { defaultCatalog } from '@sevsim/scenario';
import { describe, expect, it } from 'vitest';
import { diagnose, nearestRelease, readLog } from '../src/index';

const releases = defaultCatalog().releases;

describe('nearestRelease over the modelled releases', () => {
  it('6.11, 6.12 and 6.13 replay on themselves, a point release (AMDSEV#271: 6.13.1) on its release', () => {
    expect(nearestRelease('6.11', releases)).toBe('6.11');
    expect(nearestRelease('6.13.1', releases)).toBe('6.13');
    expect(nearestRelease('6.12', releases)).toBe('6.12');
    expect(nearestRelease('6.13', releases)).toBe('6.13');
  });

  it('kernels before 6.11 (the SNP host trees of AMDSEV#154 and #189: 6.1, 6.5) replay on 6.11, the oldest', () => {
    expect(nearestRelease('6.1', releases)).toBe('6.11');
    expect(nearestRelease('6.5', releases)).toBe('6.11');
    expect(nearestRelease('5.14', releases)).toBe('6.11');
  });

  it('a release between modelled ones takes the newest before it; after 7.2, 7.2', () => {
    expect(nearestRelease('6.15', releases)).toBe('6.15');
    expect(nearestRelease('6.19', releases)).toBe('6.18');
    expect(nearestRelease('7.3', releases)).toBe('7.2');
  });
});

/**
 * Pasted logs often hold a WARN or oops dump and no `Linux version` line; the dump's header
 * (lib/dump_stack.c dump_stack_print_info(): "CPU: %d UID: %u PID: %d Comm: %.20s %s%s %s %.*s"
 * with print_tainted() and the release) names the release. 6.14 added "UID:"; a tainted kernel
 * prints its taint letters before the release. A `Linux version` line wins wherever it stands.
 */
describe('the release from a stack dump header', () => {
  const SEV = '[   14.010326] ccp 0000:03:00.5: SEV firmware updated from 1.55.32 to 1.55.37';
  const release = (lines: string[]) =>
    diagnose(readLog(lines.join('\n'))).json.inferred.find((x) => x.path === 'kernel.version');

  it('6.14+ header (lore, ae4dma report): "CPU: 0 UID: 0 PID: 8 Comm: kworker/0:0 Not tainted 6.14.0-rc3…"', () => {
    const r = release([
      '[   13.870123] CPU: 0 UID: 0 PID: 8 Comm: kworker/0:0 Not tainted 6.14.0-rc3-traits-009-bench+ #32',
      SEV,
    ]);
    expect([r?.value, r?.from?.line, r?.assumed]).toEqual(['6.14', 1, undefined]);
  });

  it('an older, tainted header: "CPU: 12 PID: 4242 Comm: qemu-system-x86 Tainted: G        W          6.12.9 #1"', () => {
    const r = release([
      '[  500.1] CPU: 12 PID: 4242 Comm: qemu-system-x86 Tainted: G        W          6.12.9 #1',
      SEV,
    ]);
    expect(r?.value).toBe('6.12');
  });

  it('a Linux version line after the dump still names the release', () => {
    const r = release([
      '[   13.870123] CPU: 0 UID: 0 PID: 8 Comm: kworker/0:0 Not tainted 6.14.0-rc3 #32',
      SEV,
      '[    0.000000] Linux version 6.16.2 (builder@host) (gcc 14) #1 SMP',
    ]);
    expect([r?.value, r?.from?.line]).toEqual(['6.16', 3]);
  });
});
