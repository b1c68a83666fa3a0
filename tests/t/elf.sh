# tcz elf: TCL3's ELF rules on tiny i386 files made here with the host's
# binutils (as --32, ld -m elf_i386), so the rules are proven without a
# cross compiler: symbol-version ceilings of glibc and of TCL3's C++
# runtime, the ABI note, the interpreter, the i486 instruction set.
. "$(dirname "$0")/../lib.sh"

# A shared library defining one symbol per version, at and above each
# ceiling; prog_asm NAME CALLS... links a program calling them.
fake_runtime() {
	cat > "$T/lib.s" <<'S'
.text
.globl old_glibc, new_glibc, old_cxx, new_cxx, old_abi, new_abi, tm_abi, old_gcc, new_gcc
old_glibc: ret
new_glibc: ret
old_cxx: ret
new_cxx: ret
old_abi: ret
new_abi: ret
tm_abi: ret
old_gcc: ret
new_gcc: ret
S
	cat > "$T/lib.map" <<'M'
GLIBC_2.11 { global: old_glibc; };
GLIBC_2.12 { global: new_glibc; };
GLIBCXX_3.4.13 { global: old_cxx; };
GLIBCXX_3.4.21 { global: new_cxx; };
CXXABI_1.3.3 { global: old_abi; };
CXXABI_1.3.9 { global: new_abi; };
CXXABI_TM_1 { global: tm_abi; };
GCC_4.4.0 { global: old_gcc; };
GCC_7.0.0 { global: new_gcc; };
M
	as --32 -o "$T/lib.o" "$T/lib.s"
	ld -m elf_i386 -shared --version-script "$T/lib.map" -soname libfake.so.1 -o "$T/libfake.so" "$T/lib.o" 2>/dev/null
}

# abi_note MAJOR MINOR PATCH: the .note.ABI-tag glibc's crt1.o carries.
abi_note() {
	printf '.section .note.ABI-tag,"a",@note\n.balign 4\n.long 4, 16, 1\n.asciz "GNU"\n.long 0, %s, %s, %s\n' "$@"
}

prog_asm() { # NAME CALL...
	local name=$1 f; shift
	{
		echo '.text'
		echo '.globl _start'
		echo '.type _start, @function'
		echo '_start:'
		for f; do echo "	call $f"; done
		echo '	ret'
		echo '.size _start, .-_start'
		abi_note 2 6 18
	} > "$T/$name.s"
	as --32 -o "$T/$name.o" "$T/$name.s"
	ld -m elf_i386 -dynamic-linker /lib/ld-linux.so.2 -o "$T/$name" "$T/$name.o" "$T/libfake.so" 2>/dev/null
}

test_versions_at_tcl3s_ceilings_pass() {
	fake_runtime
	prog_asm ok old_glibc old_cxx old_abi old_gcc
	expect_ok "$TCZ" elf --glibc 2.11 --kernel 2.6.33 "$T/ok"
	expect_grep 'ok: ok$' "$T/out"
}

test_glibc_newer_than_the_target_fails() {
	fake_runtime
	prog_asm new new_glibc
	expect_status 3 "$TCZ" elf --glibc 2.11 "$T/new"
	expect_grep 'needs GLIBC_2\.12, newer than the target.s glibc 2\.11' "$T/err"
	# Only when asked: without --glibc the glibc rule is off.
	expect_ok "$TCZ" elf "$T/new"
}

test_cxx_runtime_newer_than_gcc_4_4_fails_naming_each_version() {
	fake_runtime
	prog_asm cxx new_cxx new_abi new_gcc old_glibc
	expect_status 3 "$TCZ" elf --glibc 2.11 "$T/cxx"
	expect_grep 'needs GLIBCXX_3\.4\.21; TCL3.s libstdc\+\+ \(gcc 4\.4\.3, libstdc\+\+\.so\.6\.0\.13\) has versions only up to GLIBCXX_3\.4\.13' "$T/err"
	expect_grep 'needs CXXABI_1\.3\.9; .* up to CXXABI_1\.3\.3' "$T/err"
	expect_grep 'needs GCC_7\.0\.0; TCL3.s libgcc_s \(gcc 4\.4\.3\) has versions only up to GCC_4\.4\.0' "$T/err"
	expect_no_grep 'GLIBC_' "$T/err"
	# The C++ runtime is TCL3's whatever --glibc says: always checked.
	expect_status 3 "$TCZ" elf "$T/cxx"
}

test_a_later_named_cxx_version_fails() {
	fake_runtime
	prog_asm tm tm_abi
	expect_status 3 "$TCZ" elf "$T/tm"
	expect_grep 'needs CXXABI_TM_1; .* has numbered versions only up to CXXABI_1\.3\.3' "$T/err"
}

