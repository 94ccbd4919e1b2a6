// The full VT-x bring-up program the later lessons and the challenges start from (adapted from
// src/machine/conformance/bringup.asm): every lesson changes one part of it, so its starting
// program breaks exactly the thing it teaches and its solution is the working whole.
// Result convention: rbx = 0x600d on success, 0xbad on any failure; r15 = VM exits seen,
// r14 = last exit reason, r13 = the guest's EAX at the last exit.

/** Which part of the bring-up to write the broken (or different) way. */
export interface BringupOptions {
  /** How CR0/CR4 are prepared: adjusted to the FIXED MSRs, or only CR4.VMXE set. */
  readonly crs?: 'adjust' | 'vmxe-only';
  /** VMXON operand: the region's physical address, or (broken) its virtual address. */
  readonly vmxonAddress?: 'physical' | 'virtual';
  /** Controls: adjusted to the capability MSRs; written as wanted (broken); adjusted with allowed-0/1 swapped (broken). */
  readonly controls?: 'adjust' | 'raw' | 'swapped' | 'partly' | 'hardcoded';
  /** Host state: complete; without HOST_CR0/HOST_CR4; without HOST_TR_SELECTOR. */
  readonly host?: 'full' | 'no-crs' | 'no-tr';
  /** Guest state: complete; without the VMCS link pointer; activity state from a register never set. */
  readonly guest?: 'full' | 'no-link' | 'bad-activity';
  /** Guest state written by code (`code`) or from a table of (encoding, value) pairs (`table`, `table-bad-stride`). */
  readonly guestState?: 'code' | 'table' | 'table-bad-stride';
  /** Exit handler: advances GUEST_RIP past the exiting instruction, or (broken) resumes at the same place. */
  readonly handler?: 'advance' | 'no-advance';
  /** When VMLAUNCH fails: read VM_INSTRUCTION_ERROR into r13 then VMXOFF, or (broken) VMXOFF first. */
  readonly onFail?: 'plain' | 'error-then-vmxoff' | 'vmxoff-then-error';
  /** Extra primary processor-based controls wanted (e.g. CPU_BASED_HLT_EXITING). */
  readonly wantProc?: string;
  /** The guest's code (default: two VMCALLs). It must end in an endless loop. */
  readonly guestCode?: string;
  /** Exits the handler counts before it stops (default 2). */
  readonly exitsWanted?: number;
  /** Code run right after the controls are written (more VMWRITEs), and data appended at the end. */
  readonly extraSetup?: string;
  readonly extraData?: string;
}

const PROLOGUE = `start:
    xor r15d, r15d
    xor r14d, r14d
    xor r13d, r13d
`;

/** Step 1 of the bring-up: VMX support (CPUID) and IA32_FEATURE_CONTROL; shared with lesson 13. */
export const VMX_CHECKS = `    ; -- 1. CPUID.1:ECX.VMX[bit 5], and IA32_FEATURE_CONTROL locked with VMX outside SMX enabled
    mov eax, 1
    cpuid
    bt ecx, 5
    jnc fail
    mov ecx, MSR_IA32_FEATURE_CONTROL
    rdmsr
    test eax, FEAT_CTL_LOCKED
    jz fail
    test eax, FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX
    jz fail
`;

/** Step 2: CR0 and CR4 adjusted to the FIXED MSRs, CR4.VMXE set; shared with lesson 13. */
export const CRS_ADJUST = `    ; -- 2. CR0 and CR4 adjusted to IA32_VMX_CR{0,4}_FIXED{0,1}, CR4.VMXE set
    mov ecx, MSR_IA32_VMX_CR0_FIXED0
    rdmsr
    mov rbx, cr0
    or rbx, rax
    mov ecx, MSR_IA32_VMX_CR0_FIXED1
    rdmsr
    and rbx, rax
    mov cr0, rbx
    mov rbx, cr4
    or rbx, X86_CR4_VMXE
    mov ecx, MSR_IA32_VMX_CR4_FIXED0
    rdmsr
    or rbx, rax
    mov ecx, MSR_IA32_VMX_CR4_FIXED1
    rdmsr
    and rbx, rax
    mov cr4, rbx
`;

