// The parts of a VMCS field encoding the store needs (SDM Vol. 3C §25.11.2 "VMREAD, VMWRITE,
// and Encodings of VMCS Fields", Table 25-21 "Structure of VMCS Component Encoding").
// Transitional: src/arch/vmcs/encoding.ts is the one declaration of this layout; this module
// re-expresses it through the bitfield helper until that table lands, then delegates to it.

import { bitfield } from '../arch/bitfield.ts';
import { sdm } from '../arch/sdm.ts';

const REF = sdm('3C', '25.11.2', 'VMREAD, VMWRITE, and Encodings of VMCS Fields');

const ENCODING = bitfield({
  name: 'VMCS field encoding',
  size: 32,
  sdm: REF,
  fields: {
    ACCESS_HIGH: { bit: 0, doc: 'Access type: 1 = high 32 bits of a 64-bit field.' },
    INDEX: { bit: 1, width: 9, doc: 'Index among fields of the same width and type.' },
    TYPE: { bit: 10, width: 2, doc: '0 control, 1 VM-exit information, 2 guest state, 3 host state.' },
    WIDTH: { bit: 13, width: 2, doc: '0 16-bit, 1 64-bit, 2 32-bit, 3 natural width.' },
  },
});

/** Whether the encoding asks for the high 32 bits of a 64-bit field. */
export function isHighAccess(encoding: number): boolean {
  return ENCODING.has(BigInt(encoding), 'ACCESS_HIGH');
}

/** The same encoding with full access (bit 0 clear). */
export function fullEncoding(encoding: number): number {
  return Number(ENCODING.set(BigInt(encoding), 'ACCESS_HIGH', false));
}

/** Size in bytes a field of this encoding occupies (natural width is 8 bytes on Intel 64 processors). */
export function encodingByteWidth(encoding: number): 2 | 4 | 8 {
  const w = ENCODING.get(BigInt(encoding), 'WIDTH');
  return w === 0n ? 2 : w === 2n ? 4 : 8;
}

/** Declared width of a field from its encoding's bits 14:13. */
export function encodingWidth(encoding: number): 16 | 32 | 64 | 'natural' {
  const w = ENCODING.get(BigInt(encoding), 'WIDTH');
  return w === 0n ? 16 : w === 1n ? 64 : w === 2n ? 32 : 'natural';
}

/** Type bits 11:10: 1 marks the read-only VM-exit information fields. */
export function encodingType(encoding: number): 0 | 1 | 2 | 3 {
  return Number(ENCODING.get(BigInt(encoding), 'TYPE')) as 0 | 1 | 2 | 3;
}
