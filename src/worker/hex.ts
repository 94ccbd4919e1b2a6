// The one way the worker writes a number for the panels: lower-case 0x-hex of its 64-bit
// two's-complement value (a negative number, such as a sign-extended linear address, as the
// register holds it).

/** `v` as 0x-hex of its low 64 bits. */
export function hex(v: bigint | number): string {
  return `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
}
