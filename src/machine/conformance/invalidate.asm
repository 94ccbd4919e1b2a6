; INVEPT and INVVPID in VMX root operation: an all-context invalidation succeeds, a type the
; processor does not report in IA32_VMX_EPT_VPID_CAP (INVEPT type 0) or a descriptor with VPID 0
; (single-context INVVPID) gives VMfailValid(28). On a processor without EPT (Core 2) the first
; INVEPT raises #UD. Result: rbx = 0x600d when every outcome matched.
start:
    mov rbx, cr4
    or rbx, X86_CR4_VMXE
    mov cr4, rbx
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    and eax, 0x7fffffff
    mov [vmxon_region], eax
    mov [vmcs], eax
    mov rax, PA(vmxon_region)
    mov [p_vmxon], rax
    mov rax, PA(vmcs)
    mov [p_vmcs], rax
    vmxon [p_vmxon]
    jbe fail
    vmclear [p_vmcs]
    jbe fail
    vmptrld [p_vmcs]
    jbe fail
    mov eax, 2
    invept rax, [desc]                  ; all-context: VMsucceed (#UD without EPT)
    jbe fail
    xor eax, eax
    invept rax, [desc]                  ; type 0 is never supported: VMfailValid(28)
    jnz fail
    mov eax, 2
    invvpid rax, [desc]                 ; all-context: VMsucceed
    jbe fail
    mov eax, 1
    invvpid rax, [desc]                 ; single-context with VPID 0: VMfailValid(28)
    jnz fail
    mov eax, VM_INSTRUCTION_ERROR
    vmread rax, rax
    cmp eax, 28
    jne fail
    mov ebx, 0x600d
    hlt
fail:
    mov ebx, 0xbad
    hlt
align 16
desc: dq 0, 0
p_vmxon: dq 0
p_vmcs: dq 0
align 4096
vmxon_region: times 4096 db 0
vmcs: times 4096 db 0
