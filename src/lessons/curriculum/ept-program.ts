// The program of lesson 12 (EPT): the bring-up of src/machine/conformance/ept.asm with an
// identity-mapped EPT, a guest that reads a page, has the host remap it, reads it again and then
// jumps into a page without execute access. `eptLessonProgram` writes the one place the lesson
// is about: whether the host executes INVEPT after changing the EPT entry, and the EPTP memory type.

const BODY = `%define EPT_RWX 7                       ; read, write, execute (bits 2:0)
%define EPT_WB (6 << 3)                 ; leaf memory type WB (bits 5:3)
%define EPT_LARGE 0x80                  ; bit 7: the PDE maps a 2-MiB page

start:
    xor r15d, r15d
    xor r14d, r14d
    ; -- 1. CPUID.1:ECX.VMX[bit 5]
    mov eax, 1
    cpuid
    bt ecx, 5
    jnc fail
    ; -- 2. IA32_FEATURE_CONTROL locked, VMX outside SMX enabled
    mov ecx, MSR_IA32_FEATURE_CONTROL
    rdmsr
    test eax, FEAT_CTL_LOCKED
    jz fail
    test eax, FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX
    jz fail
    ; -- 3. CR0 and CR4 adjusted to IA32_VMX_CR{0,4}_FIXED{0,1}, CR4.VMXE set
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
    ; -- 4. revision identifier into the VMXON region and the VMCS
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    and eax, 0x7fffffff
    mov [vmxon_region], eax
    mov [vmcs_region], eax
    xor r12d, r12d                      ; 0x481 + 0xc = 0x48d: the TRUE MSRs
    bt edx, 23                          ; IA32_VMX_BASIC[55]
    jnc .plain_ctls
    mov r12d, 0xc
.plain_ctls:
    ; -- 5. VMXON, VMCLEAR, VMPTRLD (operands hold physical addresses)
    mov rax, PA(vmxon_region)
    mov [vmxon_ptr], rax
    vmxon [vmxon_ptr]
    jbe fail
    mov rax, PA(vmcs_region)
    mov [vmcs_ptr], rax
    vmclear [vmcs_ptr]
    jbe fail
    vmptrld [vmcs_ptr]
    jbe fail
    ; -- 6. controls: (wanted | allowed-0) & allowed-1, except "activate secondary controls"
    mov ecx, MSR_IA32_VMX_PINBASED_CTLS
    xor ebx, ebx
    mov eax, PIN_BASED_VM_EXEC_CONTROL
    call adjust_and_write
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS
    add ecx, r12d
    rdmsr
    mov [primary_allowed1], edx
    mov ebx, eax
    or ebx, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS   ; written raw: Core 2 has no secondary controls
    mov eax, CPU_BASED_VM_EXEC_CONTROL
    call vmw
    bt dword [primary_allowed1], 31     ; IA32_VMX_PROCBASED_CTLS allowed-1 bit 31
    jnc .no_secondary                   ; no secondary controls, no EPT: VMLAUNCH fails (error 7)
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS2
    rdmsr
    mov ebx, SECONDARY_EXEC_ENABLE_EPT
    or ebx, eax
    and ebx, edx
    bt ebx, 1                           ; "enable EPT" allowed?
    jnc fail
    mov eax, SECONDARY_VM_EXEC_CONTROL
    call vmw
    call build_ept
    mov rbx, [eptp]
    mov eax, EPT_POINTER
    call vmw
.no_secondary:
    mov ecx, MSR_IA32_VMX_EXIT_CTLS
    mov ebx, VM_EXIT_HOST_ADDR_SPACE_SIZE
    mov eax, VM_EXIT_CONTROLS
    call adjust_and_write
    mov ecx, MSR_IA32_VMX_ENTRY_CTLS
    mov ebx, VM_ENTRY_IA32E_MODE
    mov eax, VM_ENTRY_CONTROLS
    call adjust_and_write
    ; -- 7. host state: the running kernel
    mov rbx, cr0
    mov eax, HOST_CR0
    call vmw
    mov rbx, cr3
    mov eax, HOST_CR3
    call vmw
    mov rbx, cr4
    mov eax, HOST_CR4
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
    str bx
    movzx ebx, bx
    mov eax, HOST_TR_SELECTOR
    call vmw
    mov ecx, MSR_FS_BASE
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
    ; -- 8. guest state: the same flat 64-bit world, its own stack and code
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
    mov bx, cs
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
    mov ecx, MSR_FS_BASE
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
    mov ebx, 2
    mov eax, GUEST_RFLAGS
    call vmw
    mov rbx, -1
    mov eax, VMCS_LINK_POINTER
    call vmw
    ; -- 9. launch
    vmlaunch
    mov eax, VM_INSTRUCTION_ERROR       ; VMLAUNCH fell through: the error number is here
    vmread r13, rax
    jmp fail

; Every VM exit lands here with the host's RSP and the guest's general registers.
vmexit_handler:
    mov [gregs + 0*8], rax
    mov [gregs + 1*8], rcx
    mov [gregs + 2*8], rdx
    mov [gregs + 3*8], rbx
    mov [gregs + 5*8], rbp
    mov [gregs + 6*8], rsi
    mov [gregs + 7*8], rdi
    mov [gregs + 8*8], r8
    mov [gregs + 9*8], r9
    mov [gregs + 10*8], r10
    mov [gregs + 11*8], r11
    mov [gregs + 12*8], r12
    mov [gregs + 13*8], r13
    mov [gregs + 14*8], r14
    mov [gregs + 15*8], r15
    inc qword [exit_count]
    cmp qword [exit_count], 16
    ja fail                             ; a violation that keeps coming back: give up
    mov eax, VM_EXIT_REASON
    vmread rax, rax
    cmp eax, EXIT_REASON_VMCALL
    je .vmcall
    cmp eax, EXIT_REASON_EPT_VIOLATION
    je .violation
    jmp fail
.vmcall:
    mov rax, [gregs]                    ; the guest's EAX says what it wants
    test rax, rax
    jz done
    cmp rax, 1
    jne fail
    ; "remap": the EPT PTE of shared_page now points to other_page
    lea rdi, [shared_page]
    call pte_of
    mov rax, PA(other_page)
    or rax, EPT_RWX | EPT_WB
    mov [rsi], rax
@REMAP_INVEPT
    mov eax, GUEST_RIP                  ; resume past the VMCALL
    vmread rbx, rax
    mov eax, VM_EXIT_INSTRUCTION_LEN
    vmread rcx, rax
    add rbx, rcx
    mov eax, GUEST_RIP
    vmwrite rax, rbx
    jmp .resume
.violation:
    mov eax, EXIT_QUALIFICATION         ; bit 2: an instruction fetch
    vmread rax, rax
    mov [violation_qual], rax
    mov eax, GUEST_PHYSICAL_ADDRESS     ; the page the guest was refused
    vmread rdi, rax
    mov [violation_gpa], rdi
    mov rax, PHYS_OFFSET
    add rdi, rax                        ; pte_of wants the page's (direct-map) address
    call pte_of
    or qword [rsi], EPT_RWX             ; grant read, write and execute
    mov eax, 1                          ; INVEPT single-context: drop what this EPTP cached
    invept rax, [invept_desc]
    jbe fail
    ; resume at the same guest RIP: the fetch is retried
.resume:
    mov rax, [gregs + 0*8]
    mov rcx, [gregs + 1*8]
    mov rdx, [gregs + 2*8]
    mov rbx, [gregs + 3*8]
    mov rbp, [gregs + 5*8]
    mov rsi, [gregs + 6*8]
    mov rdi, [gregs + 7*8]
    mov r8, [gregs + 8*8]
    mov r9, [gregs + 9*8]
    mov r10, [gregs + 10*8]
    mov r11, [gregs + 11*8]
    mov r12, [gregs + 12*8]
    mov r13, [gregs + 13*8]
    mov r14, [gregs + 14*8]
    mov r15, [gregs + 15*8]
    vmresume
    jmp fail
done:
    lea rdi, [shared_page]
    call pte_of
    mov r12, [rsi]                      ; r12 = the EPT PTE of shared_page (A = bit 8, D = bit 9)
    mov rax, [gregs + 9*8]              ; rax = what the guest read after the remap
    mov r10, [gregs + 10*8]             ; r10 = 0x77 when the guest ran locked_page
    mov r11, [violation_qual]
    mov r14, [violation_gpa]
    mov ebx, 0x600d
    hlt
fail:
    mov ebx, 0xbad
    hlt

; The guest: reads a page, asks the host to remap it, reads it again, then runs a page the EPT
; does not let it execute.
guest_code:
    lea rdi, [shared_page]
    mov r8, [rdi]                       ; 0xaaaa
    mov qword [rdi + 8], 1              ; a write: the leaf's dirty flag (with A/D on)
    mov eax, 1
    vmcall                              ; the host remaps shared_page to other_page
    mov r9, [rdi]                       ; 0xbbbb, or still 0xaaaa?
    lea rax, [locked_page]
    jmp rax                             ; no execute access: EPT violation (exit 48)

; The EPT: PML4[0] -> PDPT, PDPT[0] -> PD, PD[0] -> a page table of 4-KiB pages for the first
; 2 MiB (this program), PD[1..511] 2-MiB pages: guest-physical = host-physical below 1 GiB.
; locked_page is mapped read/write only.
build_ept:
    mov rax, PA(ept_pdpt)
    or rax, EPT_RWX
    mov [ept_pml4], rax
    mov rax, PA(ept_pd)
    or rax, EPT_RWX
    mov [ept_pdpt], rax
    mov rax, PA(ept_pt)
    or rax, EPT_RWX
    mov [ept_pd], rax
    lea rsi, [ept_pd]
    mov ecx, 1
.pd:
    mov rax, rcx
    shl rax, 21
    or rax, EPT_RWX | EPT_WB | EPT_LARGE
    mov [rsi + rcx*8], rax
    inc ecx
    cmp ecx, 512
    jb .pd
    lea rsi, [ept_pt]
    xor ecx, ecx
.pt:
    mov rax, rcx
    shl rax, 12
    or rax, EPT_RWX | EPT_WB
    mov [rsi + rcx*8], rax
    inc ecx
    cmp ecx, 512
    jb .pt
    lea rdi, [locked_page]
    call pte_of
    and qword [rsi], ~4                 ; no execute access
    ; the EPTP: root, walk length 4 - 1, memory type and A/D as IA32_VMX_EPT_VPID_CAP allows
    mov ecx, MSR_IA32_VMX_EPT_VPID_CAP
    rdmsr
    mov rbx, PA(ept_pml4)
    or rbx, 3 << 3                      ; EPTP[5:3] = 3: a 4-level walk
@EPTP_TYPE
    bt eax, 21                          ; accessed and dirty flags supported?
    jnc .no_ad
    or rbx, 1 << 6
.no_ad:
    mov [eptp], rbx
    mov [invept_desc], rbx
    ret

; rdi = a page of this program (direct-map address) -> rsi = the address of its EPT PTE
pte_of:
    mov rax, PHYS_OFFSET
    sub rdi, rax
    shr rdi, 12
    lea rsi, [ept_pt]
    lea rsi, [rsi + rdi*8]
    ret

adjust_and_write:
    push rax
    add ecx, r12d
    rdmsr
    or ebx, eax
    and ebx, edx
    pop rax
    ; fall through
; rax = field encoding, rbx = value
vmw:
    vmwrite rax, rbx
    jbe fail
    ret

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

; bx = selector, eax = the guest selector field; writes selector, access rights (LAR) and limit (LSL).
; Field encodings: the AR field is the selector field's 32-bit twin; bases are written by the caller.
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

align 8
vmxon_ptr: dq 0
vmcs_ptr:  dq 0
gdtr: times 10 db 0
idtr: times 10 db 0
align 8
primary_allowed1: dq 0
eptp: dq 0
violation_qual: dq 0
violation_gpa: dq 0
exit_count: dq 0
align 16
invept_desc: dq 0, 0                    ; INVEPT descriptor: the EPTP, then 0
gregs: times 16 dq 0

align 4096
vmxon_region: times 4096 db 0
vmcs_region:  times 4096 db 0
guest_stack:  times 4096 db 0
guest_stack_top:
ept_pml4: times 4096 db 0
ept_pdpt: times 4096 db 0
ept_pd:   times 4096 db 0
ept_pt:   times 4096 db 0
shared_page: dq 0xaaaa, 0
align 4096
other_page: dq 0xbbbb
align 4096
locked_page:                            ; guest code the EPT maps without execute access
    mov r10d, 0x77
    xor eax, eax
    vmcall
    jmp locked_page
align 4096
`;