const CRS_VMXE_ONLY = `    ; -- 2. CR4.VMXE set
    mov rbx, cr4
    or rbx, X86_CR4_VMXE
    mov cr4, rbx
`;

const REVISION = `    ; -- 3. revision identifier (IA32_VMX_BASIC[30:0]) into the VMXON region and the VMCS
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    and eax, 0x7fffffff
    mov [vmxon_region], eax
    mov [vmcs_region], eax
    xor r12d, r12d                      ; 0x481 + 0xc = 0x48d: the TRUE capability MSRs
    bt edx, 23                          ; IA32_VMX_BASIC[55]
    jnc .plain_ctls
    mov r12d, 0xc
.plain_ctls:
`;

/** Step 4: VMXON, VMCLEAR, VMPTRLD; shared with lesson 13. */
export function vmxon(o: BringupOptions): string {
  const addr = o.vmxonAddress === 'virtual'
    ? '    lea rax, [vmxon_region]             ; the region\'s address'
    : '    mov rax, PA(vmxon_region)           ; the region\'s physical address';
  return `    ; -- 4. VMXON, VMCLEAR, VMPTRLD (their operands point to a 64-bit pointer)
${addr}
    mov [vmxon_ptr], rax
    vmxon [vmxon_ptr]
    jbe fail
    mov rax, PA(vmcs_region)
    mov [vmcs_ptr], rax
    vmclear [vmcs_ptr]
    jbe fail
    vmptrld [vmcs_ptr]
    jbe fail
`;
}

/** Control values the adjustment gives on the default profile (Arrow Lake, TRUE capability MSRs). */
const HARDCODED_CONTROLS = `    ; -- 5. VM-execution, VM-exit and VM-entry controls (the values that worked on the author's machine)
    mov ebx, 0x16
    mov eax, PIN_BASED_VM_EXEC_CONTROL
    call vmw
    mov ebx, 0x4006172
    mov eax, CPU_BASED_VM_EXEC_CONTROL
    call vmw
    mov ebx, 0x36ffb
    mov eax, VM_EXIT_CONTROLS
    call vmw
    mov ebx, 0x13fb
    mov eax, VM_ENTRY_CONTROLS
    call vmw
`;

function controls(o: BringupOptions): string {
  if (o.controls === 'hardcoded') return HARDCODED_CONTROLS;
  const proc = o.wantProc ?? '0';
  const exitEntry = o.controls === 'partly' ? `    mov ebx, VM_EXIT_HOST_ADDR_SPACE_SIZE   ; exit and entry controls: only the bits we need
    mov eax, VM_EXIT_CONTROLS
    call vmw
    mov ebx, VM_ENTRY_IA32E_MODE
    mov eax, VM_ENTRY_CONTROLS
    call vmw
` : `    mov ecx, MSR_IA32_VMX_EXIT_CTLS
    mov ebx, VM_EXIT_HOST_ADDR_SPACE_SIZE
    mov eax, VM_EXIT_CONTROLS
    call adjust_and_write
    mov ecx, MSR_IA32_VMX_ENTRY_CTLS
    mov ebx, VM_ENTRY_IA32E_MODE
    mov eax, VM_ENTRY_CONTROLS
    call adjust_and_write
`;
  return `    ; -- 5. VM-execution, VM-exit and VM-entry controls
    mov ecx, MSR_IA32_VMX_PINBASED_CTLS
    xor ebx, ebx
    mov eax, PIN_BASED_VM_EXEC_CONTROL
    call adjust_and_write
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS
    mov ebx, ${proc}
    mov eax, CPU_BASED_VM_EXEC_CONTROL
    call adjust_and_write
${exitEntry}`;
}

