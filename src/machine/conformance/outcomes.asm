; Every VMfail outcome of the VMX instructions a program can reach from the lab's starting
; machine, checked the way software checks them (CF for VMfailInvalid, ZF plus VMREAD of
; VM_INSTRUCTION_ERROR for VMfailValid), then VMXOFF, and a last VMXOFF that raises #UD.
; Result: rbx = 0x600d just before the final #UD (0xbad and a halt on any mismatch).

start:
    mov rbx, cr4
    or rbx, X86_CR4_VMXE
    mov cr4, rbx
    mov ecx, MSR_IA32_VMX_BASIC
    rdmsr
    and eax, 0x7fffffff
    mov [vmxon_region], eax
    mov [vmcs_a], eax
    mov [vmcs_b], eax
    xor eax, 1
    mov [bad_rev], eax
    mov rax, PA(vmxon_region)
    mov [p_vmxon], rax
    mov rax, PA(vmcs_a)
    mov [p_a], rax
    mov rax, PA(vmcs_b)
    mov [p_b], rax
    mov rax, PA(bad_rev)
    mov [p_bad_rev], rax
    mov rax, PA(vmcs_a) + 8
    mov [p_unaligned], rax

    ; VMXON: VMfailInvalid for a wrong revision and for an unaligned pointer, then VMsucceed
    vmxon [p_bad_rev]
    jnc fail
    vmxon [p_unaligned]
    jnc fail
    vmxon [p_vmxon]
    jbe fail
    ; with no current VMCS every VMfail is VMfailInvalid
    vmxon [p_vmxon]
    jnc fail
    vmptrld [p_bad_rev]
    jnc fail
    vmlaunch
    jnc fail
    vmptrst [stored]
    jbe fail
    cmp qword [stored], -1
    jne fail
    ; a current VMCS
    vmclear [p_a]
    jbe fail
    vmptrld [p_a]
    jbe fail
    vmptrst [stored]
    mov rax, [p_a]
    cmp [stored], rax
    jne fail

    vmxon [p_vmxon]                     ; VMfailValid(15)
    mov edi, 15
    call expect_valid
    vmclear [p_unaligned]               ; VMfailValid(2)
    mov edi, 2
    call expect_valid
    vmclear [p_vmxon]                   ; VMfailValid(3)
    mov edi, 3
    call expect_valid
    vmptrld [p_unaligned]               ; VMfailValid(9)
    mov edi, 9
    call expect_valid
    vmptrld [p_vmxon]                   ; VMfailValid(10)
    mov edi, 10
    call expect_valid
    vmptrld [p_bad_rev]                 ; VMfailValid(11)
    mov edi, 11
    call expect_valid
    mov eax, 0x7ffe                     ; no such field
    vmread rcx, rax
    mov edi, 12
    call expect_valid
    vmcall                              ; VMfailValid(1): no dual-monitor treatment
    mov edi, 1
    call expect_valid
    vmresume                            ; VMfailValid(5): the VMCS is clear
    mov edi, 5
    call expect_valid
    mov ax, ss
    mov ss, ax
    vmlaunch                            ; VMfailValid(26): blocking by MOV SS comes first
    mov edi, 26
    call expect_valid
    vmlaunch                            ; VMfailValid(7): all-zero controls
    mov edi, 7
    call expect_valid
    ; VMWRITE to an exit-information field: VMfailValid(13) unless IA32_VMX_MISC[29]
    mov ecx, MSR_IA32_VMX_MISC
    rdmsr
    bt eax, 29
    mov eax, VM_EXIT_REASON
    mov ecx, 5
    jc .write_any
    vmwrite rax, rcx
    mov edi, 13
    call expect_valid
    jmp .after_ro
.write_any:
    vmwrite rax, rcx
    jbe fail
.after_ro:
    ; switching VMCSes keeps each one's fields
    mov eax, GUEST_RIP
    mov ecx, 0x1111
    vmwrite rax, rcx
    jbe fail
    vmclear [p_b]
    jbe fail
    vmptrld [p_b]
    jbe fail
    mov eax, GUEST_RIP
    vmread rcx, rax
    jbe fail
    test rcx, rcx
    jnz fail
    vmptrld [p_a]
    jbe fail
    mov eax, GUEST_RIP
    vmread rcx, rax
    cmp rcx, 0x1111
    jne fail
    ; VMCLEAR of the current VMCS leaves none: VMfail becomes VMfailInvalid again
    vmclear [p_a]
    jbe fail
    vmlaunch
    jnc fail
    vmxoff
    jbe fail
    mov ebx, 0x600d
    vmxoff                              ; #UD: outside VMX operation
    hlt

; ZF = 1 and VM_INSTRUCTION_ERROR = edi, else fail
expect_valid:
    jnz fail
    jc fail
    mov eax, VM_INSTRUCTION_ERROR
    vmread rax, rax
    cmp eax, edi
    jne fail
    ret

fail:
    mov ebx, 0xbad
    hlt

align 8
p_vmxon: dq 0
p_a: dq 0
p_b: dq 0
p_bad_rev: dq 0
p_unaligned: dq 0
stored: dq 0

align 4096
vmxon_region: times 4096 db 0
vmcs_a: times 4096 db 0
vmcs_b: times 4096 db 0
bad_rev: times 4096 db 0
