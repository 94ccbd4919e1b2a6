// The lab's fixed memory layout (DESIGN.md section 5, a contract): where physical memory
// is mapped, where the program image is loaded, and how large its stack is. The
// assembler's LAB_BASE/PHYS_OFFSET symbols and the boot machine both read these.

/** Virtual address at which every physical address P is mapped (Linux's direct map base). */
export const PHYS_OFFSET = 0xffff_8880_0000_0000n;

/** Physical address at which the program image is loaded (1 MiB, above the legacy area). */
export const LAB_IMAGE_PHYS = 0x10_0000n;

/** Virtual address of the program's first byte: `org LAB_BASE` in every program. */
export const LAB_BASE = PHYS_OFFSET + LAB_IMAGE_PHYS;

/** Size of the stack RSP points to the top of when a program starts: 16 KiB. */
export const LAB_STACK_SIZE = 0x4000n;

/** Virtual address of a physical one in the direct map (`P + PHYS_OFFSET`). */
export function physToVirt(phys: bigint): bigint {
  return (phys + PHYS_OFFSET) & 0xffff_ffff_ffff_ffffn;
}

/** Physical address of a direct-map virtual address: what the `PA(x)` macro computes. */
export function virtToPhys(virt: bigint): bigint {
  return (virt - PHYS_OFFSET) & 0xffff_ffff_ffff_ffffn;
}
