// skiff_launch(struct program *p): runs p's system calls in order and stops at the first failure.
// See SyscallProgram.cs for the layout. Returns 0 when every step succeeded, else the failing
// step's index + 1 (with failed_index/failed_errno filled); with exit_on_failure set it writes
// those two words to report_fd (when >= 0) and calls exit_group(127) instead of returning.
// No stack use beyond the saved registers, no libc, no TLS: safe in a CLONE_VM child.
    .intel_syntax noprefix
    .text
    .globl skiff_launch
skiff_launch:
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov rbx, rdi                    // program
    lea r12, [rdi + 64]             // current step
    xor r13d, r13d                  // its index
.Lloop:
    cmp r13, qword ptr [rbx]        // count
    jae .Ldone
    mov rax, qword ptr [r12]        // nr
    mov rdi, qword ptr [r12 + 8]
    mov rsi, qword ptr [r12 + 16]
    mov rdx, qword ptr [r12 + 24]
    mov r10, qword ptr [r12 + 32]
    mov r8, qword ptr [r12 + 40]
    mov r9, qword ptr [r12 + 48]
    syscall
    mov r14, qword ptr [r12 + 56]   // flags
    test r14, 4                     // store the result
    jz .Lnostore
    mov r15, qword ptr [r12 + 72]
    mov qword ptr [r15], rax
.Lnostore:
    cmp rax, -4095                  // -4095..-1 is -errno
    jae .Lerror
    test r14, 2                     // the result must equal `expect`
    jz .Lnext
    cmp rax, qword ptr [r12 + 64]
    je .Lnext
    xor eax, eax                    // errno 0: unexpected result
    jmp .Lfail
.Lerror:
    test r14, 1                     // failure allowed
    jnz .Lnext
    neg rax
.Lfail:
    mov qword ptr [rbx + 24], r13
    mov qword ptr [rbx + 32], rax
    mov rdi, qword ptr [rbx + 8]    // report_fd
    test rdi, rdi
    js .Lnoreport
    lea rsi, [rbx + 24]
    mov edx, 16
    mov eax, 1                      // write
    syscall
.Lnoreport:
    cmp qword ptr [rbx + 16], 0     // exit_on_failure
    je .Lreturnfail
    mov edi, 127
    mov eax, 231                    // exit_group
    syscall
    ud2
.Lreturnfail:
    lea rax, [r13 + 1]
    jmp .Lout
.Lnext:
    add r12, 80
    inc r13
    jmp .Lloop
.Ldone:
    xor eax, eax
.Lout:
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    ret
