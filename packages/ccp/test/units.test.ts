import { describe, expect, it } from 'vitest';
import {
  CCP_PARAMS,
  E820_TYPE,
  Errno,
  IORES_DESC,
  buildRangeList,
  errnoName,
  firmwareFileNames,
  hostIomemResources,
} from '../src/index';
import { hex } from '../src/psp-device';
import { cpulist } from '../src/snp-x86';
import { parseModuleArgs } from '@sevsim/kernel';

describe('errno (include/uapi/asm-generic/errno*.h, include/linux/errno.h)', () => {
  it('numbers the errnos the references name', () => {
    expect([Errno.EPERM, Errno.EIO, Errno.EBUSY, Errno.ENODEV, Errno.EINVAL, Errno.ENOTTY]).toEqual([
      1, 5, 16, 19, 22, 25,
    ]);
    expect([Errno.EOPNOTSUPP, Errno.ETIMEDOUT, Errno.ENOTSUPP]).toEqual([95, 110, 524]);
  });
  it('names -22 and 22 alike', () => {
    expect(errnoName(-22)).toBe('EINVAL');
    expect(errnoName(22)).toBe('EINVAL');
    expect(errnoName(-524)).toBe('ENOTSUPP');
    expect(errnoName(0)).toBe('OK');
  });
});

describe('module parameters (docs/reference/linux-ccp.md §3.1 "ccp module parameters")', () => {
  it('lists name, type, default and mode as sev-dev.c declares them', () => {
    expect(CCP_PARAMS.map((p) => [p.name, p.type, p.default, p.mode.toString(8)])).toEqual([
      ['psp_cmd_timeout', 'int', 100, '644'],
      ['psp_probe_timeout', 'int', 5, '644'],
      ['init_ex_path', 'charp', null, '444'],
      ['psp_init_on_probe', 'bool', true, '444'],
    ]);
  });
  it("parses `ccp.NAME=value` with the kernel's parsers (kernel/params.c via @sevsim/kernel)", () => {
    const v6_18 = { kstrtoboolEnableDisable: true };
    const r = parseModuleArgs(
      'ccp',
      [
        ['psp_init_on_probe', 'f'],
        ['init_ex_path', '/var/sev_nv'],
        ['psp_cmd_timeout', '0x1e'],
      ],
      CCP_PARAMS,
      v6_18,
    );
    expect(r.rc).toBe(0);
    expect(r.values).toEqual({
      psp_cmd_timeout: 30,
      psp_probe_timeout: 5,
      init_ex_path: '/var/sev_nv',
      psp_init_on_probe: false,
    });
    const bad = parseModuleArgs('ccp', [['psp_init_on_probe', 'maybe']], CCP_PARAMS, v6_18);
    expect(bad.rc).toBe(-Errno.EINVAL);
    expect(bad.log).toEqual(["ccp: `maybe' invalid for parameter `psp_init_on_probe'"]);
  });
});

describe('kernel formatting', () => {
  it('%#x prints 0x0 for zero and a u32 for -1 (AMDSEV#184 "error 0xffffffff")', () => {
    expect(hex(0)).toBe('0x0');
    expect(hex(-1)).toBe('0xffffffff');
    expect(hex(0x18)).toBe('0x18');
  });
  it('%*pbl prints cpumask ranges', () => {
    expect(cpulist([0, 1, 2, 3, 5, 7, 8])).toBe('0-3,5,7-8');
  });
  it('sev_get_firmware() tries the model file, the model-range file, then amd/sev.fw (docs/reference/linux-ccp.md §5.1)', () => {
    expect(firmwareFileNames(0x19, 0x11)).toEqual([
      '/lib/firmware/amd/amd_sev_fam19h_model11h.sbin',
      '/lib/firmware/amd/amd_sev_fam19h_model1xh.sbin',
      '/lib/firmware/amd/sev.fw',
    ]);
  });
  it('Bergamo/Siena (19h/A0h) and Rome (17h/31h) get their own names: linux-firmware ships amd_sev_fam19h_modelaxh.sbin and amd_sev_fam17h_model3xh.sbin', () => {
    expect(firmwareFileNames(0x19, 0xa0).slice(0, 2)).toEqual([
      '/lib/firmware/amd/amd_sev_fam19h_modela0h.sbin',
      '/lib/firmware/amd/amd_sev_fam19h_modelaxh.sbin',
    ]);
    expect(firmwareFileNames(0x17, 0x31)[1]).toBe('/lib/firmware/amd/amd_sev_fam17h_model3xh.sbin');
  });
});

describe('SNP_INIT_EX range list (docs/reference/linux-ccp.md §3.3 step 5, §9.9)', () => {
  it('takes reserved, ACPI-tables and ACPI-NVS resources by the desc/E820 numeric coincidence', () => {
    const list = buildRangeList(hostIomemResources(8));
    expect(list).toEqual([
      { base: 0x9f000, pageCount: 1 },
      { base: 0xa0000, pageCount: 96 },
      { base: 8 * 2 ** 30 - 0x200000, pageCount: 32 },
      { base: 8 * 2 ** 30 - 0x200000 + 0x20000, pageCount: 224 },
    ]);
  });
  it('skips persistent memory: its desc (4) matches none of E820 2/3/7', () => {
    expect(IORES_DESC.PERSISTENT_MEMORY).not.toBe(E820_TYPE.PMEM);
    const pmem = {
      name: 'Persistent Memory',
      start: 0x1_0000_0000,
      end: 0x1_3fff_ffff,
      desc: IORES_DESC.PERSISTENT_MEMORY,
    };
    expect(buildRangeList([pmem])).toEqual([]);
  });
  it('fails -E2BIG once a 256th entry would overflow the page (7.2 off-by-one fix)', () => {
    const many = Array.from({ length: 256 }, (_, i) => ({
      name: 'Reserved',
      start: i * 0x2000,
      end: i * 0x2000 + 0xfff,
      desc: 7,
    }));
    expect(buildRangeList(many.slice(0, 255))).toHaveLength(255);
    expect(buildRangeList(many)).toBe(-Errno.E2BIG);
  });
});
