; The first steps of every hypervisor in the seeds: is VMX there, and did firmware enable it?
    mov eax, 1
    cpuid
    bt ecx, 5                     ; CPUID.1:ECX.VMX
    setc r8b
    mov ecx, MSR_IA32_FEATURE_CONTROL
    rdmsr
    mov r9, rax                   ; lock (bit 0) and VMX outside SMX (bit 2)
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    shl rdx, 32
    or rax, rdx
    mov r10, rax                  ; VMCS revision id in bits 30:0
    mov rax, cr4
    mov r11, rax                  ; VMXE (bit 13) clear at start
    mov rax, cr0
    mov r12, rax
    rdtsc
    hlt
