; 32-bit protected-mode and real-mode guests under a 64-bit host (issue 4, "Guest modes"). The
; host is the bring-up of exit-loop.asm; GUEST_MODE picks the guest:
;   1  32-bit protected mode, 32-bit paging (CR4.PSE, 4-MiB pages: identity map of 4 GiB, and
;      linear FFC00000h aliasing the 4-MiB frame of `result`) (SDM Vol. 3A §4.3 "32-Bit Paging")
;   2  32-bit protected mode, PAE paging (four PDPTEs, loaded from CR3 at VM entry, SDM Vol. 3C
;      §27.3.2.4 "Loading Page-Directory-Pointer-Table Entries"; 2-MiB pages: identity map of 4 GiB, and linear
;      FFE00000h aliasing the 2-MiB frame of `result`) (Vol. 3A §4.4 "PAE Paging")
;   3  32-bit protected mode without paging, under "unrestricted guest" (Vol. 3C §26.6
;      "Unrestricted Guests")
;   4  real-address mode (CR0.PE = 0) under "unrestricted guest": CS = 0010h, 16-bit code
; Modes 3 and 4 run on EPT (unrestricted guest requires it): guest-physical pages 0-3 map the
; four pages at low_area through one EPT page table; the guest's code is at guest-physical 100h
; and writes its results at 1000h. Modes 1 and 2 use no EPT; their guest code is `guest32` at its
; physical address and writes to `result`.
; The guest runs CPUID twice (leaf 0 and 1; CPUID always exits, reason 10; the host emulates it:
; EAX = 0x600d0000 | leaf, EBX = 0x1111, and resumes past it by the exit instruction length),
; stores what it got, its CR0 (and CR4), then VMCALL ends the run.
; Result: rbx = 0x600d on success (0xbad on any failure); exit_count and exit_log as in
; exit-loop.asm; the guest's stores at `result` (modes 1, 2) or low_area + 1000h (modes 3, 4).

%define GUEST_MODE 1
%define WANT_PIN 0
%define WANT_PROC 0
%if GUEST_MODE >= 3
%define WANT_PROC2 SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST
%define WANT_PROC_EXTRA CPU_BASED_ACTIVATE_SECONDARY_CONTROLS
%else
%define WANT_PROC2 0
%define WANT_PROC_EXTRA 0
%endif
%define WANT_EXIT VM_EXIT_HOST_ADDR_SPACE_SIZE

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
    ; -- 6. controls: (wanted | allowed-0) & allowed-1
    mov ecx, MSR_IA32_VMX_PINBASED_CTLS
    mov ebx, WANT_PIN
    mov eax, PIN_BASED_VM_EXEC_CONTROL
    call adjust_and_write
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS
    mov ebx, WANT_PROC | WANT_PROC_EXTRA
    mov eax, CPU_BASED_VM_EXEC_CONTROL
    call adjust_and_write
    test ebx, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS
    jz .no_secondary                    ; no secondary controls on this processor (Core 2)
    mov ebx, WANT_PROC2                 ; secondary controls only when some are wanted
    test ebx, ebx
    jz .no_secondary
    mov r14d, 1                         ; r14 = 1: secondary controls (and the EPTP field) in use
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS2
    sub ecx, r12d                       ; adjust_and_write adds r12: CTLS2 has no TRUE twin
    mov eax, SECONDARY_VM_EXEC_CONTROL
    call adjust_and_write
.no_secondary:
    mov ecx, MSR_IA32_VMX_EXIT_CTLS
    mov ebx, WANT_EXIT
    mov eax, VM_EXIT_CONTROLS
    call adjust_and_write
    mov ecx, MSR_IA32_VMX_ENTRY_CTLS
    mov ebx, 0                          ; a guest outside IA-32e mode
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
    ; -- 8. guest state
%if GUEST_MODE == 1
    mov ebx, 0x80000031                 ; PG, NE, ET, PE
    mov r13d, X86_CR4_VMXE | X86_CR4_PSE
%elif GUEST_MODE == 2
    mov ebx, 0x80000031
    mov r13d, X86_CR4_VMXE | X86_CR4_PAE
%elif GUEST_MODE == 3
    mov ebx, 0x00000031                 ; NE, ET, PE: no paging
    mov r13d, X86_CR4_VMXE
%else
    mov ebx, 0x00000030                 ; NE, ET: real-address mode
    mov r13d, X86_CR4_VMXE
%endif
    mov eax, GUEST_CR0
    call vmw
    mov ebx, r13d
    mov eax, GUEST_CR4
    call vmw
    call guest_tables                   ; rbx = guest CR3
    mov eax, GUEST_CR3
    call vmw
    mov ebx, 0x400
    mov eax, GUEST_DR7
    call vmw
