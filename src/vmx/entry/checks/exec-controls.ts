// Checks on the VM-execution control fields, SDM Vol. 3C §27.2.1.1 "VM-Execution Control
// Fields" (VMfailValid(7)), in the order the SDM lists them.

import type { EntryContext } from '../context.ts';
import { defineCheck } from '../check.ts';
import type { Check } from '../check.ts';
import { NOT_APPLICABLE, PASS, fail, fv, hex } from '../../outcome.ts';
import type { Verdict } from '../../outcome.ts';
import { ENTRY, MSR, PIN, PROC, PROC2, VMX_MISC, EXIT } from '../local-arch.ts';
import { checkCtrlEptpAccessedDirty, checkCtrlEptpMemoryType, checkCtrlEptpReserved, checkCtrlEptpWalkLength } from './exec-controls-eptp.ts';
import { SDM_EXEC_CONTROLS as S } from '../sections.ts';
import {
  allowedSettings, beyondPhysWidth, bitList, checkAllowedSettings, checkPhysAddress, entryHas, exitHas, pinControls,
  pinHas, proc2Controls, proc2Has, procControls, procHas,
} from './support.ts';

const PIN_F = 'PIN_BASED_VM_EXEC_CONTROL';
const PROC_F = 'CPU_BASED_VM_EXEC_CONTROL';
const PROC2_F = 'SECONDARY_VM_EXEC_CONTROL';

function checkCtrlPinAllowed(ctx: EntryContext): Verdict {
  const a = allowedSettings(ctx, MSR.IA32_VMX_PINBASED_CTLS, MSR.IA32_VMX_TRUE_PINBASED_CTLS);
  return checkAllowedSettings(PIN_F, pinControls(ctx), a, 'pin-based VM-execution controls');
}

function checkCtrlProcAllowed(ctx: EntryContext): Verdict {
  const a = allowedSettings(ctx, MSR.IA32_VMX_PROCBASED_CTLS, MSR.IA32_VMX_TRUE_PROCBASED_CTLS);
  return checkAllowedSettings(PROC_F, procControls(ctx), a, 'primary processor-based VM-execution controls');
}

function checkCtrlProc2Allowed(ctx: EntryContext): Verdict {
  if (!procHas(ctx, 'CPU_BASED_ACTIVATE_SECONDARY_CONTROLS')) return NOT_APPLICABLE;
  const a = allowedSettings(ctx, MSR.IA32_VMX_PROCBASED_CTLS2, undefined);
  return checkAllowedSettings(PROC2_F, proc2Controls(ctx), a, 'secondary processor-based VM-execution controls');
}

