import { describe, expect, test } from 'vitest';
import { createMachine, FIRST_ALLOC_PFN, Fork, HardwareAccessError, MSR, SYSCFG } from '@sevsim/hardware';

const machine = (cpu: 'genoa' | 'turin' = 'genoa') => createMachine({ cpu, cores: 1, memoryGiB: 1 });

function setSnpEn(m: ReturnType<typeof machine>): void {
  for (const c of m.cores) {
    m.wrmsr(c.id, MSR.SYSCFG, m.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.MFDM);
    m.wrmsr(c.id, MSR.SYSCFG, m.rdmsr(c.id, MSR.SYSCFG) | SYSCFG.SNP_EN | SYSCFG.VMPL_EN);
  }
}

describe('host write RMP check (docs/reference/psp-firmware.md §5.5)', () => {
  test('assigned page → rmp-fault once SNPEn is set; HYPERVISOR and HV_FIXED stay writable', () => {
    const m = machine();
    const pfn = m.allocPages(3);
    m.rmp.rmpupdate(pfn, { assigned: true, immutable: true });
    m.rmp.fwSetEntry(pfn + 1, {
      assigned: false,
      pageSize: '4K',
      immutable: true,
      gpa: 0,
      asid: 0,
      vmsa: false,
      validated: false,
    });
    expect(m.hostWrite(pfn * 4096)).toBe('ok'); // no RMP checks before SNPEn
    setSnpEn(m);
    expect(m.hostWrite(pfn * 4096 + 8)).toBe('rmp-fault');
    expect(m.hostWrite((pfn + 1) * 4096)).toBe('ok');
    expect(m.hostWrite((pfn + 2) * 4096)).toBe('ok');
  });

  test('a 4K page inside an assigned 2M entry faults too', () => {
    const m = machine();
    setSnpEn(m);
    m.rmp.rmpupdate(0x2000, { assigned: true, immutable: false, asid: 4, pageSize: '2M' });
    expect(m.hostWrite((0x2000 + 300) * 4096)).toBe('rmp-fault');
  });
});

describe('host read of guest memory (docs/reference/psp-firmware.md §6, addendum)', () => {
  test('plaintext for host pages, ciphertext for guest pages, 0xFF with ciphertext hiding for SNP ASIDs', () => {
    const m = machine('turin');
    const [host, snp, es] = [m.allocPages(1), m.allocPages(1), m.allocPages(1)];
    m.rmp.rmpupdate(snp, { assigned: true, immutable: false, asid: 5 });
    m.fwEncryptPages(snp, 1, 5);
    m.fwEncryptPages(es, 1, 60); // SEV-ES guest page: key-encrypted, not RMP-assigned
    expect(m.hostRead(host * 4096)).toBe('plaintext');
    expect(m.hostRead(snp * 4096)).toBe('ciphertext');
    m.fwSetCiphertextHiding(true, 50);
    expect(m.memoryController).toMatchObject({ ciphertextHiding: true, maxSnpAsid: 50 });
    expect(m.hostRead(snp * 4096)).toBe('ff');
    expect(m.hostRead(es * 4096)).toBe('ciphertext');
    expect(m.hostRead(host * 4096)).toBe('plaintext');
    m.fwSetCiphertextHiding(true, 4);
    expect(m.hostRead(snp * 4096)).toBe('ciphertext'); // ASID 5 > MAX_SNP_ASID 4
  });

  test('ciphertext hiding cannot be switched on without the BIOS capability', () => {
    const m = machine('genoa');
    expect(m.memoryController.ciphertextHidingCapable).toBe(false);
    expect(() => m.fwSetCiphertextHiding(true, 10)).toThrow(HardwareAccessError);
  });

  test('keys: install, wipe; pageKey reports the key a page is encrypted with', () => {
    const m = machine();
    m.fwInstallKey(7);
    m.fwInstallKey(3);
    expect(m.snapshot().keys).toEqual([3, 7]);
    m.fwWipeKeys();
    expect(m.memoryController.keys.size).toBe(0);
    const pfn = m.allocPages(2);
    m.fwEncryptPages(pfn, 2, 7);
    expect([m.pageKey(pfn), m.pageKey(pfn + 1), m.pageKey(pfn + 2)]).toEqual([7, 7, 0]);
    expect(() => m.fwInstallKey(0)).toThrow(/ASID 0/);
  });
});

