// VMFUNC—Invoke VM Function (SDM Vol. 3C §31.3 "VMX Instructions", VMFUNC; the functions:
// §26.5.6 "VM Functions", §26.5.6.3 "EPTP Switching").

import { ud } from '../../x86/fault.ts';
import { EXIT_REASON, SECONDARY_CTLS } from '../local-arch.ts';
import { secondaryControls, vmcsGet, vmcsSet } from '../vmcs-access.ts';
import { F } from '../vmcs-fields.ts';
import { exitWith, raise, type InsnContext, type InsnResult } from './common.ts';
import { eptpProblem } from './eptp.ts';

const EPTP_LIST_ENTRIES = 512n;

/** Executes VMFUNC (EAX selects the function, ECX its argument). */
export function vmfunc(ctx: InsnContext): InsnResult {
  const { cpu, vmx, caps } = ctx;
  // #UD if executed outside VMX non-root operation, if "enable VM functions" is 0, or if EAX ≥ 64.
  const current = vmx.currentVmcs();
  if (vmx.mode !== 'non-root' || !current) return raise(ud('VMFUNC raises #UD outside VMX non-root operation'));
  if (!SECONDARY_CTLS.has(secondaryControls(current), 'SECONDARY_EXEC_ENABLE_VMFUNC')) {
    return raise(ud('VMFUNC raises #UD: the "enable VM functions" VM-execution control is 0'));
  }
  const eax = cpu.state.getGpr64(0) & 0xffff_ffffn;
  if (eax >= 64n) return raise(ud(`VMFUNC raises #UD for EAX = ${eax} (at most 63)`));
  // If the VM-function control bit EAX is 0, VMFUNC causes a VM exit (§26.5.6.2).
  if (((vmcsGet(current, F.VM_FUNCTION_CONTROL) >> eax) & 1n) === 0n) return exitWith(EXIT_REASON.VMFUNC);
  if (eax !== 0n) return exitWith(EXIT_REASON.VMFUNC);
  // EPTP switching (§26.5.6.3): ECX ≥ 512, or an entry VM entry would reject, causes a VM exit.
  const ecx = cpu.state.getGpr64(1) & 0xffff_ffffn;
  if (ecx >= EPTP_LIST_ENTRIES) return exitWith(EXIT_REASON.VMFUNC);
  const entry = cpu.readPhys(Number(vmcsGet(current, F.EPTP_LIST_ADDRESS) + 8n * ecx), 8);
  if (eptpProblem(entry, caps)) return exitWith(EXIT_REASON.VMFUNC);
  vmcsSet(current, F.EPT_POINTER, entry);
  // The EPTP-index field exists only with "EPT-violation #VE" (§26.5.6.3).
  if (caps.eptViolationVe) vmcsSet(current, F.EPTP_INDEX, ecx & 0xffffn);
  cpu.flushTlb();
  return { kind: 'completed' };
}
