; VMXON with CR0.NE clear: #GP(0), CR0 is not valid for VMX operation (IA32_VMX_CR0_FIXED0).
start:
    mov rbx, cr0
    and rbx, ~X86_CR0_NE
    mov cr0, rbx
    mov rbx, cr4
    or rbx, X86_CR4_VMXE
    mov cr4, rbx
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    and eax, 0x7fffffff
    mov [region], eax
    mov rax, PA(region)
    mov [ptr], rax
    vmxon [ptr]
    hlt
align 8
ptr: dq 0
align 4096
region: times 4096 db 0
