; VMXON with CR4.VMXE clear: #UD (SDM Vol. 3C §31.3 VMXON). The machine stops with a fault event
; at the VMXON line. Run with IA32_FEATURE_CONTROL overridden (`--msr 0x3a=...`) the same program
; shows the #GP(0) of an unlocked or VMX-disabled feature-control MSR once CR4.VMXE is set: see
; vmxon-gp.asm.
start:
    mov rax, PA(region)
    mov [ptr], rax
    vmxon [ptr]
    hlt
align 8
ptr: dq 0
align 4096
region: times 4096 db 0
