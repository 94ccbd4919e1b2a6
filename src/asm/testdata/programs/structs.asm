; struc/endstruc (offsets and NAME_size) and istruc/at/iend instances, NASM's macros.
struc vcpu
.vmxon_pa:  resq 1
.vmcs_pa:   resq 1
.launched:  resb 1
            alignb 8
.exit_count: resd 1
.regs:      resq 16
endstruc

struc header, 4
.magic: resd 1
.len:   resw 1
endstruc

start:
    lea rbx, [cpu0]
    mov rax, [rbx + vcpu.vmcs_pa]
    vmptrld [rbx + vcpu.vmcs_pa]
    inc dword [rbx + vcpu.exit_count]
    mov byte [rbx + vcpu.launched], 1
    mov rcx, [rbx + vcpu.regs + 8*3]
    mov eax, vcpu_size
    mov ecx, header.len
    hlt

align 8
cpu0: istruc vcpu
    at vcpu.vmxon_pa, dq PA(vmxon_region)
    at vcpu.vmcs_pa,  dq PA(vmcs_region)
    at vcpu.launched, db 0
iend
cpu1: istruc vcpu
iend
dq vcpu_size, header_size, header.magic, cpu1 - cpu0

align 4096
vmxon_region: times 4096 db 0
vmcs_region:  times 4096 db 0
