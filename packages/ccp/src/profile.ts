/**
 * One field per behavioural difference of sev-dev.c between kernel releases. The release table
 * itself (which release sets which field) lives in @sevsim/kvm-amd, the top Linux package.
 */
export interface CcpProfile {
  /** ≤6.15: sev_pci_init calls sev_platform_init(probe=true) (docs/reference/linux-ccp.md §3.1 step 4). */
  readonly initOnProbe: boolean;
  /** 6.16+: an SNP init failure other than -ENODEV aborts legacy init (docs/reference/linux-ccp.md §3.2 step 4, docs/reference/linux-ccp.md §9.3). */
  readonly snpFailureAbortsLegacy: boolean;
  /**
   * Where SNPEn/MFDM/HSAVE_PA are prepared (docs/reference/linux-ccp.md §3.3 step 4):
   * 'boot' ≤7.0 (the kernel's hostSnpBoot did it); 'snp-init' 7.1 snp_prepare() at SNP init with its
   * return value ignored; 'snp-init-checked' 7.2 return checked and offline CPUs refused. Both
   * snp-init forms set SNPEn before clearing HSAVE_PA (docs/reference/linux-ccp.md §7.5).
   */
  readonly snpPrepare: 'boot' | 'snp-init' | 'snp-init-checked';
  /** 7.1+: SNP_SHUTDOWN_EX x86 bit when FEATURE_INFO ECX bit1; snp_shutdown() clears RMP (docs/reference/linux-ccp.md §4.3). */
  readonly x86SnpShutdown: boolean;
  /** 6.18+: max_snp_asid in SNP_INIT_EX; sev_is_snp_ciphertext_hiding_supported (docs/reference/linux-ccp.md §6). */
  readonly ciphertextHiding: boolean;
  /**
   * /dev/sev implicit init (docs/reference/linux-ccp.md §3.8): ≤6.15 'legacy-persistent' (legacy init, no shutdown; SNP ioctls
   * need SNP initialised, else -EINVAL); 6.16–7.1 'full' (_sev_platform_init_locked incl. SNP,
   * error replaced by 0x1, then shutdown; SNP ioctls init/shut down SNP); 7.2 'legacy-only'.
   */
  readonly ioctlImplicitInit: 'legacy-persistent' | 'full' | 'legacy-only';
  /** Before the Jan 2026 fix the SNP_PLATFORM_STATUS ioctl initialised SNP (docs/reference/linux-ccp.md §1.2, docs/reference/linux-ccp.md §3.8). */
  readonly snpStatusImplicitInit: boolean;
  /** 7.2: sev_firmware_supported_vm_types() (docs/reference/linux-ccp.md §3.5). */
  readonly firmwareVmTypes: boolean;
  /** 7.2: SNP_SET_CONFIG / SNP_VLEK_LOAD -ENODEV unless SNP initialised; SNP_COMMIT without init (docs/reference/linux-ccp.md §3.8). */
  readonly snpIoctlsNeedInit: boolean;
  /** sev_platform_init returns 0 under kdump (docs/reference/linux-ccp.md §3.2 step 2). */
  readonly kdumpSkip: boolean;
  /** [PENDING] patch `sev-fw-upload`: SNP_DOWNLOAD_FIRMWARE_EX live update (docs/reference/linux-ccp.md §5.2). */
  readonly fwUpload: boolean;
  /** ≤6.15 wording where it differs (e.g. "SEV-SNP: failed to INIT rc %d, error %#x"). */
  readonly legacyLogFormat: boolean;
  /**
   * ≤6.16: a failed DF_FLUSH after a successful legacy INIT hands its status back through
   * `error`; 6.17+ logs it only and `error` keeps INIT's status (0fa766726c09, "crypto: ccp - Fix
   * dereferencing uninitialized error pointer"; docs/reference/linux-ccp.md §3.4 step 8).
   */
  readonly dfFlushErrorToCaller: boolean;
}

/**
 * Deliberate bugs, not release differences: @sevsim/explorer's `--mutation` sets them on top of a
 * release's profile to prove it finds what is wrong. No release has them, so they are not part of
 * `CcpProfile`; the driver reads them only as what `loadCcp` was given.
 */
export interface CcpMutations {
  /**
   * Legacy INIT before SNP_INIT, the order docs/reference/linux-ccp.md §3.2 step 4 exists to avoid
   * (SNP_INIT needs SEV UNINIT, docs/reference/psp-firmware.md §3.2).
   */
  readonly mutationLegacyInitFirst?: boolean;
}
