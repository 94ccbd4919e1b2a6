// The program of lesson 13: a virtual-8086 guest under a 64-bit host, as seed 004 plans one
// (adapted from src/machine/conformance/guest-v86.asm, with the guest written as `bits 16`
// source). The host is the bring-up of the earlier lessons; the guest is 16-bit code at CPL 3
// with CR0.PE = CR0.PG = 1 (a processor without "unrestricted guest", such as Core 2, requires
// both), its own 32-bit page table (guest linear pages 0-3 map the four pages at v86_area), a
// 32-bit TSS whose I/O permission bitmap allows port 80h, and IOPL = 0.
// Result: rbx = 0x600d on success (0xbad on any failure); r15 = VM exits seen, r14 = the last
// exit reason, r13 = the vector of the guest's INT n, r12 = the port of the I/O exit (from its
// qualification), r11 = the guest's AL at the OUT.

import { CRS_ADJUST, HOST_HELPERS, VMX_CHECKS, host, vmxon } from '../programs/bringup.ts';

/** How the starting program breaks the guest: `solution` is the working whole. */
export type V8086Variant = 'solution' | 'real-mode-ar';

const PROLOGUE = `start:
    xor r15d, r15d
    xor r14d, r14d
    xor r13d, r13d
    xor r12d, r12d
    xor r11d, r11d
`;

/** Step 3, with r10 (not r12, a result here) picking the TRUE capability MSRs. */
const REVISION = `    ; -- 3. revision identifier into the VMXON region and the VMCS
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    and eax, 0x7fffffff
    mov [vmxon_region], eax
    mov [vmcs_region], eax
    xor r10d, r10d                      ; 0x481 + 0xc = 0x48d: the TRUE capability MSRs
    bt edx, 23                          ; IA32_VMX_BASIC[55]
    jnc .plain_ctls
    mov r10d, 0xc
.plain_ctls:
`;

const CONTROLS = `    ; -- 5. controls, adjusted: no pin-based control; I/O bitmaps; a 64-bit host; a guest outside IA-32e mode
    mov ecx, MSR_IA32_VMX_PINBASED_CTLS
    xor ebx, ebx
    mov eax, PIN_BASED_VM_EXEC_CONTROL
    call adjust_and_write
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS
    mov ebx, CPU_BASED_USE_IO_BITMAPS
    mov eax, CPU_BASED_VM_EXEC_CONTROL
    call adjust_and_write
    mov ecx, MSR_IA32_VMX_EXIT_CTLS
    mov ebx, VM_EXIT_HOST_ADDR_SPACE_SIZE
    mov eax, VM_EXIT_CONTROLS
    call adjust_and_write
    mov ecx, MSR_IA32_VMX_ENTRY_CTLS
    xor ebx, ebx                        ; no "IA-32e mode guest"
    mov eax, VM_ENTRY_CONTROLS
    call adjust_and_write
    ; the VMX I/O bitmaps: port 80h exits, every other port does not
    mov byte [io_bitmap_a + 0x80 / 8], 1 << (0x80 % 8)
    mov rbx, PA(io_bitmap_a)
    mov eax, IO_BITMAP_A
    call vmw
    mov rbx, PA(io_bitmap_b)
    mov eax, IO_BITMAP_B
    call vmw
    mov ebx, 0xffffffff                 ; every exception exits: the #GP(0) of INT n and HLT
    mov eax, EXCEPTION_BITMAP
    call vmw
`;

const GUEST_PAGING = `    ; -- 7. guest state: paging and protection on (no unrestricted guest), 32-bit paging
    mov ebx, 0x80000031                 ; PG, NE, ET, PE
    mov eax, GUEST_CR0
    call vmw
    mov ebx, X86_CR4_VMXE               ; IA32_VMX_CR4_FIXED0 wants it; no PAE: 32-bit paging
    mov eax, GUEST_CR4
    call vmw
    ; the guest's page directory and page table: linear pages 0-3 -> v86_area (P, R/W, U/S)
    mov rax, PA(guest_pt)
    or rax, 7
    mov [guest_pd], eax
    mov rax, PA(v86_area)
    or rax, 7
    lea rsi, [guest_pt]
    xor ecx, ecx
.pt:
    mov [rsi + rcx*4], eax
    add eax, 0x1000
    inc ecx
    cmp ecx, 4
    jb .pt
    mov rbx, PA(guest_pd)
    mov eax, GUEST_CR3
    call vmw
    mov ebx, 0x400
    mov eax, GUEST_DR7
    call vmw
`;