function checkCtrlProc3Allowed(ctx: EntryContext): Verdict {
  if (!procHas(ctx, 'CPU_BASED_ACTIVATE_TERTIARY_CONTROLS')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('TERTIARY_VM_EXEC_CONTROL');
  const may = ctx.msr(MSR.IA32_VMX_PROCBASED_CTLS3);
  const extra = v & ~may;
  if (extra === 0n) return PASS;
  return fail(
    `The tertiary processor-based VM-execution controls (${hex(v)}) set bits IA32_VMX_PROCBASED_CTLS3 does not allow: ${bitList(extra).join(', ')}.`,
    [fv('TERTIARY_VM_EXEC_CONTROL', v), fv('IA32_VMX_PROCBASED_CTLS3', may)],
    '(TERTIARY_VM_EXEC_CONTROL & ~IA32_VMX_PROCBASED_CTLS3) == 0',
    {
      capability: { msr: 'IA32_VMX_PROCBASED_CTLS3', index: MSR.IA32_VMX_PROCBASED_CTLS3, bits: bitList(extra) },
      fix: { field: 'TERTIARY_VM_EXEC_CONTROL', value: v & may },
    },
  );
}

function checkCtrlCr3TargetCount(ctx: EntryContext): Verdict {
  const n = ctx.vmcs.read('CR3_TARGET_COUNT');
  const max = VMX_MISC.get(ctx.msr(MSR.IA32_VMX_MISC), 'CR3_TARGETS');
  if (n <= max) return PASS;
  return fail(
    `The CR3-target count (${n}) is larger than the ${max} CR3-target values this processor supports.`,
    [fv('CR3_TARGET_COUNT', n)],
    `CR3_TARGET_COUNT <= IA32_VMX_MISC[24:16] (${max})`,
    { capability: { msr: 'IA32_VMX_MISC', index: MSR.IA32_VMX_MISC, bits: [16, 17, 18, 19, 20, 21, 22, 23, 24] }, fix: { field: 'CR3_TARGET_COUNT', value: max } },
  );
}

function checkCtrlIoBitmapA(ctx: EntryContext): Verdict {
  if (!procHas(ctx, 'CPU_BASED_USE_IO_BITMAPS')) return NOT_APPLICABLE;
  return checkPhysAddress(ctx, 'IO_BITMAP_A', 'I/O-bitmap A address', 12n);
}

function checkCtrlIoBitmapB(ctx: EntryContext): Verdict {
  if (!procHas(ctx, 'CPU_BASED_USE_IO_BITMAPS')) return NOT_APPLICABLE;
  return checkPhysAddress(ctx, 'IO_BITMAP_B', 'I/O-bitmap B address', 12n);
}

function checkCtrlMsrBitmap(ctx: EntryContext): Verdict {
  if (!procHas(ctx, 'CPU_BASED_USE_MSR_BITMAPS')) return NOT_APPLICABLE;
  return checkPhysAddress(ctx, 'MSR_BITMAP', 'MSR-bitmap address', 12n);
}

function checkCtrlVirtualApicAddress(ctx: EntryContext): Verdict {
  if (!procHas(ctx, 'CPU_BASED_TPR_SHADOW')) return NOT_APPLICABLE;
  return checkPhysAddress(ctx, 'VIRTUAL_APIC_PAGE_ADDR', 'virtual-APIC address', 12n);
}

function checkCtrlTprThresholdReserved(ctx: EntryContext): Verdict {
  if (!procHas(ctx, 'CPU_BASED_TPR_SHADOW') || proc2Has(ctx, 'SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('TPR_THRESHOLD');
  if ((v & ~0xfn) === 0n) return PASS;
  return fail(
    `The TPR threshold (${hex(v)}) sets bits 31:4; with "use TPR shadow" and without virtual-interrupt delivery only bits 3:0 may be set.`,
    [fv('TPR_THRESHOLD', v)],
    'TPR_THRESHOLD[31:4] == 0',
    { fix: { field: 'TPR_THRESHOLD', value: v & 0xfn } },
  );
}

function checkCtrlTprThresholdVtpr(ctx: EntryContext): Verdict {
  if (!procHas(ctx, 'CPU_BASED_TPR_SHADOW')) return NOT_APPLICABLE;
  if (proc2Has(ctx, 'SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES') || proc2Has(ctx, 'SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY')) {
    return NOT_APPLICABLE;
  }
  const page = ctx.vmcs.read('VIRTUAL_APIC_PAGE_ADDR');
  // Implementation choice: with a misaligned or too-wide virtual-APIC address the
  // address check above already fails; reading VTPR then would read an arbitrary page.
  if ((page & 0xfffn) !== 0n || beyondPhysWidth(ctx, page) !== 0n) return NOT_APPLICABLE;
  const threshold = ctx.vmcs.read('TPR_THRESHOLD') & 0xfn;
  const vtpr = ctx.readPhys(page + 0x80n, 1);
  if (threshold <= vtpr >> 4n) return PASS;
  return fail(
    `TPR threshold bits 3:0 (${threshold}) exceed VTPR bits 7:4 (${vtpr >> 4n}); VTPR is the byte at offset 0x80 of the virtual-APIC page.`,
    [fv('TPR_THRESHOLD', ctx.vmcs.read('TPR_THRESHOLD')), fv('VTPR', vtpr)],
    'TPR_THRESHOLD[3:0] <= VTPR[7:4]',
    { fix: { field: 'TPR_THRESHOLD', value: vtpr >> 4n } },
  );
}

function checkCtrlVirtualNmis(ctx: EntryContext): Verdict {
  if (pinHas(ctx, 'PIN_BASED_NMI_EXITING') || !pinHas(ctx, 'PIN_BASED_VIRTUAL_NMIS')) return PASS;
  const v = pinControls(ctx);
  return fail(
    '"Virtual NMIs" is 1 while "NMI exiting" is 0.',
    [fv(PIN_F, v)],
    'NMI exiting == 0 => virtual NMIs == 0',
    { fix: { field: PIN_F, value: v & ~PIN.mask.PIN_BASED_VIRTUAL_NMIS } },
  );
}

function checkCtrlNmiWindow(ctx: EntryContext): Verdict {
  if (pinHas(ctx, 'PIN_BASED_VIRTUAL_NMIS') || !procHas(ctx, 'CPU_BASED_NMI_WINDOW_EXITING')) return PASS;
  const v = procControls(ctx);
  return fail(
    '"NMI-window exiting" is 1 while "virtual NMIs" is 0.',
    [fv(PROC_F, v), fv(PIN_F, pinControls(ctx))],
    'virtual NMIs == 0 => NMI-window exiting == 0',
    { fix: { field: PROC_F, value: v & ~PROC.mask.CPU_BASED_NMI_WINDOW_EXITING } },
  );
}

function checkCtrlApicAccessAddress(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES')) return NOT_APPLICABLE;
  return checkPhysAddress(ctx, 'APIC_ACCESS_ADDR', 'APIC-access address', 12n);
}

function checkCtrlApicVirtNeedsTprShadow(ctx: EntryContext): Verdict {
  if (procHas(ctx, 'CPU_BASED_TPR_SHADOW')) return NOT_APPLICABLE;
  const need = PROC2.mask.SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE | PROC2.mask.SECONDARY_EXEC_APIC_REGISTER_VIRT |
    PROC2.mask.SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY;
  const v = proc2Controls(ctx);
  if ((v & need) === 0n) return PASS;
  return fail(
    `"Use TPR shadow" is 0, so ${PROC2.names(v & need).join(', ')} must be 0 too.`,
    [fv(PROC2_F, v), fv(PROC_F, procControls(ctx))],
    'use TPR shadow == 0 => virtualize x2APIC mode == APIC-register virtualization == virtual-interrupt delivery == 0',
    { fix: { field: PROC2_F, value: v & ~need } },
  );
}

function checkCtrlX2apicExcludesApicAccess(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE') || !proc2Has(ctx, 'SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES')) return PASS;
  const v = proc2Controls(ctx);
  return fail(
    '"Virtualize x2APIC mode" and "virtualize APIC accesses" are both 1.',
    [fv(PROC2_F, v)],
    'virtualize x2APIC mode == 1 => virtualize APIC accesses == 0',
    { fix: { field: PROC2_F, value: v & ~PROC2.mask.SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES } },
  );
}

function checkCtrlVidNeedsExtIntExiting(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY') || pinHas(ctx, 'PIN_BASED_EXT_INTR_MASK')) return PASS;
  const v = pinControls(ctx);
  return fail(
    '"Virtual-interrupt delivery" is 1 while "external-interrupt exiting" is 0.',
    [fv(PIN_F, v), fv(PROC2_F, proc2Controls(ctx))],
    'virtual-interrupt delivery == 1 => external-interrupt exiting == 1',
    { fix: { field: PIN_F, value: v | PIN.mask.PIN_BASED_EXT_INTR_MASK } },
  );
}

function checkCtrlPostedIntrNeedsVid(ctx: EntryContext): Verdict {
  if (!pinHas(ctx, 'PIN_BASED_POSTED_INTR')) return NOT_APPLICABLE;
  if (proc2Has(ctx, 'SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY')) return PASS;
  return fail(
    '"Process posted interrupts" is 1 while "virtual-interrupt delivery" is 0.',
    [fv(PIN_F, pinControls(ctx)), fv(PROC2_F, proc2Controls(ctx))],
    'process posted interrupts == 1 => virtual-interrupt delivery == 1',
    { fix: { field: PIN_F, value: pinControls(ctx) & ~PIN.mask.PIN_BASED_POSTED_INTR } },
  );
}

function checkCtrlPostedIntrNeedsAckOnExit(ctx: EntryContext): Verdict {
  if (!pinHas(ctx, 'PIN_BASED_POSTED_INTR')) return NOT_APPLICABLE;
  if (exitHas(ctx, 'VM_EXIT_ACK_INTR_ON_EXIT')) return PASS;
  const v = ctx.vmcs.read('VM_EXIT_CONTROLS');
  return fail(
    '"Process posted interrupts" is 1 while the "acknowledge interrupt on exit" VM-exit control is 0.',
    [fv(PIN_F, pinControls(ctx)), fv('VM_EXIT_CONTROLS', v)],
    'process posted interrupts == 1 => acknowledge interrupt on exit == 1',
    { fix: { field: 'VM_EXIT_CONTROLS', value: v | EXIT.mask.VM_EXIT_ACK_INTR_ON_EXIT } },
  );
}

function checkCtrlPostedIntrVector(ctx: EntryContext): Verdict {
  if (!pinHas(ctx, 'PIN_BASED_POSTED_INTR')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('POSTED_INTR_NV');
  if ((v & 0xff00n) === 0n) return PASS;
  return fail(
    `The posted-interrupt notification vector (${hex(v)}) is not in 0-255.`,
    [fv('POSTED_INTR_NV', v)],
    'POSTED_INTR_NV[15:8] == 0',
    { fix: { field: 'POSTED_INTR_NV', value: v & 0xffn } },
  );
}

function checkCtrlPostedIntrDescriptor(ctx: EntryContext): Verdict {
  if (!pinHas(ctx, 'PIN_BASED_POSTED_INTR')) return NOT_APPLICABLE;
  return checkPhysAddress(ctx, 'POSTED_INTR_DESC_ADDR', 'posted-interrupt descriptor address', 6n);
}

function checkCtrlVpidNonzero(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_VPID')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('VIRTUAL_PROCESSOR_ID');
  if (v !== 0n) return PASS;
  return fail('"Enable VPID" is 1 but the VPID is 0 (VPID 0 belongs to the host).', [fv('VIRTUAL_PROCESSOR_ID', v)],
    'VIRTUAL_PROCESSOR_ID != 0', { fix: { field: 'VIRTUAL_PROCESSOR_ID', value: 1n } });
}

function checkCtrlPmlNeedsEpt(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_PML') || proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_EPT')) return PASS;
  const v = proc2Controls(ctx);
  return fail('"Enable PML" is 1 while "enable EPT" is 0.', [fv(PROC2_F, v)], 'enable PML == 1 => enable EPT == 1',
    { fix: { field: PROC2_F, value: v | PROC2.mask.SECONDARY_EXEC_ENABLE_EPT } });
}

function checkCtrlPmlAddress(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_PML')) return NOT_APPLICABLE;
  return checkPhysAddress(ctx, 'PML_ADDRESS', 'PML address', 12n);
}

function checkCtrlUnrestrictedNeedsEpt(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_UNRESTRICTED_GUEST') || proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_EPT')) return PASS;
  const v = proc2Controls(ctx);
  return fail('"Unrestricted guest" is 1 while "enable EPT" is 0.', [fv(PROC2_F, v)], 'unrestricted guest == 1 => enable EPT == 1',
    { fix: { field: PROC2_F, value: v | PROC2.mask.SECONDARY_EXEC_ENABLE_EPT } });
}

