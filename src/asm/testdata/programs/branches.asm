; Jump sizing: NASM starts short and grows jumps until nothing moves.
top:
    jmp near_end
    jz far_end
    times 100 nop
near_end:
    jnz top
    times 27 nop
    jmp top
    call top
    jmp short .l
.l: loop .l
    times 120 nop
far_end:
    jmp $
    jmp $+2
    jmp $$
    jc back
back:
    jmp near back
    ret
