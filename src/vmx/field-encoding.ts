// The parts of a VMCS field encoding the store needs (SDM Vol. 3C §25.11.2 "VMREAD, VMWRITE,
// and Encodings of VMCS Fields"), from the one declaration in src/arch/vmcs/encoding.ts.

import { decodeEncoding, VMCS_ENCODING } from '../arch/vmcs/encoding.ts';

/** Whether the encoding asks for the high 32 bits of a 64-bit field. */
export function isHighAccess(encoding: number): boolean {
  return decodeEncoding(encoding).high;
}

/** The same encoding with full access (bit 0 clear). */
export function fullEncoding(encoding: number): number {
  return Number(VMCS_ENCODING.set(BigInt(encoding >>> 0), 'ACCESS_HIGH', false));
}

/** Size in bytes a field of this encoding occupies (natural width is 8 bytes on Intel 64 processors). */
export function encodingByteWidth(encoding: number): 2 | 4 | 8 {
  const w = decodeEncoding(encoding).width;
  return w === '16' ? 2 : w === '32' ? 4 : 8;
}
