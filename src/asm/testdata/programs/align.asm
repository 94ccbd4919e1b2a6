; align pads with single-byte NOPs (NASM's align macro: times ... nop), alignb with zeros.
db 1
align 16
db 2
align 8
db 3
align 4, db 0xcc
db 4
align 8, dw 0x1234
align 2
alignb 16
db 5
align 1
