// VMCS component encodings: the 32-bit value VMREAD/VMWRITE take in a register. SDM
// Vol. 3C §25.11.2 VMREAD, VMWRITE, and Encodings of VMCS Fields (table "Structure of
// VMCS Component Encoding"); Vol. 3D Appendix B Field Encoding in VMCS.

import { bitfield } from '../bitfield.ts';
import { sdm } from '../sdm.ts';

export const SDM_VMCS_ENCODING = sdm('3C', '25.11.2', 'VMREAD, VMWRITE, and Encodings of VMCS Fields');
const R = SDM_VMCS_ENCODING;

export const VMCS_ENCODING = bitfield({
  name: 'VMCS component encoding',
  size: 32,
  sdm: R,
  fields: {
    ACCESS_HIGH: { bit: 0, sdmName: 'Access type', doc: '0 = full, 1 = high (bits 63:32 of a 64-bit field; only for 64-bit fields).', sdm: R },
    INDEX: { bit: 1, width: 9, sdmName: 'Index', doc: 'Distinguishes fields of the same width and type.', sdm: R },
    TYPE: { bit: 10, width: 2, sdmName: 'Type', doc: '0 = control, 1 = VM-exit information (read-only), 2 = guest state, 3 = host state.', sdm: R },
    WIDTH: { bit: 13, width: 2, sdmName: 'Width', doc: '0 = 16-bit, 1 = 64-bit, 2 = 32-bit, 3 = natural width.', sdm: R },
  },
  reserved: 0xffff_8000n | 0x1000n,
});

export type VmcsWidth = '16' | '32' | '64' | 'natural';
export type VmcsArea = 'control' | 'exit-info' | 'guest' | 'host';

/** Encoding value of each width (bits 14:13) and area (bits 11:10), in SDM order. */
export const WIDTH_CODE: Readonly<Record<VmcsWidth, number>> = { '16': 0, '64': 1, '32': 2, natural: 3 };
export const AREA_CODE: Readonly<Record<VmcsArea, number>> = { control: 0, 'exit-info': 1, guest: 2, host: 3 };
const WIDTHS: readonly VmcsWidth[] = ['16', '64', '32', 'natural'];
const AREAS: readonly VmcsArea[] = ['control', 'exit-info', 'guest', 'host'];

export interface DecodedEncoding {
  readonly high: boolean;
  readonly index: number;
  readonly area: VmcsArea;
  readonly width: VmcsWidth;
  /** Bit 12 or any of bits 31:15 set: never a valid component. */
  readonly reservedBits: boolean;
  /** Access type "high" on a field that is not 64-bit: never a valid component. */
  readonly badHighAccess: boolean;
}

/** Splits an encoding into its parts (the lower 32 bits of `enc`). */
export function decodeEncoding(enc: number): DecodedEncoding {
  const v = BigInt(enc >>> 0);
  const width = WIDTHS[Number(VMCS_ENCODING.get(v, 'WIDTH'))]!;
  const high = VMCS_ENCODING.has(v, 'ACCESS_HIGH');
  return {
    high,
    index: Number(VMCS_ENCODING.get(v, 'INDEX')),
    area: AREAS[Number(VMCS_ENCODING.get(v, 'TYPE'))]!,
    width,
    reservedBits: (v & VMCS_ENCODING.reservedMask) !== 0n,
    badHighAccess: high && width !== '64',
  };
}

/** Builds an encoding from its parts. */
export function makeEncoding(width: VmcsWidth, area: VmcsArea, index: number, high = false): number {
  return (WIDTH_CODE[width] << 13) | (AREA_CODE[area] << 10) | (index << 1) | (high ? 1 : 0);
}
