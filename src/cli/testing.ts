// An in-memory CliIo for tests: files from a map, output captured.

import type { CliIo } from './io.ts';

export interface CapturedIo extends CliIo {
  out: string;
  err: string;
  readonly written: Map<string, Uint8Array>;
}

/** A CliIo over `files` (path -> text) that records what the command prints and writes. */
export function memoryIo(files: Record<string, string> = {}): CapturedIo {
  const io: CapturedIo = {
    out: '',
    err: '',
    written: new Map(),
    stdout: (t) => void (io.out += t),
    stderr: (t) => void (io.err += t),
    readText: (p) => {
      const t = files[p];
      if (t === undefined) throw new Error(`ENOENT: ${p}`);
      return t;
    },
    writeBytes: (p, b) => void io.written.set(p, b),
  };
  return io;
}
