/*
 * A Promela abstraction of one sevsim configuration, for the SPIN comparison of `pnpm bench`
 * (bench/spin.mjs): Genoa, BIOS SNP on, 4 ASIDs with minSevAsid 3 (SEV 3-4, SEV-ES/SNP 1-2),
 * kernel 7.2 with ccp and kvm_amd as modules, ccp.psp_init_on_probe=0, kvm_amd sev=1 sev_es=1
 * sev_snp=1, no ciphertext hiding; the explorer's alphabet with at most 2 open VMs:
 * modprobe/rmmod of ccp and kvm_amd, vm.start sev|sev-es|snp, vm.init retry, vm.launch,
 * vm.destroy, host.read, fw.update to a newer image, fw.commit.
 *
 * What it keeps of the layers (the facts sevsim models; see the README "SPIN comparison"):
 * - kvm_amd load initialises the platform (SNP_INIT, then INIT) when ccp is loaded (6.16+,
 *   docs/reference/linux-kvm-amd.md §2.3); unload flushes the ASIDs and shuts it down (§3 step 4).
 * - KVM takes the lowest free ASID of the type's range; freed ASIDs wait in the reclaim bitmap and
 *   are recycled, after WBINVD + DF_FLUSH, only when the range is exhausted (§4.7).
 * - the firmware binds a guest to its ASID at LAUNCH_START/ACTIVATE and frees it at DECOMMISSION;
 *   the SEV platform is WORKING while a legacy guest exists (docs/reference/psp-firmware.md §2.1).
 * - a mainline fw.update puts the image on disk; the next ccp probe with the platform
 *   uninitialised loads it (docs/reference/linux-ccp.md §5.1); fw.commit needs ccp loaded.
 * Invariants as assertions: asid-unique, asid-in-range, working-iff-legacy-guest,
 * platform-released-without-owner.
 */
#define NVM 2
#define NASID 4
#define MIN_SEV 3
#define NONE 0
#define SEV 1
#define ES 2
#define SNP 3
/* VM states */
#define FREE 0
#define CREATED 1
#define INITIALIZED 2
#define RUNNING 3

bool ccp = false, kvm = false;
byte sevState = 0;      /* 0 UNINIT, 1 INIT, 2 WORKING */
bool snpInit = false;
bool imageOnDisk = false, updated = false, committed = false;
bit inUse[NASID + 1];
bit reclaim[NASID + 1];
byte vmType[NVM], vmState[NVM], vmAsid[NVM];
byte fwOwner[NASID + 1];  /* firmware: VM slot + 1 bound to the ASID, 0 none */

inline lo(t, r) { r = (t == SEV -> MIN_SEV : 1) }
inline hi(t, r) { r = (t == SEV -> NASID : MIN_SEV - 1) }

inline flushAsids() {
  i = 1;
  do
  :: i <= NASID -> if :: reclaim[i] -> inUse[i] = 1 - inUse[i]; reclaim[i] = 0 :: else -> skip fi; i++
  :: else -> break
  od
}

/* sev_asid_new(): lowest free in [min, max]; when none, recycle if the range has reclaimable ASIDs. */
inline allocAsid(t, got) {
  lo(t, a); hi(t, b); got = 0; i = a;
  do
  :: i <= b && got == 0 -> if :: !inUse[i] -> got = i :: else -> skip fi; i++
  :: else -> break
  od;
  if
  :: got == 0 ->
     found = false; i = a;
     do :: i <= NASID && !found -> if :: reclaim[i] -> found = true :: else -> i++ fi
        :: else -> break od;
     if
     :: found && i <= b -> flushAsids(); i = a;
        do :: i <= b && got == 0 -> if :: !inUse[i] -> got = i :: else -> skip fi; i++
           :: else -> break od
     :: else -> skip
     fi
  :: else -> skip
  fi;
  if :: got != 0 -> inUse[got] = 1 :: else -> skip fi
}

inline platformInit() {
  snpInit = true;
  if :: sevState == 0 -> sevState = 1 :: else -> skip fi
}

