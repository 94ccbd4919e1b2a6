// The assembler's predefined symbols and the exported vmx.inc (DESIGN.md section 4),
// all derived from the tables of src/arch: nothing here restates a hardware fact.
// Names follow Linux (X86_CR4_VMXE, MSR_IA32_VMX_BASIC, FEAT_CTL_LOCKED, ...) plus
// the SDM names of MSRs (IA32_VMX_BASIC).

import { CR0, CR3, CR4, CR8 } from './cr.ts';
import { EFER } from './efer.ts';
import { EXCEPTIONS, PF_ERROR_CODE } from './exceptions.ts';
import { FEATURE_CONTROL } from './feature-control.ts';
import { LAB_BASE, LAB_IMAGE_PHYS, LAB_STACK_SIZE, PHYS_OFFSET } from './lab.ts';
import { MSRS } from './msrs.ts';
import { PDE_2M, PTE } from './paging.ts';
import { RFLAGS } from './rflags.ts';
import { bitfieldSymbols, type PredefinedSymbol } from './symbol-helpers.ts';
import { vmxSymbols } from './symbols-vmx.ts';

export type { PredefinedSymbol } from './symbol-helpers.ts';
export { NASM_IDENTIFIER, bitfieldSymbols } from './symbol-helpers.ts';

type Sym = PredefinedSymbol;

function labSymbols(): Sym[] {
  return [
    { name: 'PHYS_OFFSET', value: PHYS_OFFSET, doc: 'Virtual address where physical address 0 is mapped (direct map).', group: 'lab' },
    { name: 'LAB_BASE', value: LAB_BASE, doc: 'Virtual address of the program image (org).', group: 'lab' },
    { name: 'LAB_IMAGE_PHYS', value: LAB_IMAGE_PHYS, doc: 'Physical address of the program image.', group: 'lab' },
    { name: 'LAB_STACK_SIZE', value: LAB_STACK_SIZE, doc: 'Size of the initial stack in bytes.', group: 'lab' },
  ];
}

function msrSymbols(): Sym[] {
  const out: Sym[] = [];
  for (const r of MSRS) {
    const value = BigInt(r.index);
    out.push({ name: r.linux, value, doc: `${r.sdmName}: ${r.doc}`, group: 'msr' });
    for (const a of r.aliases) out.push({ name: a, value, doc: `${r.sdmName} (alias of ${r.linux}): ${r.doc}`, group: 'msr' });
    out.push({ name: r.sdmName, value, doc: `${r.linux}: ${r.doc}`, group: 'msr' });
  }
  return out;
}

function exceptionSymbols(): Sym[] {
  return EXCEPTIONS.filter((e) => e.linux !== null).map((e) => ({
    name: `X86_TRAP_${e.linux}`, value: BigInt(e.vector), doc: `${e.mnemonic} ${e.name}: ${e.doc}`, group: 'exception',
  }));
}

const PF_LINUX = { P: 'PROT', WR: 'WRITE', US: 'USER', RSVD: 'RSVD', ID: 'INSTR', PK: 'PK', SS: 'SHSTK', HLAT: 'HLAT', SGX: 'SGX' } as const;
const PAGE_LINUX = { P: 'PRESENT', RW: 'RW', US: 'USER', PWT: 'PWT', PCD: 'PCD', A: 'ACCESSED', D: 'DIRTY', PS: 'PSE', G: 'GLOBAL', PAT: 'PAT_LARGE', XD: 'NX' } as const;

function pagingSymbols(): Sym[] {
  const out: Sym[] = [];
  for (const [field, suffix] of Object.entries(PAGE_LINUX) as [keyof typeof PAGE_LINUX, string][]) {
    const f = PDE_2M.fields[field];
    out.push({ name: `_PAGE_${suffix}`, value: f.mask, doc: `Paging entry ${f.sdmName}: ${f.doc}`, group: 'paging' });
  }
  out.push({ name: '_PAGE_PAT', value: PTE.mask.PAT, doc: `PTE PAT (bit 7 of a 4-KiB PTE): ${PTE.fields.PAT.doc}`, group: 'paging' });
  return out;
}

/** Extra symbol providers registered by the VMX tables (VMCS fields, controls, exit reasons ...). */
const providers: (() => Sym[])[] = [];

/** Adds a source of predefined symbols (used by the VMX half of src/arch). */
export function registerSymbolProvider(p: () => Sym[]): void {
  providers.push(p);
}

/**
 * Every predefined symbol of the assembler and of vmx.inc, in a stable order:
 * lab layout, control registers, EFER, RFLAGS, feature control, MSRs, exceptions,
 * paging, then the VMX groups.
 */
export function predefinedSymbols(): PredefinedSymbol[] {
  return [
    ...labSymbols(),
    ...bitfieldSymbols(CR0, 'X86_CR0_', 'cr0'),
    ...bitfieldSymbols(CR3, 'X86_CR3_', 'cr3'),
    ...bitfieldSymbols(CR4, 'X86_CR4_', 'cr4'),
    ...bitfieldSymbols(CR8, 'X86_CR8_', 'cr8'),
    ...bitfieldSymbols(EFER, 'EFER_', 'efer', { NXE: 'NX' }),
    ...bitfieldSymbols(RFLAGS, 'X86_EFLAGS_', 'rflags'),
    ...bitfieldSymbols(FEATURE_CONTROL, 'FEAT_CTL_', 'feature-control'),
    ...msrSymbols(),
    ...exceptionSymbols(),
    ...bitfieldSymbols(PF_ERROR_CODE, 'X86_PF_', 'exception', PF_LINUX),
    ...pagingSymbols(),
    ...vmxSymbols(),
    ...providers.flatMap((p) => p()),
  ];
}