function adjustRoutine(o: BringupOptions): string {
  const head = `; ecx = capability MSR (plus r12 to pick the TRUE one), ebx = wanted bits, eax = field
adjust_and_write:
    push rax
    add ecx, r12d
    rdmsr                               ; eax = allowed-0 settings, edx = allowed-1 settings
`;
  const body = o.controls === 'raw'
    ? '                                        ; (the wanted bits are written as they are)\n'
    : o.controls === 'swapped'
      ? '    or ebx, edx                         ; must-be-one bits\n    and ebx, eax                        ; may-be-one bits\n'
      : '    or ebx, eax                         ; bits that must be 1 (allowed-0 = 1)\n    and ebx, edx                        ; bits that may be 1 (allowed-1 = 1)\n';
  return `${head}${body}    pop rax
    ; fall through
; rax = field encoding, rbx = value
vmw:
    vmwrite rax, rbx
    jbe fail
    ret
`;
}

/** Step 6: the host-state area from the running kernel; shared with lesson 13. */
export function host(o: BringupOptions): string {
  const crs = o.host === 'no-crs' ? '' : `    mov rbx, cr0
    mov eax, HOST_CR0
    call vmw
    mov rbx, cr4
    mov eax, HOST_CR4
    call vmw
`;
  const tr = o.host === 'no-tr' ? '' : `    str bx
    movzx ebx, bx
    mov eax, HOST_TR_SELECTOR
    call vmw
`;
  return `    ; -- 6. host state: the running kernel, where VM exits land
${crs}    mov rbx, cr3
    mov eax, HOST_CR3
    call vmw
    mov bx, cs
    movzx ebx, bx
    mov eax, HOST_CS_SELECTOR
    call vmw
    mov bx, ss
    movzx ebx, bx
    mov eax, HOST_SS_SELECTOR
    call vmw
    mov bx, ds
    movzx ebx, bx
    mov eax, HOST_DS_SELECTOR
    call vmw
    mov bx, es
    movzx ebx, bx
    mov eax, HOST_ES_SELECTOR
    call vmw
    mov bx, fs
    movzx ebx, bx
    mov eax, HOST_FS_SELECTOR
    call vmw
    mov bx, gs
    movzx ebx, bx
    mov eax, HOST_GS_SELECTOR
    call vmw
${tr}    mov ecx, MSR_FS_BASE
    call rdmsr64
    mov eax, HOST_FS_BASE
    call vmw
    mov ecx, MSR_GS_BASE
    call rdmsr64
    mov eax, HOST_GS_BASE
    call vmw
    sgdt [gdtr]
    sidt [idtr]
    mov rbx, [gdtr + 2]
    mov eax, HOST_GDTR_BASE
    call vmw
    mov rbx, [idtr + 2]
    mov eax, HOST_IDTR_BASE
    call vmw
    call tr_base
    mov eax, HOST_TR_BASE
    call vmw
    mov rbx, rsp
    mov eax, HOST_RSP
    call vmw
    lea rbx, [vmexit_handler]
    mov eax, HOST_RIP
    call vmw
`;
}

const GUEST_SEGMENTS_CODE = `    mov bx, cs
    mov eax, GUEST_CS_SELECTOR
    call guest_segment
    mov bx, ss
    mov eax, GUEST_SS_SELECTOR
    call guest_segment
    mov bx, ds
    mov eax, GUEST_DS_SELECTOR
    call guest_segment
    mov bx, es
    mov eax, GUEST_ES_SELECTOR
    call guest_segment
    mov bx, fs
    mov eax, GUEST_FS_SELECTOR
    call guest_segment
    mov bx, gs
    mov eax, GUEST_GS_SELECTOR
    call guest_segment
    str bx
    mov eax, GUEST_TR_SELECTOR
    call guest_segment
    xor ebx, ebx
    mov eax, GUEST_LDTR_SELECTOR
    call guest_segment
`;

function guestTableLoop(stride: number): string {
  return `    ; the guest's fixed fields from the machine array: (encoding, value) pairs, 8 bytes each
    lea rsi, [guest_table]
.next_pair:
    mov rax, [rsi]                      ; encoding
    cmp rax, -1                         ; end of the table
    je .table_done
    mov rbx, [rsi + 8]                  ; value
    call vmw
    add rsi, ${stride}
    jmp .next_pair
.table_done:
`;
}

