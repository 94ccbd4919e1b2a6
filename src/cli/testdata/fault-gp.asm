; Writing a reserved CR4 bit (bit 63) raises #GP(0); the IDT has no present gate, so it stops.
    mov rax, cr4
    bts rax, 63
    mov cr4, rax
    hlt
