; Run with --msr 0x3a=0x4: firmware left IA32_FEATURE_CONTROL unlocked, so VMXON raises #GP(0).
    mov rax, cr4
    or rax, X86_CR4_VMXE
    mov cr4, rax
    mov rax, PA(region)
    mov [ptr], rax
    vmxon [ptr]
    hlt
align 4096
region: times 4096 db 0
ptr: dq 0
