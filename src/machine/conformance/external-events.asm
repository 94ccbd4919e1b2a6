; External interrupts and NMIs under a hypervisor (SDM Vol. 3C §26.2 "Other Causes of VM Exits",
; §28.2.2 "Information for VM Exits Due to Vectored Events", §27.6 "Event Injection"): the
; bring-up of exit-loop.asm, then the machine's 8254 (channel 0, mode 2) ticking on IRQ0 of the
; 8259A (vectors 0x20-0x27) while the guest runs with "external-interrupt exiting" and
; "acknowledge interrupt on exit". Each tick exits (reason 1); the handler reads the vector from
; VM_EXIT_INTR_INFO and injects it back through the VM-entry interruption-information field; when
; the guest cannot take it (RFLAGS.IF = 0, STI/MOV SS blocking) it waits for an interrupt-window
; exit first. Without "acknowledge interrupt on exit" the host takes the still-pending interrupt
; itself, through its IDT, with STI; NOP; CLI. The IDT gate 0x20 counts the ticks and sends the EOI; after
; TICKS_WANTED ticks the guest makes a VMCALL. With "NMI exiting" (WANT_PIN below, and an NMI
; raised from outside: Machine.raiseNmi, `vmx-lab run --nmi STEP`), an NMI exits with reason 0
; (type 2, vector 2) and the handler injects it into the guest, whose gate 2 counts it.
; Result: rbx = 0x600d on success (0xbad on any failure); ticks, nmis, exit_count and exit_log
; (per exit: reason, interruption info, guest RIP, guest RFLAGS) in memory.

%define WANT_PIN PIN_BASED_EXT_INTR_MASK
%define WANT_PROC 0
%define WANT_PROC2 0
%define WANT_EXIT VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_ACK_INTR_ON_EXIT
%define PIT_COUNT 300
%define TICKS_WANTED 3
%define NMIS_WANTED 0
%define GUEST_START_RFLAGS 0x2

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
    mov ebx, WANT_PROC
    mov eax, CPU_BASED_VM_EXEC_CONTROL
    call adjust_and_write
    mov ebx, WANT_PROC2                 ; secondary controls only when some are wanted
    test ebx, ebx
    jz .no_secondary
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
    mov ebx, GUEST_START_RFLAGS
    mov eax, GUEST_RFLAGS
    call vmw
    mov rbx, -1
    mov eax, VMCS_LINK_POINTER
    call vmw
    ; -- 9. what this run sets up beyond the bring-up
    ; @SETUP
    ; -- 10. the guest's interrupt gates in the shared IDT: 0x20 (IRQ0) and 2 (NMI)
    mov rdi, [idtr + 2]
    lea rax, [guest_timer]
    mov ecx, 0x20
    call set_gate
    lea rax, [guest_nmi]
    mov ecx, 2
    call set_gate
    ; -- 11. the PIT: channel 0, LSB then MSB, mode 2 (rate generator); IRQ0 unmasked at the PIC
    mov al, 0x34
    out 0x43, al
    mov al, PIT_COUNT & 0xff
    out 0x40, al
    mov al, PIT_COUNT >> 8
    out 0x40, al
    mov al, 0xfe
    out 0x21, al
    ; -- 12. launch
    vmlaunch
    jmp fail                            ; VMLAUNCH fell through: VMfail

; Every VM exit lands here with the host's RSP and the guest's registers (only RAX..RBX are used below).
vmexit_handler:
    mov [gregs + 0*8], rax
    mov [gregs + 1*8], rcx
    mov [gregs + 2*8], rdx
    mov [gregs + 3*8], rbx
    inc qword [exit_count]
    mov rdi, [exit_count]
    cmp rdi, 64
    ja fail                             ; a run away
    dec rdi
    shl rdi, 5
    lea rsi, [exit_log]
    add rdi, rsi
    mov eax, VM_EXIT_REASON
    vmread [rdi], rax
    mov eax, VM_EXIT_INTR_INFO
    vmread [rdi + 8], rax
    mov eax, GUEST_RIP
    vmread [rdi + 16], rax
    mov eax, GUEST_RFLAGS
    vmread [rdi + 24], rax
    mov rax, [rdi]
    cmp eax, EXIT_REASON_VMCALL
    je done
    cmp eax, EXIT_REASON_EXTERNAL_INTERRUPT
    je .extint
    cmp eax, EXIT_REASON_EXCEPTION_NMI
    je .nmi
    cmp eax, EXIT_REASON_INTERRUPT_WINDOW
    je .window
    jmp fail