test_abi_note_newer_than_the_kernel_fails() {
	fake_runtime
	{
		printf '.text\n.globl _start\n_start: ret\n'
		abi_note 3 2 0
	} > "$T/n.s"
	as --32 -o "$T/n.o" "$T/n.s"
	ld -m elf_i386 -dynamic-linker /lib/ld-linux.so.2 -o "$T/n" "$T/n.o" "$T/libfake.so" 2>/dev/null
	expect_status 3 "$TCZ" elf --kernel 2.6.33 "$T/n"
	expect_grep 'ABI note says Linux 3\.2\.0 or newer; the target runs 2\.6\.33' "$T/err"
	expect_ok "$TCZ" elf --kernel 3.2.0 "$T/n"
}

test_wrong_interpreter_and_post_i486_code_fail() {
	fake_runtime
	printf '.text\n.globl _start\n.type pick, @function\n_start: call pick\n ret\npick: cmove %%ebx, %%eax\n ret\n.size pick, .-pick\n' > "$T/c.s"
	as --32 -o "$T/c.o" "$T/c.s"
	ld -m elf_i386 -dynamic-linker /lib/ld.so.1 -o "$T/c" "$T/c.o" "$T/libfake.so" 2>/dev/null
	expect_status 3 "$TCZ" elf "$T/c"
	expect_grep "interpreter '/lib/ld.so.1', TCL3's is /lib/ld-linux.so.2" "$T/err"
	expect_grep 'cmove .* in pick: cmov \(P6\)' "$T/err"
	expect_ok "$TCZ" elf --no-i486 --glibc 2.11 "$T/libfake.so"
}

test_many_findings_show_the_first_ten_and_the_count() {
	fake_runtime
	{
		printf '.text\n.globl _start\n.type pick, @function\n_start: call pick\n ret\npick:\n'
		for i in $(seq 12); do printf ' cmove %%ebx, %%eax\n'; done
		printf ' ret\n.size pick, .-pick\n'
	} > "$T/m.s"
	as --32 -o "$T/m.o" "$T/m.s"
	ld -m elf_i386 -dynamic-linker /lib/ld-linux.so.2 -o "$T/m" "$T/m.o" "$T/libfake.so" 2>/dev/null
	expect_status 3 "$TCZ" elf "$T/m"
	expect_eq "$(grep -c 'cmove .* in pick: cmov (P6)' "$T/err")" 10 "findings shown"
	expect_grep '12 instructions newer than the i486 \(first 10 shown\)' "$T/err"
}

test_not_i386_or_not_elf_is_refused() {
	printf 'not an elf\n' > "$T/text"
	expect_status 1 "$TCZ" elf "$T/text"
	expect_grep 'text: not an ELF file' "$T/err"
	expect_status 3 "$TCZ" elf "/bin/true"
	expect_grep 'not a 32-bit i386 ELF file' "$T/err"
}

# Hostile versions: an executable made with clang needing VERSION of a
# library made beside it (no C library involved).
versioned_exe() { # VERSION OUT
	printf 'int f(void) { return 0; }\n' > "$T/lib.c"
	printf '%s { global: f; local: *; };\n' "$1" > "$T/lib.map"
	printf 'extern int f(void);\nvoid _start(void) { f(); }\n' > "$T/main.c"
	clang -target i386-linux-gnu -fPIC -c "$T/lib.c" -o "$T/lib.o"
	clang -target i386-linux-gnu -fno-pic -c "$T/main.c" -o "$T/main.o"
	ld -m elf_i386 -shared --version-script "$T/lib.map" -soname libv.so.1 -o "$T/libv.so.1" "$T/lib.o"
	ld -m elf_i386 -dynamic-linker /lib/ld-linux.so.2 -o "$2" "$T/main.o" "$T/libv.so.1"
}

test_glibc_version_check_reads_versions_and_ends_on_junk() {
	versioned_exe GLIBC_2.12 "$T/new"
	expect_status 3 "$TCZ" elf --glibc 2.11 "$T/new"
	expect_grep 'needs GLIBC_2.12, newer than the target.s glibc 2.11' "$T/err"
	expect_ok "$TCZ" elf --glibc 2.12 "$T/new"
	# A version that is no number: the comparison ends (it used to spin).
	versioned_exe GLIBC_2x0 "$T/junk"
	expect_ok timeout 10 "$TCZ" elf --glibc 2 "$T/junk"
	expect_ok timeout 10 "$TCZ" elf --glibc 2.11 "$T/junk"
}

test_version_options_are_validated() {
	versioned_exe GLIBC_2.0 "$T/x"
	local bad
	for bad in 2.x ../2 '' 2..1 1.2.3.4.5.6.7.8.9 1234567890; do
		expect_status 2 timeout 10 "$TCZ" elf --glibc "$bad" "$T/x"
		expect_grep "tcz elf: --glibc '.*': want a version such as 2.11" "$T/err"
		expect_status 2 timeout 10 "$TCZ" elf --kernel "$bad" "$T/x"
	done
}

run_tests
