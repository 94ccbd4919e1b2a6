; An endless loop ends at --max-steps (the golden test passes --max-steps 1000).
spin:
    inc rax
    jmp spin