.extint:
    ; "Acknowledge interrupt on exit": the vector is in the exit interruption information (valid, type 0).
    mov eax, [rdi + 8]
    test eax, INTR_INFO_VALID_MASK
    jz .host_takes_it
    and eax, INTR_INFO_VALID_MASK | INTR_INFO_INTR_TYPE_MASK | INTR_INFO_VECTOR_MASK
    mov [pending], rax
    jmp .deliver
.host_takes_it:
    ; Without "acknowledge interrupt on exit" the request is still pending at the PIC: open the
    ; host's own window so it is delivered through the host IDT (gate 0x20: the same tick counter).
    sti
    nop
    cli
    jmp .resume
.window:
    ; The guest can take an interrupt now: stop asking, inject the one that waited.
    mov eax, CPU_BASED_VM_EXEC_CONTROL
    vmread rbx, rax
    and ebx, ~CPU_BASED_INTR_WINDOW_EXITING
    call vmw
.deliver:
    ; Inject only into an open window (RFLAGS.IF = 1, no STI/MOV SS blocking: SDM §27.3.1.5); else wait for one.
    mov eax, GUEST_RFLAGS
    vmread rbx, rax
    test ebx, X86_EFLAGS_IF
    jz .wait
    mov eax, GUEST_INTERRUPTIBILITY_INFO
    vmread rbx, rax
    test ebx, 3
    jnz .wait
    mov rbx, [pending]
    mov eax, VM_ENTRY_INTR_INFO_FIELD
    call vmw
    mov qword [pending], 0
    jmp .resume
.wait:
    mov eax, CPU_BASED_VM_EXEC_CONTROL
    vmread rbx, rax
    or ebx, CPU_BASED_INTR_WINDOW_EXITING
    call vmw
    jmp .resume
.nmi:
    ; Reason 0 with interruption type 2: an NMI under "NMI exiting". Reflect it into the guest.
    mov eax, [rdi + 8]
    and eax, INTR_INFO_INTR_TYPE_MASK
    cmp eax, INTR_TYPE_NMI_INTR
    jne fail
    mov ebx, INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR | 2
    mov eax, VM_ENTRY_INTR_INFO_FIELD
    call vmw
.resume:
    mov rax, [gregs + 0*8]
    mov rcx, [gregs + 1*8]
    mov rdx, [gregs + 2*8]
    mov rbx, [gregs + 3*8]
    vmresume
    jmp fail
done:
    mov ebx, 0x600d
    hlt
fail:
    mov ebx, 0xbad
    hlt

; The guest: takes interrupts, counts them, and leaves with VMCALL once it has seen enough.
guest_code:
    sti
.spin:
    pause
    cmp qword [ticks], TICKS_WANTED
    jb .spin
    cmp qword [nmis], NMIS_WANTED
    jb .spin
    vmcall
    jmp fail
guest_timer:
    push rax
    inc qword [ticks]
    mov al, 0x20                        ; non-specific EOI to the master PIC
    out 0x20, al
    pop rax
    iretq
guest_nmi:
    inc qword [nmis]
    iretq

; rdi = IDT base, ecx = vector, rax = handler: a present 64-bit interrupt gate, DPL 0, selector 0x08
set_gate:
    shl ecx, 4
    add rdi, rcx
    mov word [rdi], ax
    mov word [rdi + 2], 0x08
    mov word [rdi + 4], 0x8e00
    shr rax, 16
    mov word [rdi + 6], ax
    shr rax, 16
    mov dword [rdi + 8], eax
    mov dword [rdi + 12], 0
    sub rdi, rcx
    ret

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
ticks: dq 0
nmis: dq 0
pending: dq 0
exit_count: dq 0
gregs: times 4 dq 0
exit_log: times 64*4 dq 0

align 4096
vmxon_region: times 4096 db 0
vmcs_region:  times 4096 db 0
guest_stack:  times 4096 db 0
guest_stack_top:
