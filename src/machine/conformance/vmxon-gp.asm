; VMXON with CR4.VMXE set: VMsucceed from the lab's starting machine, #GP(0) when
; IA32_FEATURE_CONTROL is unlocked or has VMX outside SMX disabled (run with --msr 0x3a=...),
; the test also clears CR0.NE through a variant program (vmxon-gp-cr0.asm).
start:
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
    jbe fail
    mov ebx, 0x600d
    hlt
fail:
    mov ebx, 0xbad
    hlt
align 8
ptr: dq 0
align 4096
region: times 4096 db 0
