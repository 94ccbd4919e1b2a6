// RFLAGS (SDM Vol. 1 §3.4.3 EFLAGS Register; system flags: Vol. 3A §2.3). Bit 1 is
// always 1; bits 3, 5, 15 and 63:22 are reserved and always 0 (POPF ignores them,
// VM entry checks them in the guest RFLAGS field).

import { bitfield } from './bitfield.ts';
import { SDM_EFLAGS as S, SDM_SYSTEM_FLAGS as Y } from './sdm-refs.ts';

export const RFLAGS = bitfield({
  name: 'RFLAGS',
  size: 64,
  sdm: S,
  fields: {
    CF: { bit: 0, sdmName: 'Carry Flag', doc: 'Carry or borrow out of the most significant bit.', sdm: S },
    FIXED: { bit: 1, sdmName: 'Reserved (always 1)', doc: 'Always 1: reads as 1, writes ignored.', sdm: S },
    PF: { bit: 2, sdmName: 'Parity Flag', doc: 'Low byte of the result has an even number of 1 bits.', sdm: S },
    AF: { bit: 4, sdmName: 'Auxiliary Carry Flag', doc: 'Carry or borrow out of bit 3 (BCD arithmetic).', sdm: S },
    ZF: { bit: 6, sdmName: 'Zero Flag', doc: 'Result is zero.', sdm: S },
    SF: { bit: 7, sdmName: 'Sign Flag', doc: 'Most significant bit of the result.', sdm: S },
    TF: { bit: 8, sdmName: 'Trap Flag', doc: 'Single-step: #DB after each instruction.', sdm: Y },
    IF: { bit: 9, sdmName: 'Interrupt Enable Flag', doc: 'Maskable external interrupts are accepted.', sdm: Y },
    DF: { bit: 10, sdmName: 'Direction Flag', doc: 'String instructions decrement their pointers.', sdm: S },
    OF: { bit: 11, sdmName: 'Overflow Flag', doc: 'Signed result does not fit the destination.', sdm: S },
    IOPL: { bit: 12, width: 2, sdmName: 'I/O Privilege Level', doc: 'Highest CPL allowed to use IN/OUT/CLI/STI without the I/O bitmap.', sdm: Y },
    NT: { bit: 14, sdmName: 'Nested Task', doc: 'Current task was called from another (IRET does a task switch).', sdm: Y },
    RF: { bit: 16, sdmName: 'Resume Flag', doc: 'Suppresses instruction breakpoints for one instruction.', sdm: Y },
    VM: { bit: 17, sdmName: 'Virtual-8086 Mode', doc: 'Virtual-8086 mode (impossible in IA-32e mode).', sdm: Y },
    AC: { bit: 18, sdmName: 'Alignment Check / Access Control', doc: 'Alignment checking at CPL 3; SMAP override in supervisor mode.', sdm: Y },
    VIF: { bit: 19, sdmName: 'Virtual Interrupt Flag', doc: 'Virtual image of IF (VME/PVI).', sdm: Y },
    VIP: { bit: 20, sdmName: 'Virtual Interrupt Pending', doc: 'A virtual interrupt is pending (VME/PVI).', sdm: Y },
    ID: { bit: 21, sdmName: 'Identification Flag', doc: 'Software can toggle it when CPUID is supported.', sdm: Y },
  },
  reserved: 0xffff_ffff_ffc0_0000n | 0x8028n,
});

/** The bit that is always 1 in RFLAGS. */
export const RFLAGS_FIXED1 = RFLAGS.mask.FIXED;

/** The arithmetic status flags (CF PF AF ZF SF OF). */
export const RFLAGS_STATUS = RFLAGS.of('CF', 'PF', 'AF', 'ZF', 'SF', 'OF');

/** Linux names (`X86_EFLAGS_*`, processor-flags.h) for each RFLAGS field. */
export const RFLAGS_LINUX_PREFIX = 'X86_EFLAGS_';
