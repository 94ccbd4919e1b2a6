; NASM expressions: every radix, operator, precedence, character constants, $ and $$.
start:
dq 0b1010 + 1010b + 0x1_0 + 10h + 0o17 + 17q + 17o + 0d10 + 1_000 + 0ah + $1f + 0y11 + 11y + 0t9
dq 0x1F, 1Fh, 0h1F, 0bh, 0x1b, 0x, 08
dq 1 + 2 * 3, (1 + 2) * 3, 10 - 4 - 3, 100 / 7 / 2, -7 / 2, -7 // 2, -7 % 3, -7 %% 3
dq 1 << 4 | 1, 1 << 64, 1 << 65, -8 >> 1, -8 >>> 1, 3 <<< 2, 0xF0 & 0x3C ^ 0xFF, ~0, -~5, +-+3
dq 'a', 'ab', 'abcd', 'abcdefgh', "xy", `\n\t`
dq 3 == 3, 3 != 3, 2 < 1, -1 < 0, 2 >= 2, 1 <> 1, 5 = 5, 1 && 0, 1 || 0, 1 ^^ 1, !0, !7
dq 2 > 1 ? 5 : 6, 0 ? 1 : 0 ? 2 : 3
dq $ - $$, $, $$, start, start - $$, (start - $$) * 4 + 1
dd ($ - start) >> 2, (start - $$) & 0xfff
dq 0xFFFF_FFFF_FFFF_FFFF + 1, 0x7FFFFFFFFFFFFFFF + 1, -0x7FFFFFFFFFFFFFFF // -1
dq LAB_BASE, PHYS_OFFSET, PA(start), PA(LAB_BASE), X86_CR4_VMXE | X86_CR0_PE
