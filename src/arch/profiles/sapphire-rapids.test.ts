// The constructed Sapphire Rapids profile re-derived from QEMU's SapphireRapids feature
// words (named here by their Linux control names) with the composition rules written down
// in sources/sapphire-rapids.txt, so a transcription slip in the hex cannot go unnoticed.
import { describe, expect, it } from 'vitest';
import { ENTRY, EXIT, PIN_BASED, PRIMARY, SECONDARY } from '../controls/index.ts';
import { VMX_BASIC, VMX_EPT_VPID_CAP, VMX_MISC } from '../vmx-msrs.ts';
import { sapphireRapids as p } from './sapphire-rapids.ts';

const M32 = 0xffff_ffffn;
/** allowed-1 = features | default1; must-be-1 = default1 & ~features (QEMU make_vmx_msr_value). */
const compose = (default1: bigint, features: bigint, extraAllowed1 = 0n) =>
  ((features | default1 | extraAllowed1) << 32n) | (default1 & ~features & M32);

const pin = PIN_BASED.of('PIN_BASED_EXT_INTR_MASK', 'PIN_BASED_NMI_EXITING', 'PIN_BASED_VIRTUAL_NMIS', 'PIN_BASED_VMX_PREEMPTION_TIMER', 'PIN_BASED_POSTED_INTR');
const proc = PRIMARY.of(
  'CPU_BASED_INTR_WINDOW_EXITING', 'CPU_BASED_USE_TSC_OFFSETTING', 'CPU_BASED_HLT_EXITING', 'CPU_BASED_INVLPG_EXITING',
  'CPU_BASED_MWAIT_EXITING', 'CPU_BASED_RDPMC_EXITING', 'CPU_BASED_RDTSC_EXITING', 'CPU_BASED_CR3_LOAD_EXITING',
  'CPU_BASED_CR3_STORE_EXITING', 'CPU_BASED_CR8_LOAD_EXITING', 'CPU_BASED_CR8_STORE_EXITING', 'CPU_BASED_TPR_SHADOW',
  'CPU_BASED_NMI_WINDOW_EXITING', 'CPU_BASED_MOV_DR_EXITING', 'CPU_BASED_UNCOND_IO_EXITING', 'CPU_BASED_USE_IO_BITMAPS',
  'CPU_BASED_MONITOR_TRAP_FLAG', 'CPU_BASED_USE_MSR_BITMAPS', 'CPU_BASED_MONITOR_EXITING', 'CPU_BASED_PAUSE_EXITING',
  'CPU_BASED_ACTIVATE_SECONDARY_CONTROLS',
);
const secondary = SECONDARY.of(
  'SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES', 'SECONDARY_EXEC_ENABLE_EPT', 'SECONDARY_EXEC_DESC', 'SECONDARY_EXEC_ENABLE_RDTSCP',
  'SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE', 'SECONDARY_EXEC_ENABLE_VPID', 'SECONDARY_EXEC_WBINVD_EXITING',
  'SECONDARY_EXEC_UNRESTRICTED_GUEST', 'SECONDARY_EXEC_APIC_REGISTER_VIRT', 'SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY',
  'SECONDARY_EXEC_RDRAND_EXITING', 'SECONDARY_EXEC_ENABLE_INVPCID', 'SECONDARY_EXEC_ENABLE_VMFUNC', 'SECONDARY_EXEC_SHADOW_VMCS',
  'SECONDARY_EXEC_RDSEED_EXITING', 'SECONDARY_EXEC_ENABLE_PML', 'SECONDARY_EXEC_ENABLE_XSAVES',
);
const exit = EXIT.of(
  'VM_EXIT_SAVE_DEBUG_CONTROLS', 'VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL', 'VM_EXIT_ACK_INTR_ON_EXIT', 'VM_EXIT_SAVE_IA32_PAT',
  'VM_EXIT_LOAD_IA32_PAT', 'VM_EXIT_SAVE_IA32_EFER', 'VM_EXIT_LOAD_IA32_EFER', 'VM_EXIT_SAVE_VMX_PREEMPTION_TIMER',
);
const entry = ENTRY.of('VM_ENTRY_LOAD_DEBUG_CONTROLS', 'VM_ENTRY_IA32E_MODE', 'VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL', 'VM_ENTRY_LOAD_IA32_PAT', 'VM_ENTRY_LOAD_IA32_EFER');

describe('sapphire-rapids: the QEMU/KVM composition of the SapphireRapids model', () => {
  const words = [[0x48d, 0x481, 0x16n, pin, 0n], [0x48e, 0x482, 0x0401_e172n, proc, 0n],
    [0x48f, 0x483, 0x0003_6dffn, exit, EXIT.mask.VM_EXIT_HOST_ADDR_SPACE_SIZE], [0x490, 0x484, 0x11ffn, entry, 0n]] as const;
  it.each(words)('TRUE MSR %d and its non-TRUE twin %d', (tru, plain, default1, features, extra) => {
    expect(p.msrs[tru]).toBe(compose(default1, features, extra));
    expect(p.msrs[plain]).toBe(compose(default1, features, extra) | default1);
  });

  it('secondary controls, EPT/VPID capabilities, BASIC, MISC, VMFUNC', () => {
    expect(p.msrs[0x48b]).toBe(secondary << 32n);
    expect(p.msrs[0x48c]).toBe(VMX_EPT_VPID_CAP.of(
      'EXECUTE_ONLY', 'PAGE_WALK_4', 'PAGE_WALK_5', 'EPTP_WB', 'PAGE_2MB', 'PAGE_1GB', 'INVEPT', 'AD', 'INVEPT_SINGLE', 'INVEPT_ALL',
      'INVVPID', 'INVVPID_ADDRESS', 'INVVPID_SINGLE', 'INVVPID_ALL', 'INVVPID_SINGLE_NON_GLOBAL',
    ));
    const basic = p.msrs[0x480]!;
    expect(VMX_BASIC.get(basic, 'REVISION_ID')).toBe(0x11e5_7ed0n);
    expect(VMX_BASIC.get(basic, 'VMCS_SIZE')).toBe(4096n);
    expect(VMX_BASIC.get(basic, 'MEMORY_TYPE')).toBe(6n);
    expect(VMX_BASIC.names(basic)).toEqual(['INOUT', 'TRUE_CTLS']);
    const misc = p.msrs[0x485]!;
    expect(VMX_MISC.get(misc, 'PREEMPTION_TIMER_RATE')).toBe(5n);
    expect(misc & ~VMX_MISC.mask.PREEMPTION_TIMER_RATE).toBe(VMX_MISC.of('SAVE_EFER_LMA', 'ACTIVITY_HLT', 'VMWRITE_ANY_FIELD'));
    expect(p.msrs[0x491]).toBe(1n);
  });

  it('is the profile with 5-level EPT and 57-bit linear addresses', () => {
    expect(VMX_EPT_VPID_CAP.has(p.msrs[0x48c]!, 'PAGE_WALK_5')).toBe(true);
    expect(p.linearAddressBits).toBe(57);
    expect(p.provenance).toBe('constructed');
  });
});