inline checkInvariants() {
  /* asid-in-range and asid-unique over KVM's VMs and the firmware's bindings */
  j = 0;
  do
  :: j < NVM ->
     if
     :: vmState[j] != FREE && vmAsid[j] != 0 ->
        lo(vmType[j], a); hi(vmType[j], b);
        assert(vmAsid[j] >= a && vmAsid[j] <= b);
        k = j + 1;
        do :: k < NVM -> assert(vmState[k] == FREE || vmAsid[k] != vmAsid[j]); k++ :: else -> break od
     :: else -> skip
     fi; j++
  :: else -> break
  od;
  /* working-iff-legacy-guest */
  legacy = false; j = 1;
  do :: j <= NASID -> if :: fwOwner[j] != 0 && vmType[fwOwner[j] - 1] != SNP -> legacy = true :: else -> skip fi; j++
     :: else -> break od;
  assert((sevState == 2) == legacy);
  /* platform-released-without-owner: kvm_amd initialises the platform (6.16+) */
  assert(kvm || (sevState == 0 && !snpInit))
}

inline vmAction() {
  if
  :: vmState[v] == CREATED -> /* vm.init retry */
     allocAsid(vmType[v], got);
     if :: got != 0 -> vmAsid[v] = got; vmState[v] = INITIALIZED :: else -> skip fi
  :: vmState[v] == INITIALIZED && (vmType[v] != SNP || snpInit) && sevState != 0 -> /* vm.launch */
     fwOwner[vmAsid[v]] = v + 1; vmState[v] = RUNNING;
     if :: vmType[v] != SNP -> sevState = 2 :: else -> skip fi
  :: true -> /* vm.destroy */
     if :: vmAsid[v] != 0 && vmState[v] == RUNNING -> fwOwner[vmAsid[v]] = 0 :: else -> skip fi;
     if :: vmAsid[v] != 0 -> reclaim[vmAsid[v]] = 1 :: else -> skip fi;
     vmState[v] = FREE; vmAsid[v] = 0; vmType[v] = NONE;
     legacy = false; j = 1;
     do :: j <= NASID -> if :: fwOwner[j] != 0 && vmType[fwOwner[j] - 1] != SNP -> legacy = true :: else -> skip fi; j++
        :: else -> break od;
     if :: sevState == 2 && !legacy -> sevState = 1 :: else -> skip fi
  :: vmState[v] == RUNNING -> skip /* host.read: ciphertext, no state change */
  fi
}

active proctype operator() {
  byte v, t, got, a, b, i, j, k;
  bool found, legacy;
  /* One action per atomic step, the invariants checked after it: the states SPIN stores are the
     states between actions, as in sevsim. */
  do
  :: atomic {
     if
     :: !ccp -> ccp = true;
        if :: imageOnDisk && sevState == 0 && !snpInit -> updated = true; imageOnDisk = false :: else -> skip fi
     :: ccp && !kvm -> kvm = true; platformInit()
     :: ccp && !kvm -> ccp = false
     :: kvm && vmState[0] == FREE && vmState[1] == FREE ->
        flushAsids(); kvm = false; sevState = 0; snpInit = false
     :: kvm && (vmState[0] == FREE || vmState[1] == FREE) -> /* vm.start TYPE: create + init */
        if :: vmState[0] == FREE -> v = 0 :: else -> v = 1 fi;
        if :: t = SEV :: t = ES :: t = SNP fi;
        vmType[v] = t; vmState[v] = CREATED;
        allocAsid(t, got);
        if :: got != 0 -> vmAsid[v] = got; vmState[v] = INITIALIZED :: else -> skip fi
     :: vmState[0] != FREE -> v = 0; vmAction()
     :: vmState[1] != FREE -> v = 1; vmAction()
     :: !updated && !imageOnDisk -> imageOnDisk = true /* fw.update (mainline: to disk) */
     :: ccp && updated -> committed = true /* fw.commit */
     fi;
     checkInvariants();
     /* scratch variables back to 0: only the model's state is stored */
     v = 0; t = 0; got = 0; a = 0; b = 0; i = 0; j = 0; k = 0; found = false; legacy = false
     }
  od
}
