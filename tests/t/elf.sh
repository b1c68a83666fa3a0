# tcz elf on hostile input: ELF files made here with clang and ld for i386.
. "$(dirname "$0")/../lib.sh"

# An i386 executable that needs symbol version VERSION of a library made
# beside it (no C library involved).
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
