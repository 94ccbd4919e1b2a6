// vmx-lab: the headless command (DESIGN section 6, a contract; docs/cli.md). `main` is pure over
// its CliIo so tests call it in-process; run as a script it uses the real process.

import { fileURLToPath } from 'node:url';
import { HELP, parseArgs } from './args.ts';
import { runAsm } from './commands/asm.ts';
import { runInc } from './commands/inc.ts';
import { runLessonCommand } from './commands/lesson.ts';
import { runProfiles } from './commands/profiles.ts';
import { runRun } from './commands/run.ts';
import { processIo, type CliIo } from './io.ts';

/** Runs one command line; returns the exit code (0 ok, 1 a lesson goal failed, 2 usage error or a program that did not assemble). */
export function main(argv: readonly string[], io: CliIo = processIo): number {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    io.stderr(`vmx-lab: ${parsed.error}\n(try 'vmx-lab --help')\n`);
    return 2;
  }
  const c = parsed.command;
  switch (c.cmd) {
    case 'help':
      io.stdout(HELP);
      return 0;
    case 'run':
      return runRun(c, io);
    case 'asm':
      return runAsm(c, io);
    case 'inc':
      return runInc(io);
    case 'profiles':
      return runProfiles(c, io);
    case 'lesson':
      return runLessonCommand(c, io);
  }
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
const viaBin = process.argv[1]?.endsWith('vmx-lab.mjs') || process.argv[1]?.endsWith('vmx-lab');
if (invokedDirectly || viaBin) {
  // A reader that stops early (`vmx-lab lesson list | head`) closes the pipe: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.exitCode = main(process.argv.slice(2));
}
