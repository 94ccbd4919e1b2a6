; Labels, local labels, equ (forward and backward), and label arithmetic.
first:
.one: dq .two - .one
.two: dq first.one
second: dq .one, .two
.one: dd 1
.two: dd 2
N equ 4
M equ N * 2 + LATER
SIZE equ end - first
dq M, SIZE, N
dq second.one - first.one
LATER equ 1
$eax: dq $eax
..@special: dq ..@special
fwd equ after
dq fwd
after: dq after - first, PA(after)
end:
