; One program with the instructions of DESIGN section 4 outside the VMX set, and an IDT of
; its own: int3 is delivered to bp_handler (the gate is present) instead of stopping the machine.
    sgdt [gdtr_save]
    sidt [idtr_save]
    str ax
    sldt bx
    mov dx, 0x08
    lar ecx, dx
    lsl esi, dx
    movzx edi, byte [gdtr_save]
    movsx r8, word [gdtr_save]
    lea r9, [rel gdtr_save]
    ; install a #BP handler in our own IDT
    lea rax, [bp_handler]
    mov [idt + 3*16], ax
    mov word [idt + 3*16 + 2], 0x08        ; kernel code selector
    mov word [idt + 3*16 + 4], 0x8e00      ; present, 64-bit interrupt gate
    shr rax, 16
    mov [idt + 3*16 + 6], ax
    shr rax, 16
    mov [idt + 3*16 + 8], eax
    lidt [idt_desc]
    int3                                   ; -> bp_handler, back here
    int3
    ; control registers, debug registers, TLB
    mov rax, cr3
    mov cr3, rax
    mov r10, cr0
    mov r11, cr4
    mov r13, dr7
    invlpg [gdtr_save]
    ; MSRs, CPUID, time stamp counter
    mov ecx, MSR_KERNEL_GS_BASE
    mov eax, 0x12345678
    mov edx, 0x1abc
    wrmsr
    xor eax, eax
    rdmsr
    shl rdx, 32
    or rax, rdx
    mov r14, rax
    mov eax, 0x80000008
    cpuid                                  ; EAX[7:0] = MAXPHYADDR
    movzx r15d, al
    rdtsc
    rdtscp
    ; ports: A20 at 0x92, the POST port 0x80
    in al, 0x92
    out 0x80, al
    ; flags, stack, calls, branches
    pushfq
    cli
    sti
    popfq
    call sub1
    xchg rax, rbx
    cdqe
    bt rax, 3
    bts rax, 4
    btr rax, 5
    setc cl
    inc rcx
    dec rcx
    not rcx
    neg rcx
    test rcx, rcx
    jz .skip
    and rcx, 0xff
    or rcx, 0x100
.skip:
    pause
    nop
    cmp rcx, 0
    jne done
    ud2
done:
    hlt

sub1:
    push rbp
    mov rbp, rsp
    sar qword [rbp], 0   ; no change; touches the stack through rbp
    pop rbp
    ret

bp_handler:
    inc r12
    iretq

idt_desc:
    dw 256*16 - 1
    dq idt
gdtr_save: times 10 db 0
idtr_save: times 10 db 0
align 16
idt: times 256*16 db 0
