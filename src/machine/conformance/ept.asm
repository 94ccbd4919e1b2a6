; EPT end to end, written as the seeds write it (seed 003): the bring-up of exit-loop.asm, then
; "enable EPT" in the secondary controls and an identity-mapped EPT built in this program's own
; memory: PML4 -> PDPT -> PD (SDM Vol. 3C §29.3.2 EPT Translation Mechanism); PD[0] points to a
; page table with 4-KiB pages for the first 2 MiB (where this program lives), PD[1..511] map
; 2-MiB pages, so guest-physical = host-physical below 1 GiB. EPT_LEVELS 5 adds a PML5 table
; (EPTP[5:3] = 4). The EPTP (SDM Vol. 3C §25.6.11 Extended-Page-Table Pointer (EPTP)) takes
; memory type EPTP_MT and EPTP_AD (bit 6: accessed and dirty flags); nothing is checked against
; the capability MSR, so a profile without the feature refuses VMLAUNCH (VMfailValid(7)).
; "Activate secondary controls" is written even where IA32_VMX_PROCBASED_CTLS does not allow it
; (Core 2: no EPT), where VMLAUNCH then fails with error 7.
;
; The guest shares the host's page tables (its linear addresses are the direct map, so its
; guest-physical addresses are the host's physical ones). It talks to the host with VMCALL,
; EAX = command: 0 ends the run; 1 repoints the EPT PTE of stale_a to stale_b WITHOUT INVEPT;
; 2 executes INVEPT single-context (descriptor = this EPTP); 3 INVEPT all-context.
; An EPT violation (48) or misconfiguration (49) is fixed by rewriting the PTE of the faulting
; page as read/write/execute, write-back; with FIX_INVEPT 1 the handler then executes INVEPT
; single-context; then VMRESUME at the same guest RIP (the access is retried).
; Result: rbx = 0x600d on success (0xbad on any failure, launch_error = VM_INSTRUCTION_ERROR
; when VMLAUNCH fell through); exit_count and exit_log (per exit: reason, qualification, guest
; RIP, guest-physical address, guest-linear address, instruction length, guest RAX, 0); the
; guest's registers in gregs; ad_seen: the EPT entries the host read back at the end.

%define EPT_LEVELS 4
%define EPTP_MT 6
%define EPTP_AD 0
%define FIX_INVEPT 1
%define EPT_RWX 7                       ; read, write, execute (bits 2:0)
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
    mov eax, VM_INSTRUCTION_ERROR       ; VMLAUNCH fell through: VMfailValid leaves the error here
    vmread [launch_error], rax
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
    mov rdi, [exit_count]
    cmp rdi, 32
    ja fail                             ; a run away (a violation never fixed): more exits than any test expects
    dec rdi
    shl rdi, 6
    lea rsi, [exit_log]
    add rdi, rsi
    mov eax, VM_EXIT_REASON
    vmread [rdi], rax
    mov eax, EXIT_QUALIFICATION
    vmread [rdi + 8], rax
    mov eax, GUEST_RIP
    vmread [rdi + 16], rax
    mov eax, GUEST_PHYSICAL_ADDRESS
    vmread [rdi + 24], rax
    mov eax, GUEST_LINEAR_ADDRESS
    vmread [rdi + 32], rax
    mov eax, VM_EXIT_INSTRUCTION_LEN
    vmread [rdi + 40], rax
    mov rax, [gregs]
    mov [rdi + 48], rax
    mov rax, [rdi]
    cmp eax, EXIT_REASON_VMCALL
    je .vmcall
    cmp eax, EXIT_REASON_EPT_VIOLATION
    je .fix
    cmp eax, EXIT_REASON_EPT_MISCONFIG
    je .fix
    jmp fail
.vmcall:
    mov rax, [gregs]
    test rax, rax
    jz done
    cmp rax, 1
    je .repoint
    cmp rax, 2
    je .single
    cmp rax, 3
    je .all
    jmp fail
.repoint:                               ; the PTE of stale_a now maps stale_b: no INVEPT
    lea rdi, [stale_a]
    call pte_of
    mov rax, PA(stale_b)
    or rax, EPT_RWX | EPT_WB
    mov [rsi], rax
    jmp .advance
.single:
    mov eax, 1
    invept rax, [invept_desc]
    jbe fail
    jmp .advance
.all:
    mov eax, 2
    invept rax, [invept_desc]
    jbe fail
    jmp .advance
.fix:                                   ; the faulting page: read, write, execute, WB
    mov rax, [rdi + 24]
    cmp rax, 0x200000                   ; only the 4-KiB pages of ept_pt are fixed here
    jae fail
    and rax, ~0xfff
    mov rbx, rax
    shr rax, 12
    lea rsi, [ept_pt]
    or rbx, EPT_RWX | EPT_WB
    mov [rsi + rax*8], rbx
    mov eax, FIX_INVEPT
    test eax, eax
    jz .resume
    mov eax, 1                          ; INVEPT single-context: forget what this EPTP cached
    invept rax, [invept_desc]
    jbe fail
    jmp .resume
