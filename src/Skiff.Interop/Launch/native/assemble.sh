#!/usr/bin/env bash
# Assembles launch-<arch>.S with clang's integrated assembler and prints the machine code as the C#
# byte list that LaunchRoutine.cs embeds. A unit test runs this and compares (when clang is installed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
arch=$1   # x86_64 | aarch64
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
clang --target="$arch-linux-gnu" -c "$here/launch-$arch.S" -o "$tmp/l.o"
objcopy -I elf64-little -O binary --only-section=.text "$tmp/l.o" "$tmp/l.bin"
od -An -v -tx1 "$tmp/l.bin" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//; s/\([0-9a-f][0-9a-f]\)/0x\1,/g; s/,$//'
echo
