// The decoder's read head over one instruction's bytes, with the architectural
// 15-byte limit. SDM Vol. 2A §2.1 "Instruction Format for Protected Mode,
// Real-Address Mode, and Virtual-8086 Mode": an instruction longer than 15 bytes
// raises #GP(0); the cursor never fetches past offset 14, it marks the overflow instead.

import type { ByteFetcher } from './isa/decoded.ts';

/** Maximum instruction length in bytes (SDM Vol. 2A §2.1 Instruction Format). */
export const MAX_INSN_LENGTH = 15;

/**
 * A read position over the bytes of the instruction being decoded. Reading past
 * the 15-byte limit returns 0 and sets `overflow`, so the decoder reports
 * 'too-long' without ever fetching byte 16 (which could page-fault first).
 */
export class DecodeCursor {
  pos = 0;
  overflow = false;
  /** The byte `peek` fetched (at `peekPos`), so each byte is fetched once. */
  private peekPos = -1;
  private peekVal = 0;

  constructor(readonly fetch: ByteFetcher) {}

  /** Next byte, 0-255. */
  u8(): number {
    if (this.pos >= MAX_INSN_LENGTH) {
      this.overflow = true;
      return 0;
    }
    if (this.peekPos === this.pos) {
      this.pos++;
      return this.peekVal;
    }
    return this.fetch(this.pos++) & 0xff;
  }

  /** Looks at the next byte without consuming it (0 past the limit). */
  peek(): number {
    if (this.pos >= MAX_INSN_LENGTH) {
      this.overflow = true;
      return 0;
    }
    if (this.peekPos !== this.pos) {
      this.peekVal = this.fetch(this.pos) & 0xff;
      this.peekPos = this.pos;
    }
    return this.peekVal;
  }

  /** Little-endian unsigned 16-bit value. */
  u16(): number {
    const lo = this.u8();
    return lo | (this.u8() << 8);
  }

  /** Little-endian unsigned 32-bit value (as a non-negative number). */
  u32(): number {
    const lo = this.u16();
    return (lo | (this.u16() << 16)) >>> 0;
  }

  /** Reads `size` bytes as a signed integer (two's complement), as a bigint. */
  signed(size: 1 | 2 | 4 | 8): bigint {
    switch (size) {
      case 1: return BigInt((this.u8() << 24) >> 24);
      case 2: return BigInt((this.u16() << 16) >> 16);
      case 4: return BigInt(this.u32() | 0);
      case 8: {
        const lo = this.u32();
        const hi = this.u32() | 0;
        return (BigInt(hi) << 32n) | BigInt(lo);
      }
    }
  }

  /** Reads `size` bytes as an unsigned integer, as a bigint. */
  unsigned(size: 1 | 2 | 4 | 8): bigint {
    switch (size) {
      case 1: return BigInt(this.u8());
      case 2: return BigInt(this.u16());
      case 4: return BigInt(this.u32());
      case 8: {
        const lo = this.u32();
        const hi = this.u32();
        return (BigInt(hi) << 32n) | BigInt(lo);
      }
    }
  }
}