const INVEPT_AFTER_REMAP = `    mov eax, 1                          ; INVEPT single-context: the old translation is gone
    invept rax, [invept_desc]
    jbe fail`;

const EPTP_TYPE_CHECKED = `    bt eax, 14                          ; write-back (WB) allowed for the EPT structures?
    jnc .uc
    or rbx, 6                           ; EPTP[2:0] = 6: WB
.uc:                                    ; (0: UC, the other choice IA32_VMX_EPT_VPID_CAP[8] may allow)`;

/** How the host handles the EPT (the parts lesson 12 is about). */
export interface EptLessonOptions {
  /** The host executes INVEPT single-context after repointing the entry (the lesson's fix). */
  readonly inveptAfterRemap: boolean;
  /** EPTP[2:0]: chosen from IA32_VMX_EPT_VPID_CAP (WB when bit 14), or a fixed value. */
  readonly eptpType: 'checked' | number;
}

/** The program of lesson 12 with a header, the host's remap and EPTP memory type written as asked. */
export function eptLessonProgram(o: EptLessonOptions, header: string): string {
  const type = o.eptpType === 'checked' ? EPTP_TYPE_CHECKED : `    or rbx, ${o.eptpType}                           ; EPTP[2:0]: the memory type`;
  return header + BODY
    .replace('@REMAP_INVEPT\n', o.inveptAfterRemap ? `${INVEPT_AFTER_REMAP}\n` : '    ; (the entry has changed)\n')
    .replace('@EPTP_TYPE\n', `${type}\n`);
}