%if GUEST_MODE == 4
    ; real mode: base = selector << 4, limit 0xFFFF; accessed code (9Bh) and data (93h), DPL 0
    mov ebx, 0x0010
    mov r9d, 0x9b
    mov eax, GUEST_CS_SELECTOR
    call rm_segment
    xor ebx, ebx
    mov r9d, 0x93
    mov eax, GUEST_SS_SELECTOR
    call rm_segment
    mov eax, GUEST_DS_SELECTOR
    call rm_segment
    mov eax, GUEST_ES_SELECTOR
    call rm_segment
    mov eax, GUEST_FS_SELECTOR
    call rm_segment
    mov eax, GUEST_GS_SELECTOR
    call rm_segment
%else
    ; flat 32-bit segments: CS 08h (code, D = 1, G = 1), the others 10h (data)
    mov ebx, 0x08
    mov r9d, 0xc09b
    mov eax, GUEST_CS_SELECTOR
    call flat_segment
    mov ebx, 0x10
    mov r9d, 0xc093
    mov eax, GUEST_SS_SELECTOR
    call flat_segment
    mov eax, GUEST_DS_SELECTOR
    call flat_segment
    mov eax, GUEST_ES_SELECTOR
    call flat_segment
    mov eax, GUEST_FS_SELECTOR
    call flat_segment
    mov eax, GUEST_GS_SELECTOR
    call flat_segment
%endif
    ; TR: a 32-bit busy TSS (type 11), limit 0x67; LDTR unusable
    mov ebx, 0x18
    mov eax, GUEST_TR_SELECTOR
    call vmw
    mov ebx, 0x3000
    mov eax, GUEST_TR_BASE
    call vmw
    mov ebx, 0x67
    mov eax, GUEST_TR_LIMIT
    call vmw
    mov ebx, 0x8b
    mov eax, GUEST_TR_AR_BYTES
    call vmw
    xor ebx, ebx
    mov eax, GUEST_LDTR_SELECTOR
    call vmw
    mov ebx, 0x10000
    mov eax, GUEST_LDTR_AR_BYTES
    call vmw
    xor ebx, ebx
    mov eax, GUEST_GDTR_BASE
    call vmw
    mov ebx, 0xffff
    mov eax, GUEST_GDTR_LIMIT
    call vmw
    xor ebx, ebx
    mov eax, GUEST_IDTR_BASE
    call vmw
    mov ebx, 0x3ff
    mov eax, GUEST_IDTR_LIMIT
    call vmw
%if GUEST_MODE <= 2
    mov rbx, PA(guest32)
%elif GUEST_MODE == 3
    mov ebx, 0x100                      ; guest-physical 100h = low_area + 100h
%else
    xor ebx, ebx                        ; CS:IP = 0010:0000 = guest-physical 100h
%endif
    mov eax, GUEST_RIP
    call vmw
    mov ebx, 0x2ff0
    mov eax, GUEST_RSP
    call vmw
    mov ebx, 2
    mov eax, GUEST_RFLAGS
    call vmw
    mov rbx, -1
    mov eax, VMCS_LINK_POINTER
    call vmw
    ; @SETUP
    ; -- 9. launch, with the guest's EDI (results) and ESI (the alias) in the shared registers
%if GUEST_MODE <= 2
    mov rdi, PA(result)
    lea rsi, [rdi + 0x20]               ; result + 20h, through the alias
%if GUEST_MODE == 1
    and esi, 0x3fffff
    or esi, 0xffc00000
%else
    and esi, 0x1fffff
    or esi, 0xffe00000
%endif
%else
    mov edi, 0x1000
    mov esi, 0x1020
%endif
    vmlaunch
    jmp fail                            ; VMLAUNCH fell through: VMfail

