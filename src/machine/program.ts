// A program as the machine loads it: the image bytes and a way back from an image offset to the
// source line that produced it (for the event log). Built from the assembler's result or from
// raw bytes.

import { lineAtAddress, type AssemblyResult } from '../asm/index.ts';

/** Image bytes plus a map from image offset to 1-based source line. */
export interface Program {
  readonly bytes: Uint8Array;
  /** Source line of the instruction whose first byte is at `offset`, if known. */
  lineAt(offset: number): number | undefined;
}

/** A program with no source (raw bytes): no line numbers in events. */
export function programFromBytes(bytes: Uint8Array): Program {
  return { bytes, lineAt: () => undefined };
}

/**
 * A program from bytes and a per-byte line table (`lines[offset]` = 1-based line, 0 = none),
 * the shape the assembler's listing gives.
 */
export function programFromLineTable(bytes: Uint8Array, lines: ArrayLike<number>): Program {
  return {
    bytes,
    lineAt: (offset) => {
      const l = offset >= 0 && offset < lines.length ? lines[offset] : 0;
      return l > 0 ? l : undefined;
    },
  };
}

/** A program from the assembler's result: bytes, and lines from its line map. */
export function programFromAssembly(r: AssemblyResult): Program {
  return {
    bytes: r.bytes,
    lineAt: (offset) => lineAtAddress(r.lineMap, r.origin + BigInt(offset)),
  };
}
