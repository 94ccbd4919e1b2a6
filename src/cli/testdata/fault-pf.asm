; A physical address used as a virtual one: only PHYS_OFFSET + P is mapped, so #PF.
    mov rax, PA(vmcs_region)   ; the physical address of the region
    mov rcx, [rax]             ; #PF: 0x101000 is not a mapped virtual address
    hlt
align 4096
vmcs_region: times 4096 db 0