; Every VM exit lands here with the host's RSP and the guest's general registers.
vmexit_handler:
    mov [gregs + 0*8], rax
    mov [gregs + 1*8], rcx
    mov [gregs + 2*8], rdx
    mov [gregs + 3*8], rbx
    mov [gregs + 5*8], rbp
    mov [gregs + 6*8], rsi
    mov [gregs + 7*8], rdi
    inc qword [exit_count]
    mov rdi, [exit_count]
    cmp rdi, 16
    ja fail
    dec rdi
    shl rdi, 6
    lea rsi, [exit_log]
    add rdi, rsi
    mov eax, VM_EXIT_REASON
    vmread [rdi], rax
    mov eax, EXIT_QUALIFICATION
    vmread [rdi + 8], rax
    mov eax, VM_EXIT_INSTRUCTION_LEN
    vmread [rdi + 16], rax
    mov eax, VM_EXIT_INTR_INFO
    vmread [rdi + 24], rax
    mov eax, VM_EXIT_INTR_ERROR_CODE
    vmread [rdi + 32], rax
    mov eax, GUEST_RIP
    vmread [rdi + 40], rax
    mov eax, IDT_VECTORING_INFO_FIELD
    vmread [rdi + 48], rax
    mov eax, GUEST_LINEAR_ADDRESS
    vmread [rdi + 56], rax
    mov rax, [rdi]
    cmp eax, EXIT_REASON_VMCALL
    je done
    cmp eax, EXIT_REASON_CPUID
    jne fail
    mov eax, [gregs]
    or eax, 0x600d0000
    mov [gregs], rax
    mov qword [gregs + 3*8], 0x1111
    mov eax, GUEST_RIP
    vmread rbx, rax
    add rbx, [rdi + 16]
    vmwrite rax, rbx
    mov rax, [gregs + 0*8]
    mov rcx, [gregs + 1*8]
    mov rdx, [gregs + 2*8]
    mov rbx, [gregs + 3*8]
    mov rbp, [gregs + 5*8]
    mov rsi, [gregs + 6*8]
    mov rdi, [gregs + 7*8]
    vmresume
    jmp fail
done:
    mov ebx, 0x600d
    hlt
fail:
    mov ebx, 0xbad
    hlt

; ecx = capability MSR (plus r12 to pick the TRUE one), ebx = wanted bits, eax = field
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

; The guest's paging structures (modes 1, 2) or the EPT (modes 3, 4); returns rbx = guest CR3.
guest_tables:
%if GUEST_MODE == 1
    ; page directory: PDE i = 4-MiB page i (P, R/W, U/S, PS); PDE 1023 aliases result's frame
    lea rsi, [guest_pd]
    xor ecx, ecx
    mov eax, 0x87
.pd:
    mov [rsi + rcx*4], eax
    add eax, 0x400000
    inc ecx
    cmp ecx, 1024
    jb .pd
    mov rax, PA(result)
    and eax, 0xffc00000
    or eax, 0x87
    mov [rsi + 1023*4], eax
    mov rbx, PA(guest_pd)
%elif GUEST_MODE == 2
    ; PDPTE i -> page directory i (P only: bits 2:1 are reserved in PAE PDPTEs); PDE = 2-MiB page
    lea rsi, [guest_pdpt]
    lea rdi, [guest_pds]
    mov rax, PA(guest_pds)
    or eax, 1
    xor ecx, ecx
.pdpt:
    mov [rsi + rcx*8], rax
    add rax, 0x1000
    inc ecx
    cmp ecx, 4
    jb .pdpt
    xor ecx, ecx
    mov eax, 0x87
.pde:
    mov [rdi + rcx*8], rax
    add rax, 0x200000
    inc ecx
    cmp ecx, 2048
    jb .pde
    mov rax, PA(result)
    and eax, 0xffe00000
    or eax, 0x87
    mov [rdi + 2047*8], rax
    mov rbx, PA(guest_pdpt)
%else
    ; EPT: PML4[0] -> PDPT[0] -> PD[0] -> PT; PT[i] = low_area page i (RWX, WB)
    mov rax, PA(ept_pdpt)
    or eax, 7
    mov [ept_pml4], rax
    mov rax, PA(ept_pd)
    or eax, 7
    mov [ept_pdpt], rax
    mov rax, PA(ept_pt)
    or eax, 7
    mov [ept_pd], rax
    lea rsi, [ept_pt]
    mov rax, PA(low_area)
    or eax, 7 | (6 << 3)
    xor ecx, ecx
.pt:
    mov [rsi + rcx*8], rax
    add rax, 0x1000
    inc ecx
    cmp ecx, 4
    jb .pt
    test r14d, r14d
    jz .no_eptp                         ; no EPT here: the VM entry will refuse the guest state
    mov rbx, PA(ept_pml4)
    or ebx, 6 | (3 << 3)                ; EPTP: write-back, 4-level walk
    mov eax, EPT_POINTER
    call vmw
.no_eptp:
    xor ebx, ebx                        ; CR3 is not used without paging
%endif
    ret

