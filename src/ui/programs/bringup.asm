; The default program of the lab: a copy of src/machine/conformance/bringup.asm (the seed-style
; bring-up, VMXON to two guest VMCALL exits), kept here so the page does not change when the
; conformance suite does.
;
; Full VT-x bring-up, written the way the seeds write it: check VMX support and the feature
; control MSR, fix CR0/CR4 to the VMX fixed bits, VMXON with the revision identifier of
; IA32_VMX_BASIC, VMCLEAR, VMPTRLD, controls adjusted to the capability MSRs (TRUE MSRs when
; IA32_VMX_BASIC[55] = 1), host state from the running kernel, a guest that shares it, VMLAUNCH,
; two guest VMCALL exits (the first resumed with VMRESUME), then HLT.
; Result: rbx = 0x600d on success (0xbad on any failure), r15 = VM exits seen, r14 = last exit reason.

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
    xor ebx, ebx
    mov eax, PIN_BASED_VM_EXEC_CONTROL
    call adjust_and_write
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS
    xor ebx, ebx
    mov eax, CPU_BASED_VM_EXEC_CONTROL
    call adjust_and_write
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
    jmp fail                            ; VMLAUNCH fell through: VMfail

; A VM exit lands here with the host's RSP; only VMCALL exits are expected.
vmexit_handler:
    inc r15
    mov eax, VM_EXIT_REASON
    vmread r14, rax
    cmp r14d, EXIT_REASON_VMCALL
    jne fail
    cmp r15, 2
    je done
    mov eax, GUEST_RIP                  ; skip the VMCALL and resume the guest
    vmread rbx, rax
    mov eax, VM_EXIT_INSTRUCTION_LEN
    vmread rcx, rax
    add rbx, rcx
    mov eax, GUEST_RIP
    vmwrite rax, rbx
    vmresume
    jmp fail
done:
    mov ebx, 0x600d
    hlt
fail:
    mov ebx, 0xbad
    hlt

guest_code:
    mov eax, 1
    vmcall
    mov eax, 2
    vmcall
    jmp guest_code

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

align 4096
vmxon_region: times 4096 db 0
vmcs_region:  times 4096 db 0
guest_stack:  times 4096 db 0
guest_stack_top:
