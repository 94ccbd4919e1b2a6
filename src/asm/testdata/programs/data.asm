; Data and reserve directives, strings padded to the unit, truncation, times.
msg: db "hello", 0
     db 'it', "'s", `tab\there`, 0x0a
     dw 'abc', 0x1234, -1, msg
     dd 'abcde', 0x12345678, -2, msg, msg - $$
     dq 'abcdefghi', msg, -3, 0x123456789abcdef0
     db 1, 2,
     times 5 db 0x55
     times 3 dw $ - $$
     times 2 dq $
     times 0 db 1
buf: resb 7
     resw 2
     resd 1
     resq 1
     db 0xff
