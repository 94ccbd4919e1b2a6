    mov rax, 1
    frobnicate rax
    add rax,
    hlt
