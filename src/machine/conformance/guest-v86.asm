; A virtual-8086 guest under a 64-bit host, as seed 004 plans one (SDM Vol. 3B ch. 20 "8086
; Emulation"; Vol. 3C §27.3.1.2 "Checks on Guest Segment Registers": with RFLAGS.VM = 1 every
; segment has base = selector << 4, limit 0xFFFF, access rights 0xF3). The host is the bring-up
; of exit-loop.asm (VMXON, VMCS, controls adjusted to the capability MSRs, host state from the
; running kernel); the guest is 16-bit code at CPL 3 with CR0.PE = CR0.PG = 1 (what a processor
; without "unrestricted guest" requires), 32-bit paging through its own page table (guest linear
; pages 0-3 map the four pages at v86_area), a 32-bit TSS without an I/O permission bitmap, and
; IOPL = 0. Its INT 21h (IOPL-sensitive, §20.2.7), OUT (no bitmap: every port denied, §20.2.8.1)
; and HLT (privileged) raise #GP(0), which the exception bitmap turns into VM exits (reason 0).
; The host's monitor emulates them as seed 004's #GP handler does: it reads the opcode at
; CS:IP, logs INT n's vector and OUT's port and AL, skips the 2-byte instruction, and takes the
; HLT as the end of the guest: no VMCALL.
; Result: rbx = 0x600d on success (0xbad on any failure); exit_count and exit_log (reason,
; qualification, instruction length, interruption info, its error code, guest RIP, IDT-vectoring
; info, guest-linear address) in memory; int_vector, out_port, out_value; the guest's word at
; DS:0080h (v86_area + 0x280).

%define WANT_PIN 0
%define WANT_PROC 0
%define WANT_PROC2 0
%define WANT_EXIT VM_EXIT_HOST_ADDR_SPACE_SIZE
%define GUEST_RFLAGS_VALUE 0x20002      ; VM = 1, IOPL = 0, IF = 0
%define TSS_LIMIT 0x67                  ; 0x67: no I/O permission bitmap; 0x88: the bitmap in v86_tss
%define PORT80_DENIED 1                 ; the bitmap's bit for port 80h

start:
    xor r15d, r15d
    xor r14d, r14d
    ; -- 1. CPUID.1:ECX.VMX[bit 5]
    mov eax, 1
    cpuid
    bt ecx, 5
    jnc fail
    ; -- 2. IA32_FEATURE_CONTROL locked, VMX outside SMX enabled
    mov ecx, MSR_IA32_FEATURE_CONTROL
    rdmsr
    test eax, FEAT_CTL_LOCKED
    jz fail
    test eax, FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX
    jz fail
    ; -- 3. CR0 and CR4 adjusted to IA32_VMX_CR{0,4}_FIXED{0,1}, CR4.VMXE set
    mov ecx, MSR_IA32_VMX_CR0_FIXED0
    rdmsr
    mov rbx, cr0
    or rbx, rax
    mov ecx, MSR_IA32_VMX_CR0_FIXED1
    rdmsr
    and rbx, rax
    mov cr0, rbx
    mov rbx, cr4
    or rbx, X86_CR4_VMXE
    mov ecx, MSR_IA32_VMX_CR4_FIXED0
    rdmsr
    or rbx, rax
    mov ecx, MSR_IA32_VMX_CR4_FIXED1
    rdmsr
    and rbx, rax
    mov cr4, rbx
    ; -- 4. revision identifier into the VMXON region and the VMCS
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    and eax, 0x7fffffff
    mov [vmxon_region], eax
    mov [vmcs_region], eax
    xor r12d, r12d                      ; 0x481 + 0xc = 0x48d: the TRUE MSRs
    bt edx, 23                          ; IA32_VMX_BASIC[55]
    jnc .plain_ctls
    mov r12d, 0xc
.plain_ctls:
    ; -- 5. VMXON, VMCLEAR, VMPTRLD (operands hold physical addresses)
    mov rax, PA(vmxon_region)
    mov [vmxon_ptr], rax
    vmxon [vmxon_ptr]
    jbe fail
    mov rax, PA(vmcs_region)
    mov [vmcs_ptr], rax
    vmclear [vmcs_ptr]
    jbe fail
    vmptrld [vmcs_ptr]
    jbe fail
    ; -- 6. controls: (wanted | allowed-0) & allowed-1
    mov ecx, MSR_IA32_VMX_PINBASED_CTLS
    mov ebx, WANT_PIN
    mov eax, PIN_BASED_VM_EXEC_CONTROL
    call adjust_and_write
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS
    mov ebx, WANT_PROC
    mov eax, CPU_BASED_VM_EXEC_CONTROL
    call adjust_and_write
    mov ebx, WANT_PROC2                 ; secondary controls only when some are wanted
    test ebx, ebx
    jz .no_secondary
    mov ecx, MSR_IA32_VMX_PROCBASED_CTLS2
    sub ecx, r12d                       ; adjust_and_write adds r12: CTLS2 has no TRUE twin
    mov eax, SECONDARY_VM_EXEC_CONTROL
    call adjust_and_write
