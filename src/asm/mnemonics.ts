// Which words start an instruction. The instruction table knows the mnemonics lab-asm
// encodes; NASM knows many more, and a line such as `cmc` or `movd` must not be taken
// for a label just because the lab cannot encode it: such lines get "not supported".

import { formsForMnemonic } from '../x86/isa/table.ts';

/** x86 mnemonics NASM accepts in 64-bit code that the lab's instruction table may lack. */
const OTHER_NASM_MNEMONICS = `
aaa aad aam aas adcx adox andn arpl bextr blsi blsmsk blsr bound bsf bsr bswap bt btc btr bts bzhi
call cbw cdq cdqe clac clc cld clflush clflushopt cli clts clwb cmc cmova cmp cmpsb cmpsd cmpsq cmpsw
cmpxchg cmpxchg8b cmpxchg16b cpuid cqo crc32 cwd cwde daa das dec div emms encls enclu enter
f2xm1 fabs fadd faddp fbld fbstp fchs fclex fcmovb fcom fcomi fcomip fcomp fcompp fcos fdecstp fdiv fdivp
fdivr fdivrp ffree fiadd ficom ficomp fidiv fidivr fild fimul fincstp finit fist fistp fisttp fisub fisubr
fld fld1 fldcw fldenv fldl2e fldl2t fldlg2 fldln2 fldpi fldz fmul fmulp fnclex fninit fnop fnsave fnstcw
fnstenv fnstsw fpatan fprem fprem1 fptan frndint frstor fsave fscale fsin fsincos fsqrt fst fstcw fstenv
fstp fstsw fsub fsubp fsubr fsubrp ftst fucom fucomi fucomip fucomp fucompp fwait fxam fxch fxrstor
fxrstor64 fxsave fxsave64 fxtract fyl2x fyl2xp1 getsec hlt icebp idiv imul in inc incsspd incsspq insb
insd insw int int1 int3 into invd invept invlpg invlpga invpcid invvpid iret iretd iretq iretw jcxz
jecxz jmp jrcxz lahf lar lddqu ldmxcsr lds lea leave les lfence lfs lgdt lgs lidt lldt lmsw lock lodsb
lodsd lodsq lodsw loop loope loopne loopnz loopz lsl lss ltr lzcnt monitor monitorx movbe movd movdqa
movdqu movq movsb movsd movsq movsw movsx movsxd movzx mul mulx mwait mwaitx neg nop not or out outsb
outsd outsw pause pdep pext pop popa popad popcnt popf popfd popfq popfw prefetch prefetchnta
prefetcht0 prefetcht1 prefetcht2 prefetchw ptwrite push pusha pushad pushf pushfd pushfq pushfw
rcl rcr rdfsbase rdgsbase rdmsr rdpid rdpkru rdpmc rdrand rdseed rdsspd rdsspq rdtsc rdtscp ret retf
retn rol ror rorx rsm sahf sal sar sarx sbb scasb scasd scasq scasw serialize sfence sgdt shl shld
shlx shr shrd shrx sidt skinit sldt smsw stac stc std stgi sti stmxcsr stosb stosd stosq stosw str
sub swapgs syscall sysenter sysexit sysexitq sysret sysretq test tpause tzcnt ud0 ud1 ud2 ud2a ud2b
umonitor umwait verr verw vmcall vmclear vmfunc vmlaunch vmload vmmcall vmptrld vmptrst vmread
vmresume vmrun vmsave vmwrite vmxoff vmxon wait wbinvd wbnoinvd wrfsbase wrgsbase wrmsr wrpkru
wrssd wrssq xabort xadd xbegin xchg xend xgetbv xlat xlatb xor xrstor xrstor64 xrstors xsave xsave64
xsavec xsaveopt xsaves xsetbv xtest add adc and cmpsb cvtsi2sd movaps movups pxor paddd addps
`.trim().split(/\s+/);

const OTHER = new Set(OTHER_NASM_MNEMONICS);
const CC = ['o', 'no', 'b', 'c', 'nae', 'ae', 'nb', 'nc', 'e', 'z', 'ne', 'nz', 'be', 'na', 'a', 'nbe', 's', 'ns', 'p', 'pe', 'np', 'po', 'l', 'nge', 'ge', 'nl', 'le', 'ng', 'g', 'nle'];
for (const cc of CC) for (const f of ['j', 'set', 'cmov']) OTHER.add(f + cc);

/** Instruction prefixes NASM accepts written before a mnemonic. */
export const PREFIXES: ReadonlySet<string> = new Set([
  'lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'o16', 'o32', 'o64', 'a16', 'a32', 'a64',
  'xacquire', 'xrelease', 'bnd', 'nobnd', 'cs', 'ds', 'es', 'fs', 'gs', 'ss',
]);

/** Whether the lab's instruction table can encode `name` (case-insensitive). */
export function isSupportedMnemonic(name: string): boolean {
  return formsForMnemonic(name.toLowerCase()) !== undefined;
}

/** Whether NASM would read `name` as an instruction mnemonic (supported by the lab or not). */
export function isMnemonic(name: string): boolean {
  const n = name.toLowerCase();
  return OTHER.has(n) || isSupportedMnemonic(n);
}