/** Steps 1-7 of the host: the bring-up's own steps where lesson 13 does them the same way (src/lessons/programs/bringup.ts). */
const HOST = [PROLOGUE, VMX_CHECKS, CRS_ADJUST, REVISION, vmxon({}), CONTROLS, host({}), GUEST_PAGING].join('');

const GUEST_STATE = `    ; virtual-8086 segments: CS:IP = 0010:0000, SS:SP = 0030:0FF0, DS = ES = 0020, FS = GS = 0
    mov ebx, 0x0010
    mov eax, GUEST_CS_SELECTOR
    call v86_segment
    mov ebx, 0x0030
    mov eax, GUEST_SS_SELECTOR
    call v86_segment
    mov ebx, 0x0020
    mov eax, GUEST_DS_SELECTOR
    call v86_segment
    mov ebx, 0x0020
    mov eax, GUEST_ES_SELECTOR
    call v86_segment
    xor ebx, ebx
    mov eax, GUEST_FS_SELECTOR
    call v86_segment
    xor ebx, ebx
    mov eax, GUEST_GS_SELECTOR
    call v86_segment
    ; TR: a 32-bit busy TSS (type 11) at guest linear 0x2000 whose I/O permission bitmap covers ports 0-FFh
    mov ebx, 0x08
    mov eax, GUEST_TR_SELECTOR
    call vmw
    mov ebx, 0x2000
    mov eax, GUEST_TR_BASE
    call vmw
    mov ebx, 0x88                       ; 0x68 bytes of TSS, the 32-byte bitmap, its end byte; less one
    mov eax, GUEST_TR_LIMIT
    call vmw
    mov ebx, 0x8b
    mov eax, GUEST_TR_AR_BYTES
    call vmw
    xor ebx, ebx
    mov eax, GUEST_LDTR_SELECTOR
    call vmw
    mov ebx, 0x10000                    ; unusable
    mov eax, GUEST_LDTR_AR_BYTES
    call vmw
    xor ebx, ebx
    mov eax, GUEST_GDTR_BASE
    call vmw
    mov ebx, 0xffff
    mov eax, GUEST_GDTR_LIMIT
    call vmw
    xor ebx, ebx
    mov eax, GUEST_IDTR_BASE
    call vmw
    mov ebx, 0x3ff
    mov eax, GUEST_IDTR_LIMIT
    call vmw
    mov ebx, 0x0ff0
    mov eax, GUEST_RSP
    call vmw
    xor ebx, ebx
    mov eax, GUEST_RIP
    call vmw
    mov ebx, 0x20002                    ; RFLAGS: VM (bit 17) = 1, IOPL = 0, IF = 0, bit 1 = 1
    mov eax, GUEST_RFLAGS
    call vmw
    mov rbx, -1
    mov eax, VMCS_LINK_POINTER
    call vmw
    ; -- 8. launch
    vmlaunch
    jmp fail                            ; VMLAUNCH fell through: VMfail
`;

