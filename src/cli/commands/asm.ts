// `vmx-lab asm FILE -o OUT.bin [--listing]`: the flat binary `nasm -f bin` makes with vmx.inc.

import { assembleForMachine } from '../assemble.ts';
import type { CliIo } from '../io.ts';

/** Assembles one file; exit code 0, or 2 when it cannot be read or does not assemble. */
export function runAsm(c: { readonly file: string; readonly out: string; readonly listing: boolean }, io: CliIo): number {
  let source: string;
  try {
    source = io.readText(c.file);
  } catch {
    io.stderr(`vmx-lab: cannot read ${c.file}\n`);
    return 2;
  }
  const r = assembleForMachine(source, c.file);
  for (const d of r.diagnostics) io.stderr(`${c.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}\n`);
  if (!r.ok) return 2;
  try {
    io.writeBytes(c.out, r.program.bytes);
  } catch {
    io.stderr(`vmx-lab: cannot write ${c.out}\n`);
    return 2;
  }
  if (c.listing) io.stdout(r.listing);
  return 0;
}
