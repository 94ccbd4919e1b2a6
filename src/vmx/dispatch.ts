// From a decoded VMX instruction to its handler (SDM Vol. 3C §31.3 "VMX Instructions").

import type { InsnContext, InsnResult } from './instructions/common.ts';
import { invept } from './instructions/invept.ts';
import { invvpid } from './instructions/invvpid.ts';
import { vmcall } from './instructions/vmcall.ts';
import { vmclear } from './instructions/vmclear.ts';
import { vmfunc } from './instructions/vmfunc.ts';
import { vmlaunch, type LaunchContext } from './instructions/vmlaunch.ts';
import { vmptrld } from './instructions/vmptrld.ts';
import { vmptrst } from './instructions/vmptrst.ts';
import { vmread } from './instructions/vmread.ts';
import { vmwrite } from './instructions/vmwrite.ts';
import { vmxoff } from './instructions/vmxoff.ts';
import { vmxon } from './instructions/vmxon.ts';

const HANDLERS: Readonly<Record<string, (ctx: LaunchContext) => InsnResult>> = {
  vmxon,
  vmxoff,
  vmclear,
  vmptrld,
  vmptrst,
  vmread,
  vmwrite,
  vmlaunch: (ctx) => vmlaunch(ctx, 'vmlaunch'),
  vmresume: (ctx) => vmlaunch(ctx, 'vmresume'),
  vmcall,
  vmfunc,
  invept,
  invvpid,
};

/** Runs the handler of `ctx.insn`, or undefined when it is not a VMX instruction. */
export function dispatchVmx(ctx: LaunchContext): InsnResult | undefined {
  const h = HANDLERS[ctx.insn.mnemonic];
  return h ? h(ctx) : undefined;
}

/** Whether a mnemonic is one of the VMX instructions this model executes. */
export function isVmxMnemonic(m: string): boolean {
  return m in HANDLERS;
}

export type { InsnContext };
