; VMXON, VMCLEAR, VMPTRLD and their VMfail outcomes, one event per VMX instruction.
    mov rax, cr4
    or rax, X86_CR4_VMXE
    mov cr4, rax
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr                          ; EAX[30:0] = VMCS revision identifier
    mov [vmxon_region], eax
    mov [vmcs_region], eax
    mov rax, PA(vmxon_region)
    mov [vmxon_ptr], rax
    mov rax, PA(vmcs_region)
    mov [vmcs_ptr], rax
    vmxon [vmxon_ptr]              ; VMsucceed
    vmptrld [vmxon_ptr]            ; VMfailInvalid: no current VMCS yet
    vmclear [vmcs_ptr]             ; VMsucceed
    vmptrld [vmcs_ptr]             ; VMsucceed
    vmptrld [vmxon_ptr]            ; VMfailValid(10): the VMXON pointer
    mov rax, VM_INSTRUCTION_ERROR
    vmread rbx, rax                ; rbx = 10
    vmxon [vmxon_ptr]              ; VMfailValid(15): already in VMX root operation
    vmxoff                         ; VMsucceed
    hlt
align 4096
vmxon_region: times 4096 db 0
vmcs_region: times 4096 db 0
vmxon_ptr: dq 0
vmcs_ptr: dq 0