function checkCtrlVmfuncAllowed(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_VMFUNC')) return NOT_APPLICABLE;
  const v = ctx.vmcs.read('VM_FUNCTION_CONTROL');
  const may = ctx.msr(MSR.IA32_VMX_VMFUNC);
  const extra = v & ~may;
  if (extra === 0n) return PASS;
  return fail(
    `The VM-function controls (${hex(v)}) set bits IA32_VMX_VMFUNC does not allow: ${bitList(extra).join(', ')}.`,
    [fv('VM_FUNCTION_CONTROL', v), fv('IA32_VMX_VMFUNC', may)],
    '(VM_FUNCTION_CONTROL & ~IA32_VMX_VMFUNC) == 0',
    { capability: { msr: 'IA32_VMX_VMFUNC', index: MSR.IA32_VMX_VMFUNC, bits: bitList(extra) }, fix: { field: 'VM_FUNCTION_CONTROL', value: v & may } },
  );
}

function eptpSwitching(ctx: EntryContext): boolean {
  return proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_VMFUNC') && (ctx.vmcs.read('VM_FUNCTION_CONTROL') & 1n) !== 0n;
}

function checkCtrlEptpSwitchingNeedsEpt(ctx: EntryContext): Verdict {
  if (!eptpSwitching(ctx)) return NOT_APPLICABLE;
  if (proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_EPT')) return PASS;
  const v = proc2Controls(ctx);
  return fail('The "EPTP switching" VM function is enabled while "enable EPT" is 0.', [fv('VM_FUNCTION_CONTROL', ctx.vmcs.read('VM_FUNCTION_CONTROL')), fv(PROC2_F, v)],
    'EPTP switching == 1 => enable EPT == 1', { fix: { field: PROC2_F, value: v | PROC2.mask.SECONDARY_EXEC_ENABLE_EPT } });
}

function checkCtrlEptpListAddress(ctx: EntryContext): Verdict {
  if (!eptpSwitching(ctx)) return NOT_APPLICABLE;
  return checkPhysAddress(ctx, 'EPTP_LIST_ADDRESS', 'EPTP-list address', 12n);
}

function checkCtrlVmreadBitmap(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_SHADOW_VMCS')) return NOT_APPLICABLE;
  return checkPhysAddress(ctx, 'VMREAD_BITMAP', 'VMREAD-bitmap address', 12n);
}

function checkCtrlVmwriteBitmap(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_SHADOW_VMCS')) return NOT_APPLICABLE;
  return checkPhysAddress(ctx, 'VMWRITE_BITMAP', 'VMWRITE-bitmap address', 12n);
}

function checkCtrlVeInfoAddress(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_EPT_VIOLATION_VE')) return NOT_APPLICABLE;
  return checkPhysAddress(ctx, 'VE_INFORMATION_ADDRESS', 'virtualization-exception information address', 12n);
}

function checkCtrlMbecNeedsEpt(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_MODE_BASED_EPT_EXEC') || proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_EPT')) return PASS;
  const v = proc2Controls(ctx);
  return fail('"Mode-based execute control for EPT" is 1 while "enable EPT" is 0.', [fv(PROC2_F, v)],
    'mode-based execute control for EPT == 1 => enable EPT == 1', { fix: { field: PROC2_F, value: v | PROC2.mask.SECONDARY_EXEC_ENABLE_EPT } });
}

