// The outside world of the CLI, injectable so tests run commands in-process without spawning.

import { readFileSync, writeFileSync } from 'node:fs';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads a text file; throws on failure (the caller reports it). */
  readText(path: string): string;
  writeBytes(path: string, bytes: Uint8Array): void;
}

/** The real process streams and file system. */
export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readText: (p) => readFileSync(p, 'utf8'),
  writeBytes: (p, b) => writeFileSync(p, b),
};
