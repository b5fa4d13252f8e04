/**
 * Which modelled release a log's kernel replays on (src/infer.ts nearestRelease): the newest modelled
 * release not after it, else the oldest. With 6.11–6.13 modelled (docs/reference/linux-kvm-amd.md §7.1),
 * the releases most public SNP host logs come from replay on themselves.
 */
import { defaultCatalog } from '@sevsim/scenario';
import { describe, expect, it } from 'vitest';
import { nearestRelease } from '../src/index';

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