function checkCtrlPtGpa(ctx: EntryContext): Verdict {
  if (!proc2Has(ctx, 'SECONDARY_EXEC_PT_USE_GPA')) return NOT_APPLICABLE;
  const missing: string[] = [];
  if (!proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_EPT')) missing.push('"enable EPT"');
  if (!entryHas(ctx, 'VM_ENTRY_LOAD_IA32_RTIT_CTL')) missing.push('the "load IA32_RTIT_CTL" VM-entry control');
  if (!exitHas(ctx, 'VM_EXIT_CLEAR_IA32_RTIT_CTL')) missing.push('the "clear IA32_RTIT_CTL" VM-exit control');
  if (missing.length === 0) return PASS;
  // One VMWRITE fixes one field: with several controls missing, propose turning the feature off.
  const fix = missing.length > 1
    ? { field: PROC2_F, value: proc2Controls(ctx) & ~PROC2.mask.SECONDARY_EXEC_PT_USE_GPA! }
    : !proc2Has(ctx, 'SECONDARY_EXEC_ENABLE_EPT')
    ? { field: PROC2_F, value: proc2Controls(ctx) | PROC2.mask.SECONDARY_EXEC_ENABLE_EPT! }
    : !entryHas(ctx, 'VM_ENTRY_LOAD_IA32_RTIT_CTL')
      ? { field: 'VM_ENTRY_CONTROLS', value: ctx.vmcs.read('VM_ENTRY_CONTROLS') | ENTRY.mask.VM_ENTRY_LOAD_IA32_RTIT_CTL! }
      : { field: 'VM_EXIT_CONTROLS', value: ctx.vmcs.read('VM_EXIT_CONTROLS') | EXIT.mask.VM_EXIT_CLEAR_IA32_RTIT_CTL! };
  return fail(`"Intel PT uses guest-physical addresses" is 1, so ${missing.join(', ')} must be 1 too.`,
    [fv(PROC2_F, proc2Controls(ctx)), fv('VM_ENTRY_CONTROLS', ctx.vmcs.read('VM_ENTRY_CONTROLS')), fv('VM_EXIT_CONTROLS', ctx.vmcs.read('VM_EXIT_CONTROLS'))],
    'Intel PT uses GPA => enable EPT && load IA32_RTIT_CTL && clear IA32_RTIT_CTL', { fix });
}

const c = (id: string, title: string, fields: string[], run: Check['run']): Check =>
  defineCheck({ id, area: 'ctrl.exec', sdm: S, title, fields, run });

/** §27.2.1.1 in the SDM's order. */
export const EXEC_CONTROL_CHECKS: readonly Check[] = [
  c('ctrl.pin.allowed-settings', 'Reserved bits in the pin-based VM-execution controls must be set properly (IA32_VMX_[TRUE_]PINBASED_CTLS)', [PIN_F], checkCtrlPinAllowed),
  c('ctrl.proc.allowed-settings', 'Reserved bits in the primary processor-based VM-execution controls must be set properly (IA32_VMX_[TRUE_]PROCBASED_CTLS)', [PROC_F], checkCtrlProcAllowed),
  c('ctrl.proc2.allowed-settings', 'If "activate secondary controls" is 1, reserved bits in the secondary controls must be 0 (IA32_VMX_PROCBASED_CTLS2)', [PROC_F, PROC2_F], checkCtrlProc2Allowed),
  c('ctrl.proc3.allowed-settings', 'If "activate tertiary controls" is 1, reserved bits in the tertiary controls must be 0 (IA32_VMX_PROCBASED_CTLS3)', [PROC_F, 'TERTIARY_VM_EXEC_CONTROL'], checkCtrlProc3Allowed),
  c('ctrl.cr3-target-count', 'The CR3-target count must not exceed the number IA32_VMX_MISC[24:16] reports', ['CR3_TARGET_COUNT'], checkCtrlCr3TargetCount),
  c('ctrl.io-bitmap-a.address', 'If "use I/O bitmaps" is 1, I/O-bitmap A address bits 11:0 are 0 and within the physical-address width', [PROC_F, 'IO_BITMAP_A'], checkCtrlIoBitmapA),
  c('ctrl.io-bitmap-b.address', 'If "use I/O bitmaps" is 1, I/O-bitmap B address bits 11:0 are 0 and within the physical-address width', [PROC_F, 'IO_BITMAP_B'], checkCtrlIoBitmapB),
  c('ctrl.msr-bitmap.address', 'If "use MSR bitmaps" is 1, MSR-bitmap address bits 11:0 are 0 and within the physical-address width', [PROC_F, 'MSR_BITMAP'], checkCtrlMsrBitmap),
  c('ctrl.virtual-apic.address', 'If "use TPR shadow" is 1, virtual-APIC address bits 11:0 are 0 and within the physical-address width', [PROC_F, 'VIRTUAL_APIC_PAGE_ADDR'], checkCtrlVirtualApicAddress),
  c('ctrl.tpr-threshold.reserved-bits', 'If "use TPR shadow" is 1 and "virtual-interrupt delivery" is 0, TPR threshold bits 31:4 are 0', [PROC_F, PROC2_F, 'TPR_THRESHOLD'], checkCtrlTprThresholdReserved),
  c('ctrl.tpr-threshold.vtpr', 'If "use TPR shadow" is 1 and "virtualize APIC accesses" and "virtual-interrupt delivery" are 0, TPR threshold[3:0] <= VTPR[7:4]', [PROC_F, PROC2_F, 'TPR_THRESHOLD', 'VIRTUAL_APIC_PAGE_ADDR'], checkCtrlTprThresholdVtpr),
  c('ctrl.pin.virtual-nmis-needs-nmi-exiting', 'If "NMI exiting" is 0, "virtual NMIs" must be 0', [PIN_F], checkCtrlVirtualNmis),
  c('ctrl.proc.nmi-window-needs-virtual-nmis', 'If "virtual NMIs" is 0, "NMI-window exiting" must be 0', [PIN_F, PROC_F], checkCtrlNmiWindow),
  c('ctrl.apic-access.address', 'If "virtualize APIC accesses" is 1, APIC-access address bits 11:0 are 0 and within the physical-address width', [PROC2_F, 'APIC_ACCESS_ADDR'], checkCtrlApicAccessAddress),
  c('ctrl.proc2.apic-virt-needs-tpr-shadow', 'If "use TPR shadow" is 0, "virtualize x2APIC mode", "APIC-register virtualization" and "virtual-interrupt delivery" must be 0', [PROC_F, PROC2_F], checkCtrlApicVirtNeedsTprShadow),
  c('ctrl.proc2.x2apic-excludes-apic-access', 'If "virtualize x2APIC mode" is 1, "virtualize APIC accesses" must be 0', [PROC2_F], checkCtrlX2apicExcludesApicAccess),
  c('ctrl.proc2.vid-needs-ext-intr-exiting', 'If "virtual-interrupt delivery" is 1, "external-interrupt exiting" must be 1', [PIN_F, PROC2_F], checkCtrlVidNeedsExtIntExiting),
  c('ctrl.posted-intr.needs-vid', 'If "process posted interrupts" is 1, "virtual-interrupt delivery" must be 1', [PIN_F, PROC2_F], checkCtrlPostedIntrNeedsVid),
  c('ctrl.posted-intr.needs-ack-on-exit', 'If "process posted interrupts" is 1, the "acknowledge interrupt on exit" VM-exit control must be 1', [PIN_F, 'VM_EXIT_CONTROLS'], checkCtrlPostedIntrNeedsAckOnExit),
  c('ctrl.posted-intr.vector', 'If "process posted interrupts" is 1, the notification vector is in 0-255 (bits 15:8 are 0)', [PIN_F, 'POSTED_INTR_NV'], checkCtrlPostedIntrVector),
  c('ctrl.posted-intr.descriptor-address', 'If "process posted interrupts" is 1, descriptor address bits 5:0 are 0 and within the physical-address width', [PIN_F, 'POSTED_INTR_DESC_ADDR'], checkCtrlPostedIntrDescriptor),
  c('ctrl.vpid.nonzero', 'If "enable VPID" is 1, the VPID must not be 0000H', [PROC2_F, 'VIRTUAL_PROCESSOR_ID'], checkCtrlVpidNonzero),
  c('ctrl.eptp.memory-type', 'If "enable EPT" is 1, EPTP bits 2:0 give a memory type IA32_VMX_EPT_VPID_CAP supports', [PROC2_F, 'EPT_POINTER'], checkCtrlEptpMemoryType),
  c('ctrl.eptp.walk-length', 'If "enable EPT" is 1, EPTP bits 5:3 give a supported page-walk length (4, or 5 if supported)', [PROC2_F, 'EPT_POINTER'], checkCtrlEptpWalkLength),
  c('ctrl.eptp.accessed-dirty', 'If "enable EPT" is 1, EPTP bit 6 is 0 unless EPT accessed and dirty flags are supported', [PROC2_F, 'EPT_POINTER'], checkCtrlEptpAccessedDirty),
  c('ctrl.eptp.reserved-bits', 'If "enable EPT" is 1, EPTP bits 11:7 and bits beyond the physical-address width are 0', [PROC2_F, 'EPT_POINTER'], checkCtrlEptpReserved),
  c('ctrl.pml.needs-ept', 'If "enable PML" is 1, "enable EPT" must be 1', [PROC2_F], checkCtrlPmlNeedsEpt),
  c('ctrl.pml.address', 'If "enable PML" is 1, PML address bits 11:0 are 0 and within the physical-address width', [PROC2_F, 'PML_ADDRESS'], checkCtrlPmlAddress),
  c('ctrl.proc2.unrestricted-needs-ept', 'If "unrestricted guest" is 1, "enable EPT" must be 1', [PROC2_F], checkCtrlUnrestrictedNeedsEpt),
  c('ctrl.vmfunc.allowed-settings', 'If "enable VM functions" is 1, reserved bits in the VM-function controls must be 0 (IA32_VMX_VMFUNC)', [PROC2_F, 'VM_FUNCTION_CONTROL'], checkCtrlVmfuncAllowed),
  c('ctrl.vmfunc.eptp-switching-needs-ept', 'If "EPTP switching" is 1, "enable EPT" must be 1', [PROC2_F, 'VM_FUNCTION_CONTROL'], checkCtrlEptpSwitchingNeedsEpt),
  c('ctrl.vmfunc.eptp-list-address', 'If "EPTP switching" is 1, EPTP-list address bits 11:0 are 0 and within the physical-address width', [PROC2_F, 'VM_FUNCTION_CONTROL', 'EPTP_LIST_ADDRESS'], checkCtrlEptpListAddress),
  c('ctrl.vmcs-shadowing.vmread-bitmap', 'If "VMCS shadowing" is 1, VMREAD-bitmap address bits 11:0 are 0 and within the physical-address width', [PROC2_F, 'VMREAD_BITMAP'], checkCtrlVmreadBitmap),
  c('ctrl.vmcs-shadowing.vmwrite-bitmap', 'If "VMCS shadowing" is 1, VMWRITE-bitmap address bits 11:0 are 0 and within the physical-address width', [PROC2_F, 'VMWRITE_BITMAP'], checkCtrlVmwriteBitmap),
  c('ctrl.ve-info.address', 'If "EPT-violation #VE" is 1, the #VE-information address bits 11:0 are 0 and within the physical-address width', [PROC2_F, 'VE_INFORMATION_ADDRESS'], checkCtrlVeInfoAddress),
  c('ctrl.proc2.pt-gpa-needs-ept-and-rtit', 'If "Intel PT uses guest-physical addresses" is 1, "enable EPT", "load IA32_RTIT_CTL" (entry) and "clear IA32_RTIT_CTL" (exit) are 1', [PROC2_F, 'VM_ENTRY_CONTROLS', 'VM_EXIT_CONTROLS'], checkCtrlPtGpa),
  c('ctrl.proc2.mbec-needs-ept', 'If "mode-based execute control for EPT" is 1, "enable EPT" must be 1', [PROC2_F], checkCtrlMbecNeedsEpt),
];
