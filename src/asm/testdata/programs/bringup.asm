; A VMX bring-up in the style of the seeds: check support, fix CR0/CR4, VMXON, VMCLEAR,
; VMPTRLD, adjust controls to the capability MSRs, then VMLAUNCH.
start:
    mov eax, 1
    cpuid
    bt ecx, 5                       ; CPUID.1:ECX.VMX
    jnc .no_vmx
    mov ecx, MSR_IA32_FEATURE_CONTROL
    rdmsr
    test eax, FEAT_CTL_LOCKED
    jnz .locked
    or eax, FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX
    wrmsr
.locked:
    mov ecx, MSR_IA32_VMX_CR0_FIXED0
    rdmsr
    shl rdx, 32
    or rax, rdx
    mov rbx, cr0
    or rbx, rax
    mov ecx, MSR_IA32_VMX_CR0_FIXED1
    rdmsr
    shl rdx, 0x20
    or rax, rdx
    and rbx, rax
    mov cr0, rbx
    mov rax, cr4
    or rax, X86_CR4_VMXE
    mov cr4, rax
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    mov [vmxon_region], eax
    mov [vmcs_region], eax
    mov rax, PA(vmxon_ptr)
    lea rbx, [vmxon_ptr]
    vmxon [rbx]
    jc .fail
    lea rax, [vmcs_ptr]
    vmclear [rax]
    vmptrld [rax]
    jbe .fail
    mov rdx, 0x4002
    vmread rax, rdx
    vmwrite rdx, rax
    vmlaunch
    vmresume
    vmcall
.fail:
.no_vmx:
    cli
    hlt
    jmp .no_vmx
vmxon_ptr: dq PA(vmxon_region)
vmcs_ptr:  dq PA(vmcs_region)
align 4096
vmxon_region: times 4096 db 0
vmcs_region:  times 4096 db 0