function guest(o: BringupOptions): string {
  const segments = o.guestState === 'table' ? guestTableLoop(16) : o.guestState === 'table-bad-stride' ? guestTableLoop(8) : GUEST_SEGMENTS_CODE;
  const link = o.guest === 'no-link' ? '' : `    mov rbx, -1
    mov eax, VMCS_LINK_POINTER
    call vmw
`;
  const activity = o.guest === 'bad-activity' ? `    mov eax, GUEST_ACTIVITY_STATE       ; the guest starts active (rbx = 0?)
    call vmw
` : `    xor ebx, ebx                        ; 0 = active
    mov eax, GUEST_ACTIVITY_STATE
    call vmw
`;
  return `    ; -- 7. guest state: the same flat 64-bit world, its own stack and code
    mov rbx, cr0
    mov eax, GUEST_CR0
    call vmw
    mov rbx, cr3
    mov eax, GUEST_CR3
    call vmw
    mov rbx, cr4
    mov eax, GUEST_CR4
    call vmw
    mov ebx, 0x400
    mov eax, GUEST_DR7
    call vmw
${segments}    mov ecx, MSR_FS_BASE
    call rdmsr64
    mov eax, GUEST_FS_BASE
    call vmw
    mov ecx, MSR_GS_BASE
    call rdmsr64
    mov eax, GUEST_GS_BASE
    call vmw
    call tr_base
    mov eax, GUEST_TR_BASE
    call vmw
    mov rbx, [gdtr + 2]
    mov eax, GUEST_GDTR_BASE
    call vmw
    movzx ebx, word [gdtr]
    mov eax, GUEST_GDTR_LIMIT
    call vmw
    mov rbx, [idtr + 2]
    mov eax, GUEST_IDTR_BASE
    call vmw
    movzx ebx, word [idtr]
    mov eax, GUEST_IDTR_LIMIT
    call vmw
    lea rbx, [guest_stack_top]
    mov eax, GUEST_RSP
    call vmw
    lea rbx, [guest_code]
    mov eax, GUEST_RIP
    call vmw
${activity}    mov ebx, 2
    mov eax, GUEST_RFLAGS
    call vmw
${link}`;
}

function launch(o: BringupOptions): string {
  const failPath = o.onFail === 'error-then-vmxoff'
    ? `    ; VMLAUNCH fell through: VMfailValid leaves the error number in the current VMCS
    mov eax, VM_INSTRUCTION_ERROR
    vmread r13, rax
    vmxoff
    jmp fail
`
    : o.onFail === 'vmxoff-then-error'
      ? `    ; VMLAUNCH fell through: leave VMX operation, then see what went wrong
    vmxoff
    mov eax, VM_INSTRUCTION_ERROR
    vmread r13, rax
    jmp fail
`
      : `    jmp fail                            ; VMLAUNCH fell through: VMfail
`;
  const advance = o.handler === 'no-advance' ? '' : `    mov eax, GUEST_RIP                  ; skip the instruction that exited
    vmread rbx, rax
    mov eax, VM_EXIT_INSTRUCTION_LEN
    vmread rcx, rax
    add rbx, rcx
    mov eax, GUEST_RIP
    vmwrite rax, rbx
`;
  return `    ; -- 8. launch
    vmlaunch
${failPath}
; A VM exit lands here, on HOST_RIP with HOST_RSP.
vmexit_handler:
    mov r13, rax                        ; the guest's EAX (VM exits do not switch general registers)
    inc r15
    mov eax, VM_EXIT_REASON
    vmread r14, rax
    cmp r15, ${o.exitsWanted ?? 2}
    je done
${advance}    vmresume
    jmp fail
done:
    mov ebx, 0x600d
    hlt
fail:
    mov ebx, 0xbad
    hlt

guest_code:
${o.guestCode ?? `    mov eax, 1
    vmcall
    mov eax, 2
    vmcall
    jmp guest_code`}
`;
}

/** rdmsr64 and tr_base, the routines the host-state code calls; shared with lesson 13. */
export const HOST_HELPERS = `
; ecx = MSR -> rbx = its 64-bit value
rdmsr64:
    rdmsr
    shl rdx, 32
    or rax, rdx
    mov rbx, rax
    ret

; rbx = base of the TSS that TR selects, read from its 16-byte GDT descriptor
tr_base:
    str ax
    movzx eax, ax
    and eax, 0xfff8
    add rax, [gdtr + 2]
    movzx ebx, word [rax + 2]
    movzx ecx, byte [rax + 4]
    shl ecx, 16
    or ebx, ecx
    movzx ecx, byte [rax + 7]
    shl ecx, 24
    or ebx, ecx
    mov ecx, [rax + 8]
    shl rcx, 32
    or rbx, rcx
    ret
`;

const GUEST_SEGMENT_HELPER = `
; bx = selector, eax = the guest selector field; writes selector, access rights (LAR) and limit (LSL)
guest_segment:
    movzx ebx, bx
    mov r8d, eax
    call vmw
    mov r9d, 0x10000                    ; unusable
    mov r10d, 0
    test ebx, ebx
    jz .write
    lar r9d, bx
    shr r9d, 8
    and r9d, 0xf0ff
    lsl r10d, bx
.write:
    mov eax, r8d
    add eax, GUEST_ES_AR_BYTES - GUEST_ES_SELECTOR
    mov ebx, r9d
    call vmw
    mov eax, r8d
    add eax, GUEST_ES_LIMIT - GUEST_ES_SELECTOR
    mov ebx, r10d
    call vmw
    ret
`;

const HELPERS = `${HOST_HELPERS}${GUEST_SEGMENT_HELPER}`;

/** The machine array of lesson 10: the starting machine's selectors, access rights and limits. */
const GUEST_TABLE = `
; The machine array: (field encoding, value) pairs for the guest's segments, as the lab's
; starting machine has them (GDT: 0x08 code, 0x10 data, 0x18 TSS; access rights in VMCS format).
align 8
guest_table:
    dq GUEST_CS_SELECTOR,   0x08
    dq GUEST_CS_AR_BYTES,   0xa09b
    dq GUEST_CS_LIMIT,      0xffffffff
    dq GUEST_SS_SELECTOR,   0x10
    dq GUEST_SS_AR_BYTES,   0xc093
    dq GUEST_SS_LIMIT,      0xffffffff
    dq GUEST_DS_SELECTOR,   0x10
    dq GUEST_DS_AR_BYTES,   0xc093
    dq GUEST_DS_LIMIT,      0xffffffff
    dq GUEST_ES_SELECTOR,   0x10
    dq GUEST_ES_AR_BYTES,   0xc093
    dq GUEST_ES_LIMIT,      0xffffffff
    dq GUEST_FS_SELECTOR,   0x10
    dq GUEST_FS_AR_BYTES,   0xc093
    dq GUEST_FS_LIMIT,      0xffffffff
    dq GUEST_GS_SELECTOR,   0x10
    dq GUEST_GS_AR_BYTES,   0xc093
    dq GUEST_GS_LIMIT,      0xffffffff
    dq GUEST_TR_SELECTOR,   0x18
    dq GUEST_TR_AR_BYTES,   0x8b
    dq GUEST_TR_LIMIT,      0x67
    dq GUEST_LDTR_SELECTOR, 0
    dq GUEST_LDTR_AR_BYTES, 0x10000
    dq GUEST_LDTR_LIMIT,    0
    dq -1, -1
`;

const DATA = `
align 8
vmxon_ptr: dq 0
vmcs_ptr:  dq 0
gdtr: times 10 db 0
idtr: times 10 db 0

align 4096
vmxon_region: times 4096 db 0
vmcs_region:  times 4096 db 0
guest_stack:  times 4096 db 0
guest_stack_top:
`;

/** The bring-up program with the given parts written the given way (default: the working whole). */
export function bringup(o: BringupOptions = {}, header = ''): string {
  const table = o.guestState === 'table' || o.guestState === 'table-bad-stride' ? GUEST_TABLE : '';
  return [
    header,
    PROLOGUE,
    VMX_CHECKS,
    o.crs === 'vmxe-only' ? CRS_VMXE_ONLY : CRS_ADJUST,
    REVISION,
    vmxon(o),
    controls(o),
    o.extraSetup ?? '',
    host(o),
    guest(o),
    launch(o),
    adjustRoutine(o),
    HELPERS,
    table,
    DATA,
    o.extraData ?? '',
  ].join('');
}
