; A physical address used as a virtual one: only PHYS_OFFSET + P is mapped, so #PF.
    lea rbx, [vmcs_region]
    mov rax, rbx
    sub rax, PHYS_OFFSET   ; PA(vmcs_region)
    mov rcx, [rax]         ; #PF: not a mapped virtual address
    hlt
align 4096
vmcs_region: times 4096 db 0
