; Calls, pushes and pops, and a loop: the stack is the 16 KiB one the machine gives.
    mov ecx, 10
    xor eax, eax
again:
    call add_ecx
    dec ecx
    jnz again
    push rax
    pop r15
    mov r14, rsp
    hlt

add_ecx:
    add rax, rcx
    ret
