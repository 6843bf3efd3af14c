// skiff_launch(struct program *p): the aarch64 twin of launch-x86_64.S (same layout and contract).
    .text
    .globl skiff_launch
skiff_launch:
    stp x19, x20, [sp, #-32]!
    stp x21, x22, [sp, #16]
    mov x19, x0                     // program
    add x20, x0, #64                // current step
    mov x21, #0                     // its index
.Lloop:
    ldr x9, [x19]                   // count
    cmp x21, x9
    b.hs .Ldone
    ldr x8, [x20]                   // nr
    ldp x0, x1, [x20, #8]
    ldp x2, x3, [x20, #24]
    ldp x4, x5, [x20, #40]
    svc #0
    ldr x22, [x20, #56]             // flags
    tbz x22, #2, .Lnostore          // store the result
    ldr x9, [x20, #72]
    str x0, [x9]
.Lnostore:
    cmn x0, #4095                   // carry set: -4095..-1 is -errno
    b.hs .Lerror
    tbz x22, #1, .Lnext             // the result must equal `expect`
    ldr x9, [x20, #64]
    cmp x0, x9
    b.eq .Lnext
    mov x0, #0                      // errno 0: unexpected result
    b .Lfail
.Lerror:
    tbnz x22, #0, .Lnext            // failure allowed
    neg x0, x0
.Lfail:
    str x21, [x19, #24]
    str x0, [x19, #32]
    ldr x0, [x19, #8]               // report_fd
    tbnz x0, #63, .Lnoreport
    add x1, x19, #24
    mov x2, #16
    mov x8, #64                     // write
    svc #0
.Lnoreport:
    ldr x9, [x19, #16]              // exit_on_failure
    cbz x9, .Lreturnfail
    mov x0, #127
    mov x8, #94                     // exit_group
    svc #0
    brk #0
.Lreturnfail:
    add x0, x21, #1
    b .Lout
.Lnext:
    add x20, x20, #80
    add x21, x21, #1
    b .Lloop
.Ldone:
    mov x0, #0
.Lout:
    ldp x21, x22, [sp, #16]
    ldp x19, x20, [sp], #32
    ret
