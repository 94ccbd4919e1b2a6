// `vmx-lab inc`: prints vmx.inc, every predefined symbol, for use with real NASM.

import { vmxInc } from '../../asm/index.ts';
import type { CliIo } from '../io.ts';

/** Prints vmx.inc; exit code 0. */
export function runInc(io: CliIo): number {
  io.stdout(vmxInc());
  return 0;
}