const HANDLER = `
; Every VM exit lands here with the host's RSP and the guest's general registers.
vmexit_handler:
    mov [gregs + 0*8], rax
    mov [gregs + 1*8], rcx
    mov [gregs + 2*8], rdx
    mov [gregs + 3*8], rbx
    mov [gregs + 6*8], rsi
    mov [gregs + 7*8], rdi
    inc r15
    cmp r15, 8
    ja fail                             ; a run away: more exits than the guest has instructions
    mov eax, VM_EXIT_REASON
    vmread r14, rax
    cmp r14d, EXIT_REASON_IO_INSTRUCTION
    je .io
    test r14d, r14d                     ; reason 0: an exception (bit 31 set: the VM entry failed)
    jnz fail
    mov eax, VM_EXIT_INTR_INFO
    vmread rbx, rax
    cmp bl, 13                          ; #GP: the monitor's business
    jne fail
    ; the faulting instruction at CS base + IP (virtual-8086: base = CS << 4); guest linear L is v86_area + L
    mov eax, GUEST_CS_BASE
    vmread rbx, rax
    mov eax, GUEST_RIP
    vmread rcx, rax
    add rbx, rcx
    lea rsi, [v86_area]
    add rsi, rbx
    movzx eax, byte [rsi]
    cmp al, 0xcd                        ; INT n
    je .int
    cmp al, 0xf4                        ; HLT: the guest is done
    je done
    jmp fail
.int:
    movzx r13d, byte [rsi + 1]
    mov ecx, 2
    jmp .advance
.io:                                    ; the exit qualification: bits 31:16 = the port
    mov eax, EXIT_QUALIFICATION
    vmread r12, rax
    shr r12d, 16
    movzx r11d, byte [gregs]            ; the guest's AL
    mov eax, VM_EXIT_INSTRUCTION_LEN
    vmread rcx, rax
.advance:
    mov eax, GUEST_RIP
    vmread rbx, rax
    add rbx, rcx
    vmwrite rax, rbx
    mov rax, [gregs + 0*8]
    mov rcx, [gregs + 1*8]
    mov rdx, [gregs + 2*8]
    mov rbx, [gregs + 3*8]
    mov rsi, [gregs + 6*8]
    mov rdi, [gregs + 7*8]
    vmresume
    jmp fail
done:
    mov ebx, 0x600d
    hlt
fail:
    mov ebx, 0xbad
    hlt

; ecx = capability MSR (plus r10 to pick the TRUE one), ebx = wanted bits, eax = field
adjust_and_write:
    push rax
    add ecx, r10d
    rdmsr
    or ebx, eax
    and ebx, edx
    pop rax
    ; fall through
; rax = field encoding, rbx = value
vmw:
    vmwrite rax, rbx
    jbe fail
    ret
`;

function segmentRoutine(variant: V8086Variant): string {
  const ar = variant === 'real-mode-ar'
    ? '    mov ebx, 0x93                       ; access rights: present, DPL 0, read/write accessed data, as in real mode'
    : '    mov ebx, 0xf3                       ; access rights: present, DPL 3, read/write accessed data';
  return `
; ebx = selector, eax = the guest selector field: a virtual-8086 segment (base = selector << 4,
; limit 0xFFFF). The limit, access-rights and base fields sit at fixed distances from the selector field.
v86_segment:
    mov r8d, eax
    mov r9d, ebx
    call vmw
    lea eax, [r8d + GUEST_ES_LIMIT - GUEST_ES_SELECTOR]
    mov ebx, 0xffff
    call vmw
    lea eax, [r8d + GUEST_ES_AR_BYTES - GUEST_ES_SELECTOR]
${ar}
    call vmw
    lea eax, [r8d + GUEST_ES_BASE - GUEST_ES_SELECTOR]
    mov ebx, r9d
    shl ebx, 4
    call vmw
    ret
`;
}

const DATA = `
align 8
vmxon_ptr: dq 0
vmcs_ptr:  dq 0
gdtr: times 10 db 0
idtr: times 10 db 0
align 8
gregs: times 16 dq 0

align 4096
vmxon_region: times 4096 db 0
vmcs_region:  times 4096 db 0
io_bitmap_a:  times 4096 db 0           ; ports 0000H-7FFFH, one bit each
io_bitmap_b:  times 4096 db 0           ; ports 8000H-FFFFH
guest_pd: times 4096 db 0
guest_pt: times 4096 db 0
; The guest's 16 KiB: linear 0000-3FFF.
v86_area:
    times 0x100 db 0
; CS = 0010h, IP = 0: linear 0100h.
bits 16
v86_code:
    mov ax, 0x1234
    add ax, 0x0101
    mov [0x80], ax                      ; DS = 0020h: linear 0280h
    mov al, 0x5a
    out 0x80, al                        ; the TSS bitmap allows port 80h; the VMX I/O bitmap makes it exit
    int 0x21                            ; IOPL 0 < 3: #GP(0), which the exception bitmap turns into an exit
    hlt                                 ; CPL 3: #GP(0) too
bits 64
    times 0x2000 - ($ - v86_area) db 0
v86_tss:                                ; linear 2000h: a 32-bit TSS
    times 102 db 0
    dw 0x68                             ; I/O map base: the bitmap follows the TSS
    times 0x20 db 0                     ; ports 00-FFh allowed (bit = 0)
    db 0xff                             ; the byte that ends the bitmap
    times 0x4000 - ($ - v86_area) db 0
`;

/** The whole program of lesson 13, written the working way or the broken one. */
export function v8086Program(variant: V8086Variant, header: string): string {
  return `${header}${HOST}${GUEST_STATE}${HANDLER}${HOST_HELPERS}${segmentRoutine(variant)}${DATA}`;
}
