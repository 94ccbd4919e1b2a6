; A hypervisor with a VM-exit handler loop, written as the seeds write one: the bring-up of
; bringup.asm (VMXON, VMCS, controls adjusted to the capability MSRs, host state from the
; running kernel, a guest sharing it), controls chosen by the defines below, then a handler
; that logs every exit and emulates what the guest asked for: CPUID (EAX = 0x600d0000 | leaf,
; EBX/ECX/EDX = 0x1111/0x2222/0x3333), RDMSR (EDX:EAX = 0xfeed:index), WRMSR (value logged),
; IN (0xab) and OUT (value logged); an exception skips the faulting instruction (INT3 by the
; exit instruction length, others by `fault_skip` bytes). Every other instruction exit resumes
; past the instruction (GUEST_RIP += VM_EXIT_INSTRUCTION_LEN); MTF exits resume where they
; stopped; a preemption-timer exit reloads the timer with its maximum; an interrupt-window exit
; clears interrupt-window (NMI-window) exiting; a TPR-below-threshold exit
; clears the TPR threshold. A guest VMCALL ends the run.
; Result: rbx = 0x600d on success (0xbad on any failure); exit_count and exit_log (per exit:
; reason, qualification, instruction length, interruption info, its error code, guest RIP,
; IDT-vectoring info, guest-linear address) in memory; the guest's registers in gregs.

%define WANT_PIN 0
%define WANT_PROC 0
%define WANT_PROC2 0
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
    mov ebx, 2
    mov eax, GUEST_RFLAGS
    call vmw
    mov rbx, -1
    mov eax, VMCS_LINK_POINTER
    call vmw
    ; -- 9. what this run sets up beyond the bring-up
    ; @SETUP
    ; -- 10. launch
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
    ja fail                             ; a run away: more exits than any test expects
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
    je .cpuid
    cmp eax, EXIT_REASON_MSR_READ
    je .rdmsr
    cmp eax, EXIT_REASON_MSR_WRITE
    je .wrmsr
    cmp eax, EXIT_REASON_IO_INSTRUCTION
    je .io
    cmp eax, EXIT_REASON_EXCEPTION_NMI
    je .exception
    cmp eax, EXIT_REASON_MONITOR_TRAP_FLAG
    je .resume
    cmp eax, EXIT_REASON_PREEMPTION_TIMER
    je .timer
    cmp eax, EXIT_REASON_INTERRUPT_WINDOW
    je .window
    cmp eax, EXIT_REASON_NMI_WINDOW
    je .nmi_window
    cmp eax, EXIT_REASON_TPR_BELOW_THRESHOLD
    je .tpr
    cmp eax, EXIT_REASON_TRIPLE_FAULT
    je fail
    jmp .advance                        ; any other instruction exit: skip the instruction
.cpuid:
    mov eax, [gregs]
    or eax, 0x600d0000
    mov [gregs], rax
    mov qword [gregs + 3*8], 0x1111
    mov qword [gregs + 1*8], 0x2222
    mov qword [gregs + 2*8], 0x3333
    jmp .advance
.rdmsr:
    mov eax, [gregs + 1*8]
    mov [gregs], rax
    mov qword [gregs + 2*8], 0xfeed
    jmp .advance
.wrmsr:
    mov eax, [gregs + 1*8]
    mov [wrmsr_index], rax
    mov eax, [gregs + 2*8]
    shl rax, 32
    mov ecx, [gregs]
    or rax, rcx
    mov [wrmsr_value], rax
    jmp .advance
.io:
    test byte [rdi + 8], 8              ; qualification bit 3: IN
    jz .out
    mov qword [gregs], 0xab
    jmp .advance
.out:
    mov rax, [gregs]
    mov [out_value], rax
    jmp .advance
.exception:
    cmp byte [rdi + 24], 3              ; #BP from INT3: skip by the exit instruction length
    je .advance
    mov eax, GUEST_RIP
    vmread rbx, rax
    add rbx, [fault_skip]
    vmwrite rax, rbx
    jmp .resume
.timer:
    mov ebx, 0xffffffff
    mov eax, VMX_PREEMPTION_TIMER_VALUE
    call vmw
    jmp .resume
.window:
    mov eax, CPU_BASED_VM_EXEC_CONTROL
    vmread rbx, rax
    and ebx, ~CPU_BASED_INTR_WINDOW_EXITING
    call vmw
    jmp .resume
.nmi_window:
    mov eax, CPU_BASED_VM_EXEC_CONTROL
    vmread rbx, rax
    and ebx, ~CPU_BASED_NMI_WINDOW_EXITING
    call vmw
    jmp .resume
.tpr:                                   ; trap-like: the guest is already past its MOV to CR8
    xor ebx, ebx
    mov eax, TPR_THRESHOLD
    call vmw
    jmp .resume
.advance:
    mov eax, GUEST_RIP
    vmread rbx, rax
    add rbx, [rdi + 16]
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
done:
    mov ebx, 0x600d
    hlt
fail:
    mov ebx, 0xbad
    hlt

; The guest: what it does is the point of the run; a VMCALL ends it.
guest_code:
    ; @GUEST
    xor eax, eax
    cpuid
    mov [result], rax
    mov [result + 8], rbx
    mov eax, 1
    cpuid
    mov [result + 16], rax
    vmcall
    jmp fail

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
fault_skip: dq 2                        ; bytes an intercepted exception skips (UD2)
exit_count: dq 0
wrmsr_index: dq 0
wrmsr_value: dq 0
out_value: dq 0
result: times 8 dq 0
gregs: times 16 dq 0
exit_log: times 32*8 dq 0
align 16
msr_areas: times 8 dq 0                  ; VM-exit MSR-store / MSR-load areas (16-byte entries)

align 4096
vmxon_region: times 4096 db 0
vmcs_region:  times 4096 db 0
guest_stack:  times 4096 db 0
guest_stack_top:
bitmaps:                                ; I/O bitmap A, I/O bitmap B, MSR bitmap: one page each
io_bitmap_a: times 4096 db 0
io_bitmap_b: times 4096 db 0
msr_bitmap:  times 4096 db 0
vapic_page:  times 4096 db 0             ; virtual-APIC page (use TPR shadow)