.no_secondary:
    mov ecx, MSR_IA32_VMX_EXIT_CTLS
    mov ebx, WANT_EXIT
    mov eax, VM_EXIT_CONTROLS
    call adjust_and_write
    mov ecx, MSR_IA32_VMX_ENTRY_CTLS
    mov ebx, 0                          ; a guest outside IA-32e mode
    mov eax, VM_ENTRY_CONTROLS
    call adjust_and_write
    ; -- 7. host state: the running kernel
    mov rbx, cr0
    mov eax, HOST_CR0
    call vmw
    mov rbx, cr3
    mov eax, HOST_CR3
    call vmw
    mov rbx, cr4
    mov eax, HOST_CR4
    call vmw
    mov bx, cs
    movzx ebx, bx
    mov eax, HOST_CS_SELECTOR
    call vmw
    mov bx, ss
    movzx ebx, bx
    mov eax, HOST_SS_SELECTOR
    call vmw
    mov bx, ds
    movzx ebx, bx
    mov eax, HOST_DS_SELECTOR
    call vmw
    mov bx, es
    movzx ebx, bx
    mov eax, HOST_ES_SELECTOR
    call vmw
    mov bx, fs
    movzx ebx, bx
    mov eax, HOST_FS_SELECTOR
    call vmw
    mov bx, gs
    movzx ebx, bx
    mov eax, HOST_GS_SELECTOR
    call vmw
    str bx
    movzx ebx, bx
    mov eax, HOST_TR_SELECTOR
    call vmw
    mov ecx, MSR_FS_BASE
    call rdmsr64
    mov eax, HOST_FS_BASE
    call vmw
    mov ecx, MSR_GS_BASE
    call rdmsr64
    mov eax, HOST_GS_BASE
    call vmw
    sgdt [gdtr]
    sidt [idtr]
    mov rbx, [gdtr + 2]
    mov eax, HOST_GDTR_BASE
    call vmw
    mov rbx, [idtr + 2]
    mov eax, HOST_IDTR_BASE
    call vmw
    call tr_base
    mov eax, HOST_TR_BASE
    call vmw
    mov rbx, rsp
    mov eax, HOST_RSP
    call vmw
    lea rbx, [vmexit_handler]
    mov eax, HOST_RIP
    call vmw
    ; -- 8. guest state: virtual-8086 mode at CS:IP = 0010:0000, SS:SP = 0300:0FF0, DS = 0020
    mov ebx, 0x80000031                 ; PG, NE, ET, PE
    mov eax, GUEST_CR0
    call vmw
    mov ebx, X86_CR4_VMXE               ; IA32_VMX_CR4_FIXED0; no PAE: 32-bit paging
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
    mov ebx, 0x0010
    mov eax, GUEST_CS_SELECTOR
    call v86_segment
    mov ebx, 0x0300
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
    ; TR: a 32-bit busy TSS (type 11) at guest linear 0x2000, limit 0x67
    mov ebx, 0x08
    mov eax, GUEST_TR_SELECTOR
    call vmw
    mov ebx, 0x2000
    mov eax, GUEST_TR_BASE
    call vmw
    mov ebx, TSS_LIMIT
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
    mov ebx, GUEST_RFLAGS_VALUE
    mov eax, GUEST_RFLAGS
    call vmw
    mov rbx, -1
    mov eax, VMCS_LINK_POINTER
    call vmw
    mov ebx, 0xffffffff                 ; every exception exits
    mov eax, EXCEPTION_BITMAP
    call vmw
    ; @SETUP
    ; -- 9. launch
    vmlaunch
    jmp fail                            ; VMLAUNCH fell through: VMfail

; Every VM exit lands here with the host's RSP and the guest's general registers.
vmexit_handler:
    mov [gregs + 0*8], rax
    mov [gregs + 1*8], rcx
    mov [gregs + 2*8], rdx
    mov [gregs + 3*8], rbx
    mov [gregs + 5*8], rbp
    mov [gregs + 6*8], rsi
    mov [gregs + 7*8], rdi
    inc qword [exit_count]
    mov rdi, [exit_count]
    cmp rdi, 16
    ja fail                             ; a run away: more exits than the guest has instructions
    dec rdi
    shl rdi, 6
    lea rsi, [exit_log]
    add rdi, rsi
    mov eax, VM_EXIT_REASON
    vmread [rdi], rax
    mov eax, EXIT_QUALIFICATION
    vmread [rdi + 8], rax
    mov eax, VM_EXIT_INSTRUCTION_LEN
    vmread [rdi + 16], rax
    mov eax, VM_EXIT_INTR_INFO
    vmread [rdi + 24], rax
    mov eax, VM_EXIT_INTR_ERROR_CODE
    vmread [rdi + 32], rax
    mov eax, GUEST_RIP
    vmread [rdi + 40], rax
    mov eax, IDT_VECTORING_INFO_FIELD
    vmread [rdi + 48], rax
    mov eax, GUEST_LINEAR_ADDRESS
    vmread [rdi + 56], rax
    cmp dword [rdi], EXIT_REASON_IO_INSTRUCTION
    je .io_exit
    cmp dword [rdi], EXIT_REASON_EXCEPTION_NMI
    jne fail
    cmp byte [rdi + 24], 13             ; #GP: the monitor's business
    jne fail
    ; the faulting instruction at CS base + IP; guest linear L lies at v86_area + L
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
    cmp al, 0xe6                        ; OUT imm8, AL
    je .out
    cmp al, 0xf4                        ; HLT: the guest is done
    je done
    jmp fail
.int:
    movzx eax, byte [rsi + 1]
    mov [int_vector], rax
    jmp .skip2
.out:
    movzx eax, byte [rsi + 1]
    mov [out_port], rax
    movzx eax, byte [gregs]
    mov [out_value], rax
.skip2:
    mov ecx, 2
    jmp .advance
.io_exit:                               ; I/O exiting: qualification bits 31:16 = port
    mov eax, [rdi + 8]
    shr eax, 16
    mov [out_port], rax
    movzx eax, byte [gregs]
    mov [out_value], rax
    mov rcx, [rdi + 16]                 ; the exit instruction length
.advance:
    mov eax, GUEST_RIP
    vmread rbx, rax
    add rbx, rcx
    vmwrite rax, rbx
    mov rax, [gregs + 0*8]
    mov rcx, [gregs + 1*8]
    mov rdx, [gregs + 2*8]
    mov rbx, [gregs + 3*8]
    mov rbp, [gregs + 5*8]
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

; ecx = capability MSR (plus r12 to pick the TRUE one), ebx = wanted bits, eax = field
adjust_and_write:
    push rax
    add ecx, r12d
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

rdmsr64:
    rdmsr
    shl rdx, 32
    or rax, rdx
    mov rbx, rax
    ret

; rbx = base of the TSS that TR selects, read from its 16-byte GDT descriptor
tr_base:
    str ax
    movzx eax, ax
    and eax, 0xfff8
    add rax, [gdtr + 2]
    movzx ebx, word [rax + 2]
    movzx ecx, byte [rax + 4]
    shl ecx, 16
    or ebx, ecx
    movzx ecx, byte [rax + 7]
    shl ecx, 24
    or ebx, ecx
    mov ecx, [rax + 8]
    shl rcx, 32
    or rbx, rcx
    ret

; bx = selector, eax = the guest selector field; writes selector, access rights (LAR) and limit (LSL).
; Field encodings: the AR field is the selector field's 32-bit twin; bases are written by the caller.
; ebx = selector, eax = the guest selector field: a virtual-8086 segment (base = selector << 4,
; limit 0xFFFF, access rights 0xF3). Limit, AR and base fields sit at fixed distances from the
; selector field.
v86_segment:
    mov r8d, eax
    mov r9d, ebx
    call vmw
    lea eax, [r8d + GUEST_ES_LIMIT - GUEST_ES_SELECTOR]
    mov ebx, 0xffff
    call vmw
    lea eax, [r8d + GUEST_ES_AR_BYTES - GUEST_ES_SELECTOR]
    mov ebx, 0xf3
    call vmw
    lea eax, [r8d + GUEST_ES_BASE - GUEST_ES_SELECTOR]
    mov ebx, r9d
    shl ebx, 4
    call vmw
    ret

align 8
vmxon_ptr: dq 0
vmcs_ptr:  dq 0
gdtr: times 10 db 0
idtr: times 10 db 0
align 8
exit_count: dq 0
int_vector: dq 0
out_port: dq 0
out_value: dq 0
gregs: times 16 dq 0
exit_log: times 16*8 dq 0

align 4096
vmxon_region: times 4096 db 0
vmcs_region:  times 4096 db 0
guest_pd: times 4096 db 0
guest_pt: times 4096 db 0
; The guest's 16 KiB: linear 0000-3FFF.
v86_area:
    times 0x100 db 0
v86_code:                               ; CS = 0010h, IP = 0 (nasm -f bin of this `bits 16` source)
    db 0xb8, 0x34, 0x12                 ; mov ax, 0x1234
    db 0x05, 0x01, 0x01                 ; add ax, 0x0101
    db 0xa3, 0x80, 0x00                 ; mov [0x80], ax        (DS = 0020h: linear 0x280)
    db 0xcd, 0x21                       ; int 0x21              #GP(0): IOPL 0 < 3
    db 0xb0, 0x5a                       ; mov al, 0x5a
    db 0xe6, 0x80                       ; out 0x80, al          #GP(0): no I/O permission bitmap
    db 0xf4                             ; hlt                   #GP(0): CPL 3
    times 0x2000 - ($ - v86_area) db 0
v86_tss:                                ; linear 0x2000: a 32-bit TSS, limit 0x67
    times 102 db 0
    dw 0x68                             ; I/O map base: beyond TSS_LIMIT 0x67 there is no bitmap
    times 0x10 db 0                     ; ports 00-7F allowed
    db PORT80_DENIED                    ; ports 80-87
    times 0x10 db 0                     ; ports 88-FF allowed
    db 0xff                             ; the byte that ends the bitmap
    times 0x4000 - ($ - v86_area) db 0
