; Arithmetic and logic on every register size; ends with hlt.
    mov rax, 0x123456789abcdef0
    mov ecx, 0xffffffff
    add rax, rcx
    mov edx, eax          ; 32-bit write clears bits 63:32
    xor ebx, ebx
    not rbx
    shl rbx, 60
    sar rbx, 3
    mov r8b, 0x7f
    add r8b, 1            ; OF set
    seto r9b
    mov r10, 1000
    imul r10, r10, 1000
    mov r11, rax
    neg r11
    hlt