describe('physical memory', () => {
  test('readPhys returns zeros where never written; writePhys crosses page boundaries', () => {
    const m = machine();
    const pa = m.allocPages(2) * 4096 + 4090;
    expect(m.readPhys(pa, 4)).toEqual(new Uint8Array(4));
    m.writePhys(pa, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect([...m.readPhys(pa + 4, 6)]).toEqual([5, 6, 7, 8, 9, 10]);
    expect(() => m.readPhys(2 ** 30 - 2, 4)).toThrow(HardwareAccessError);
  });

  test('writePhys over an encrypted page leaves host data (key 0)', () => {
    const m = machine();
    const pfn = m.allocPages(1);
    m.fwEncryptPages(pfn, 1, 2);
    m.writePhys(pfn * 4096, new Uint8Array(16));
    expect(m.pageKey(pfn)).toBe(0);
  });

  test('allocPages is a deterministic bump allocator: same config, same PFNs', () => {
    const run = () => {
      const m = createMachine({ cpu: 'genoa', memoryGiB: 2 });
      return [m.iommu.logPages, m.allocPages(1), m.allocPages(4, 512), m.allocPages(1)];
    };
    const a = run();
    expect(run()).toEqual(a);
    // IOMMU logs first (event 2, PPR 2, completion-wait 1 pages), from 1 MB up.
    expect(a[0]).toEqual([
      FIRST_ALLOC_PFN,
      FIRST_ALLOC_PFN + 1,
      FIRST_ALLOC_PFN + 2,
      FIRST_ALLOC_PFN + 3,
      FIRST_ALLOC_PFN + 4,
    ]);
    expect(a[1]).toBe(FIRST_ALLOC_PFN + 5);
    expect(a[2]).toBe(512);
    expect(a[3]).toBe(516);
  });

  test('forks of the machine read and write DRAM independently: pages and their 64-byte chunks are shared until written, by either side (docs/architecture.md, forks)', () => {
    const base = machine().allocPages(4) * 4096;
    // Writes that start and end inside a chunk, cross chunks and cross a page, against one byte
    // array per copy as the reference.
    let copies = [{ m: machine(), ref: new Uint8Array(4 * 4096) }];
    let seed = 7;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let step = 0; step < 400; step++) {
      const x = copies[next(copies.length)]!;
      if (next(5) === 0) {
        if (copies.length < 4) copies.push({ m: x.m.fork(new Fork()), ref: x.ref.slice() });
        else copies = copies.slice(1);
        continue;
      }
      const off = next(4 * 4096 - 200);
      const bytes = Uint8Array.from({ length: 1 + next(150) }, () => 1 + next(255));
      x.m.writePhys(base + off, bytes);
      x.ref.set(bytes, off);
      for (const c of copies) expect(Buffer.from(c.m.readPhys(base, 4 * 4096)).equals(c.ref)).toBe(true);
    }
  });

  test('allocPages stops below the BIOS-reserved RMP', () => {
    const m = createMachine({ cpu: 'genoa', cores: 1, memoryGiB: 1 });
    expect(m.maxPfn * 4096).toBe(m.rmp.base);
    expect(() => m.allocPages(m.maxPfn)).toThrow(/out of host memory/);
  });
});

describe('IOMMU and snapshot', () => {
  test('firmware toggles SNP enforcement; snapshot is JSON-able', () => {
    const m = createMachine({ cpu: 'genoa', cores: 1, memoryGiB: 1 });
    expect(m.iommu).toMatchObject({ mode: 'translated', snpCapable: true, snpEnforced: false });
    m.fwSetIommuSnpEnforcement(true);
    expect(m.iommu.snpEnforced).toBe(true);
    const s = m.snapshot();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.iommu).toEqual({ mode: 'translated', snpEnforced: true });
    expect(s.rmp.counts.HYPERVISOR).toBe(s.rmp.coveredPages);
  });
});
