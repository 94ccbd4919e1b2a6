// X86Fault: the one error the core throws (STYLE rule 9). An instruction that raises an
// exception (#UD, #GP, #PF, ...) throws it; `Machine.step` catches it and either delivers it
// through the IDT (interrupts.ts) or stops the machine. SDM Vol. 3A §6.15 "Exception and
// Interrupt Reference" lists the vectors and which push an error code.

/** Exception vectors used by the executor (SDM Vol. 3A §6.3.1 "IA-32 Exceptions", Table 6-1). */
export const Vector = {
  DE: 0,
  DB: 1,
  NMI: 2,
  BP: 3,
  OF: 4,
  BR: 5,
  UD: 6,
  NM: 7,
  DF: 8,
  TS: 10,
  NP: 11,
  SS: 12,
  GP: 13,
  PF: 14,
  MF: 16,
  AC: 17,
  MC: 18,
  XM: 19,
} as const;

/** Short names ('#GP') by vector. */
export const VECTOR_NAMES: Readonly<Record<number, string>> = {
  0: '#DE', 1: '#DB', 2: 'NMI', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF',
  10: '#TS', 11: '#NP', 12: '#SS', 13: '#GP', 14: '#PF', 16: '#MF', 17: '#AC', 18: '#MC', 19: '#XM',
};

/**
 * How the event is delivered: a fault returns to the faulting instruction; a trap or a software
 * interrupt (INT n, INT3, INTO) to the next one (`nextRip`); an external interrupt or NMI
 * ('interrupt', raised by the platform or injected by VM entry) to the current RIP, with no
 * error code and no gate-DPL check. SDM Vol. 3A §6.5 "Exception Classifications".
 */
export type FaultKind = 'fault' | 'trap' | 'software' | 'interrupt';

/** An x86 exception raised by an instruction. */
export class X86Fault extends Error {
  /**
   * @param vector exception vector (0-255; software interrupts may use any)
   * @param errorCode the error code pushed on delivery, or undefined when the vector has none
   * @param reason plain-words reason for the learner ("CR4.PAE cleared while IA32_EFER.LMA = 1")
   * @param kind fault, trap, or software interrupt
   * @param nextRip for traps and software interrupts: the RIP pushed on delivery
   * @param cr2 for #PF: the faulting linear address, written to CR2 on delivery
   */
  constructor(
    readonly vector: number,
    readonly errorCode: number | undefined,
    readonly reason: string,
    readonly kind: FaultKind = 'fault',
    readonly nextRip?: number,
    readonly cr2?: number,
  ) {
    super(`${VECTOR_NAMES[vector] ?? `vector ${vector}`}${errorCode === undefined ? '' : `(${errorCode.toString(16)}h)`}: ${reason}`);
    this.name = 'X86Fault';
  }

  /** '#GP', '#PF', ... */
  get shortName(): string {
    return VECTOR_NAMES[this.vector] ?? `INT ${this.vector}`;
  }
}

/** #UD (SDM Vol. 3A §6.15 "Interrupt 6—Invalid Opcode Exception"). */
export function ud(reason: string): X86Fault {
  return new X86Fault(Vector.UD, undefined, reason);
}

/** #GP(code), code 0 unless a selector is at fault (SDM Vol. 3A §6.15 "Interrupt 13—General Protection Exception"). */
export function gp(reason: string, code = 0): X86Fault {
  return new X86Fault(Vector.GP, code, reason);
}

/** #SS(code) (SDM Vol. 3A §6.15 "Interrupt 12—Stack Fault Exception"). */
export function ss(reason: string, code = 0): X86Fault {
  return new X86Fault(Vector.SS, code, reason);
}

/** #NP(selector) (SDM Vol. 3A §6.15 "Interrupt 11—Segment Not Present"). */
export function np(reason: string, code: number): X86Fault {
  return new X86Fault(Vector.NP, code, reason);
}

/** #TS(selector) (SDM Vol. 3A §6.15 "Interrupt 10—Invalid TSS Exception"). */
export function ts(reason: string, code: number): X86Fault {
  return new X86Fault(Vector.TS, code, reason);
}

/** #DE (SDM Vol. 3A §6.15 "Interrupt 0—Divide Error Exception"). */
export function de(reason: string): X86Fault {
  return new X86Fault(Vector.DE, undefined, reason);
}

/** #PF with its error code and CR2 (SDM Vol. 3A §4.7 "Page-Fault Exceptions"). */
export function pf(reason: string, errorCode: number, linear: number): X86Fault {
  return new X86Fault(Vector.PF, errorCode, reason, 'fault', undefined, linear);
}

/**
 * Error code for a selector-related fault (SDM Vol. 3A §6.13 "Error Code"): the selector index
 * and TI bit, with EXT = 0 (the executor raises these from instructions, not during delivery
 * unless `ext`), IDT = 0.
 */
export function selectorErrorCode(selector: number, ext = false): number {
  return (selector & 0xfffc) | (ext ? 1 : 0);
}