; ebx = selector, r9d = access rights, eax = the selector field: base 0, limit 4 GiB
flat_segment:
    mov r8d, eax
    call vmw
    lea eax, [r8d + GUEST_ES_LIMIT - GUEST_ES_SELECTOR]
    push rbx
    mov ebx, 0xffffffff
    call vmw
    lea eax, [r8d + GUEST_ES_AR_BYTES - GUEST_ES_SELECTOR]
    mov ebx, r9d
    call vmw
    lea eax, [r8d + GUEST_ES_BASE - GUEST_ES_SELECTOR]
    xor ebx, ebx
    call vmw
    pop rbx
    ret

; ebx = selector, r9d = access rights, eax = the selector field: base = selector << 4, limit 0xFFFF
rm_segment:
    mov r8d, eax
    call vmw
    lea eax, [r8d + GUEST_ES_LIMIT - GUEST_ES_SELECTOR]
    push rbx
    mov ebx, 0xffff
    call vmw
    lea eax, [r8d + GUEST_ES_AR_BYTES - GUEST_ES_SELECTOR]
    mov ebx, r9d
    call vmw
    pop rbx
    push rbx
    lea eax, [r8d + GUEST_ES_BASE - GUEST_ES_SELECTOR]
    shl ebx, 4
    call vmw
    pop rbx
    ret

align 8
vmxon_ptr: dq 0
vmcs_ptr:  dq 0
gdtr: times 10 db 0
idtr: times 10 db 0
align 8
exit_count: dq 0
gregs: times 16 dq 0
exit_log: times 16*8 dq 0
result: times 8 dq 0

; Modes 1 and 2: the 32-bit guest at its physical address (nasm -f bin of this `bits 32` source).
guest32:
    db 0x31, 0xc0                       ; xor eax, eax
    db 0x0f, 0xa2                       ; cpuid
    db 0x89, 0x07                       ; mov [edi], eax
    db 0x89, 0x5f, 0x04                 ; mov [edi+4], ebx
    db 0xb8, 0x01, 0x00, 0x00, 0x00     ; mov eax, 1
    db 0x0f, 0xa2                       ; cpuid
    db 0x89, 0x47, 0x08                 ; mov [edi+8], eax
    db 0xc7, 0x06, 0x5a, 0x5a, 0x5a, 0x5a ; mov dword [esi], 0x5a5a5a5a
    db 0x0f, 0x20, 0xc0                 ; mov eax, cr0
    db 0x89, 0x47, 0x0c                 ; mov [edi+12], eax
    db 0x0f, 0x20, 0xe0                 ; mov eax, cr4
    db 0x89, 0x47, 0x10                 ; mov [edi+16], eax
    db 0x0f, 0x01, 0xc1                 ; vmcall

align 4096
vmxon_region: times 4096 db 0
vmcs_region:  times 4096 db 0
%if GUEST_MODE == 1
guest_pd: times 4096 db 0
%elif GUEST_MODE == 2
guest_pdpt: times 4096 db 0
guest_pds: times 4*4096 db 0
%else
ept_pml4: times 4096 db 0
ept_pdpt: times 4096 db 0
ept_pd: times 4096 db 0
ept_pt: times 4096 db 0
; Guest-physical 0000-3FFF (modes 3, 4): code at 100h, results at 1000h, stack below 3000h.
low_area:
    times 0x100 db 0
%if GUEST_MODE == 3
    db 0x31, 0xc0                       ; the same `bits 32` guest as guest32
    db 0x0f, 0xa2
    db 0x89, 0x07
    db 0x89, 0x5f, 0x04
    db 0xb8, 0x01, 0x00, 0x00, 0x00
    db 0x0f, 0xa2
    db 0x89, 0x47, 0x08
    db 0xc7, 0x06, 0x5a, 0x5a, 0x5a, 0x5a
    db 0x0f, 0x20, 0xc0
    db 0x89, 0x47, 0x0c
    db 0x0f, 0x20, 0xe0
    db 0x89, 0x47, 0x10
    db 0x0f, 0x01, 0xc1
%else
    ; nasm -f bin of this `bits 16` source
    db 0x66, 0x31, 0xc0                 ; xor eax, eax
    db 0x0f, 0xa2                       ; cpuid
    db 0x66, 0x89, 0x05                 ; mov [di], eax
    db 0x66, 0x89, 0x5d, 0x04           ; mov [di+4], ebx
    db 0x8c, 0xc8                       ; mov ax, cs
    db 0x89, 0x45, 0x08                 ; mov [di+8], ax
    db 0x0f, 0x20, 0xc0                 ; mov eax, cr0
    db 0x66, 0x89, 0x45, 0x0c           ; mov [di+12], eax
    db 0x0f, 0x01, 0xc1                 ; vmcall
%endif
    times 0x4000 - ($ - low_area) db 0
%endif
