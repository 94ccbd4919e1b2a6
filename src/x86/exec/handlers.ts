// Every instruction handler, by the mnemonic the decoder reports (`DecodedInstruction.mnemonic`).
// Mnemonics absent here (the VMX instructions) go to `env.vmx` or raise #UD (cpu.ts).

import type { Handler } from '../operand.ts';
import { ALU_HANDLERS } from './alu.ts';
import { BITS_HANDLERS } from './bits.ts';
import { BRANCH_HANDLERS } from './branch.ts';
import { execFarCall, execFarJmp, FAR_HANDLERS } from './far.ts';
import { IO_HANDLERS } from './io.ts';
import { LEGACY_HANDLERS } from './legacy.ts';
import { MOV_HANDLERS } from './mov.ts';
import { MULDIV_HANDLERS } from './muldiv.ts';
import { SHIFT_HANDLERS } from './shift.ts';
import { STACK_HANDLERS } from './stack.ts';
import { STRING_HANDLERS } from './string.ts';
import { SYSTEM_HANDLERS } from './system.ts';

/** Mnemonic -> handler. */
export const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ...ALU_HANDLERS, ...BITS_HANDLERS, ...BRANCH_HANDLERS, ...FAR_HANDLERS, ...IO_HANDLERS, ...MOV_HANDLERS,
  ...LEGACY_HANDLERS, ...MULDIV_HANDLERS, ...SHIFT_HANDLERS, ...STACK_HANDLERS, ...STRING_HANDLERS, ...SYSTEM_HANDLERS,
]);

/**
 * Handlers chosen by form id before the mnemonic: the far JMP/CALL forms, which the decoder
 * reports as `jmp`/`call` like the near ones (the SDM gives both one mnemonic).
 */
export const FORM_HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['JMP_ptr1616', execFarJmp], ['JMP_ptr1632', execFarJmp], ['JMP_m1616', execFarJmp], ['JMP_m1632', execFarJmp], ['JMP_m1664', execFarJmp],
  ['CALL_ptr1616', execFarCall], ['CALL_ptr1632', execFarCall], ['CALL_m1616', execFarCall], ['CALL_m1632', execFarCall], ['CALL_m1664', execFarCall],
]);
