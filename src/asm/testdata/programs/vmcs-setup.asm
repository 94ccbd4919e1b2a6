; VMCS set-up in the seeds' style: controls adjusted to the capability MSRs, host and
; guest state written field by field with the Linux vmx.h names, then VMLAUNCH.

adjust_controls:                    ; ecx = capability MSR, eax = wanted -> eax = allowed
    mov ebx, eax
    rdmsr
    or ebx, eax                     ; allowed-0 bits must be 1
    and ebx, edx                    ; allowed-1 bits may be 1
    mov eax, ebx
    ret

setup:
    mov ecx, MSR_IA32_VMX_PINBASED_CTLS
    xor eax, eax
    call adjust_controls
    mov edx, PIN_BASED_VM_EXEC_CONTROL
    vmwrite rdx, rax
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS
    mov eax, CPU_BASED_HLT_EXITING | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS
    call adjust_controls
    mov edx, CPU_BASED_VM_EXEC_CONTROL
    vmwrite rdx, rax
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS2
    mov eax, SECONDARY_EXEC_ENABLE_EPT | CPU_BASED_CTL2_ENABLE_VPID
    call adjust_controls
    mov edx, SECONDARY_VM_EXEC_CONTROL
    vmwrite rdx, rax
    mov ecx, MSR_IA32_VMX_EXIT_CTLS
    mov eax, VM_EXIT_HOST_ADDR_SPACE_SIZE
    call adjust_controls
    mov edx, VM_EXIT_CONTROLS
    vmwrite rdx, rax
    mov ecx, MSR_IA32_VMX_ENTRY_CTLS
    mov eax, VM_ENTRY_IA32E_MODE
    call adjust_controls
    mov edx, VM_ENTRY_CONTROLS
    vmwrite rdx, rax

    mov rax, cr0
    mov edx, HOST_CR0
    vmwrite rdx, rax
    mov rax, cr3
    mov edx, HOST_CR3
    vmwrite rdx, rax
    mov rax, cr4
    mov edx, HOST_CR4
    vmwrite rdx, rax
    lea rax, [vm_exit_handler]
    mov edx, HOST_RIP
    vmwrite rdx, rax
    lea rax, [host_stack_top]
    mov edx, HOST_RSP
    vmwrite rdx, rax
    lea rax, [guest_code]
    mov edx, GUEST_RIP
    vmwrite rdx, rax
    mov rax, -1
    mov edx, VMCS_LINK_POINTER
    vmwrite rdx, rax
    mov eax, X86_EFLAGS_FIXED
    mov edx, GUEST_RFLAGS
    vmwrite rdx, rax
    vmlaunch
    mov edx, VM_INSTRUCTION_ERROR
    vmread rax, rdx
    hlt

guest_code:
    vmcall
    jmp guest_code

vm_exit_handler:
    mov edx, VM_EXIT_REASON
    vmread rax, rdx
    cmp eax, EXIT_REASON_VMCALL
    jne .other
    mov edx, VM_EXIT_INSTRUCTION_LEN
    vmread rbx, rdx
    mov edx, GUEST_RIP
    vmread rax, rdx
    add rax, rbx
    vmwrite rdx, rax
    vmresume
.other:
    hlt

align 16
host_stack: times 512 dq 0
host_stack_top:
