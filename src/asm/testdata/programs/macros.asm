; Single-line macros, %assign, conditional assembly, NASM's no-recursion rule.
%define COUNT 3
%define TWICE(x) ((x) * 2)
%define ADD(a, b) ((a) + (b))
%define REGION vmxon_region
%assign N COUNT + 1
%assign N N * 2
%xdefine SNAP N
%assign N 0
%define NESTED TWICE(TWICE(COUNT))
%define self self
%idefine Loud 7
dq COUNT, TWICE(5), ADD(1, TWICE(2)), N, SNAP, NESTED, LOUD, loud
dq PA(REGION), REGION
%ifdef COUNT
dq 1
%else
dq 2
%endif
%ifndef NOPE
dq 3
%endif
%if COUNT > 2 && SNAP == 8
dq 4
%elif 1
dq 5
%else
dq 6
%endif
%if 0
  this line is skipped entirely, even ] garbage [
%endif
%undef COUNT
%ifdef COUNT
dq 7
%endif
self equ 0x55
dq self
align 4096, db 0
vmxon_region: times 4096 db 0
