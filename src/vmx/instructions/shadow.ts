// The VMCS that VMREAD/VMWRITE access: the current VMCS in VMX root operation, the shadow VMCS
// named by the current VMCS's link pointer in VMX non-root operation (SDM Vol. 3C §25.10
// "VMCS Types: Ordinary and Shadow", §31.3 VMREAD/VMWRITE operation sections).

import { NO_CURRENT_VMCS, type ActiveVmcs } from '../vmx-state.ts';
import { loadFromRegion } from '../vmcs-store.ts';
import { vmcsGet } from '../vmcs-access.ts';
import { F } from '../vmcs-fields.ts';
import type { InsnContext } from './common.ts';

/**
 * The VMCS a VMREAD/VMWRITE acts on, or undefined for VMfailInvalid (no current VMCS in root
 * operation; VMCS link pointer FFFFFFFF_FFFFFFFFH in non-root operation). Implementation choice:
 * a shadow VMCS that is not active is read from its region and becomes active, as KVM's nested
 * VMX caches the shadow VMCS on VM entry (arch/x86/kvm/vmx/nested.c, copy_shadow_to_vmcs12).
 */
export function vmcsForAccess(ctx: InsnContext): ActiveVmcs | undefined {
  const { vmx, cpu, caps } = ctx;
  const current = vmx.currentVmcs();
  if (vmx.mode !== 'non-root') return current;
  if (!current) return undefined;
  const link = vmcsGet(current, F.VMCS_LINK_POINTER);
  if (link === NO_CURRENT_VMCS) return undefined;
  const addr = Number(link);
  let shadow = vmx.active.get(addr);
  if (!shadow) {
    shadow = { addr, launch: 'clear', shadow: true, fields: loadFromRegion(addr, cpu, caps.regionSize) };
    vmx.active.set(addr, shadow);
  }
  return shadow;
}