.advance:
    mov eax, GUEST_RIP
    vmread rbx, rax
    mov eax, VM_EXIT_INSTRUCTION_LEN
    vmread rcx, rax
    add rbx, rcx
    mov eax, GUEST_RIP
    vmwrite rax, rbx
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
done:                                   ; read back EPT entries (accessed bit 8, dirty bit 9)
    lea rdi, [ad_written]
    call pte_of
    mov rax, [rsi]
    mov [ad_seen], rax
    lea rdi, [ad_read]
    call pte_of
    mov rax, [rsi]
    mov [ad_seen + 8], rax
    lea rdi, [ad_untouched]
    call pte_of
    mov rax, [rsi]
    mov [ad_seen + 16], rax
    mov rax, [ept_pd]
    mov [ad_seen + 24], rax
    mov rax, [ept_pdpt]
    mov [ad_seen + 32], rax
    mov rax, [ept_pml4]
    mov [ad_seen + 40], rax
    mov rax, [ept_pd + 8]               ; the 2-MiB page at 2 MiB
    mov [ad_seen + 48], rax
    mov ebx, 0x600d
    hlt
fail:
    mov ebx, 0xbad
    hlt

; The guest: what it does is the point of the run; a VMCALL with EAX = 0 ends it.
guest_code:
    ; @GUEST
    lea rsi, [buffer]                   ; a loop writing and reading 64 quadwords
    xor ecx, ecx
    xor r13d, r13d
.loop:
    lea rax, [rcx + rcx*2]
    mov [rsi + rcx*8], rax
    add r13, [rsi + rcx*8]
    inc ecx
    cmp ecx, 64
    jb .loop
    mov rdi, PHYS_OFFSET + 0x300000     ; and a quadword in a 2-MiB page
    mov [rdi], r13
    mov r14, [rdi]
    xor eax, eax
    vmcall
    jmp fail

; Builds the identity map: PML4[0] -> PDPT, PDPT[0] -> PD, PD[0] -> PT (4-KiB pages for the
; first 2 MiB), PD[i] = 2-MiB page i; with EPT_LEVELS 5, PML5[0] -> PML4. Then the EPTP.
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
    mov rax, PA(ept_pml4)
    mov ebx, EPT_LEVELS
    cmp ebx, 5
    jne .eptp
    or rax, EPT_RWX
    mov [ept_pml5], rax
    mov rax, PA(ept_pml5)
.eptp:
    dec ebx                             ; EPTP[5:3] = levels - 1
    shl ebx, 3
    or rax, rbx
    or rax, EPTP_MT | (EPTP_AD << 6)
    mov [eptp], rax
    mov [invept_desc], rax
    ; @EPT
    ret

; rdi = a page of this program (virtual) -> rsi = the address of its EPT PTE in ept_pt
pte_of:
    mov rax, PHYS_OFFSET
    sub rdi, rax
    shr rdi, 12
    lea rsi, [ept_pt]
    lea rsi, [rsi + rdi*8]
    ret

; rdi = a page of this program (virtual), rbx = permissions and memory type: writes its EPT PTE
set_pte:
    push rdi
    call pte_of
    pop rdi
    mov rax, PHYS_OFFSET
    sub rdi, rax
    or rdi, rbx
    mov [rsi], rdi
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
launch_error: dq 0
eptp: dq 0
align 16
invept_desc: dq 0, 0                    ; INVEPT descriptor: EPTP, reserved
exit_count: dq 0
result: times 8 dq 0
gregs: times 16 dq 0
exit_log: times 32*8 dq 0
ad_seen: times 8 dq 0
buffer: times 64 dq 0

align 4096
vmxon_region: times 4096 db 0
vmcs_region:  times 4096 db 0
guest_stack:  times 4096 db 0
guest_stack_top:
ept_pml5: times 4096 db 0
ept_pml4: times 4096 db 0
ept_pdpt: times 4096 db 0
ept_pd:   times 4096 db 0
ept_pt:   times 4096 db 0
nx_page:                                ; guest code in a page of its own (made non-executable by a test)
    mov r12d, 0x77
    xor eax, eax
    vmcall
    jmp fail
align 4096
stale_a: dq 0xaaaa
align 4096
stale_b: dq 0xbbbb
align 4096
ad_written: dq 0
align 4096
ad_read: dq 0x1234
align 4096
ad_untouched: dq 0
align 4096
misconfig_page: dq 0x4242
align 4096
