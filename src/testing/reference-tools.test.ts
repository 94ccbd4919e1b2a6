// The NASM, objdump and native-CPU tiers skip themselves where their reference tool is
// missing (a developer's laptop). Under `npm test` (and so in CI) the tools are required:
// scripts/test-all.mjs installs them and sets VMXLAB_REQUIRE_TOOLS=1, and this test fails
// if any is still missing, so no tier can skip itself into green there.
import { spawnSync } from 'node:child_process';
import { arch, platform } from 'node:os';
import { describe, expect, it } from 'vitest';

const onPath = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

describe.runIf(process.env.VMXLAB_REQUIRE_TOOLS === '1')('reference tools under npm test', () => {
  it.each(['nasm', 'objdump', 'gcc'])('%s is on the PATH', (tool) => {
    expect(onPath(tool), `${tool} is missing: the tiers that compare against it would be skipped`).toBe(true);
  });

  it('the host is x86-64 Linux, so the native-CPU tier runs', () => {
    expect(`${platform()}/${arch()}`).toBe('linux/x64');
  });
});
