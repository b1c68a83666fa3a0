# tcz colinux: colinux-daemon's checks on small synthetic "vmlinux" files,
# made here by the host's gcc (-m32) and ld with the symbols the daemon
# loads and a co_info of our choosing.
. "$(dirname "$0")/../lib.sh"

# vmlinux NAME [CPPFLAGS...]: $T/NAME, an i386 executable like a coLinux
# kernel (API, ABI: co_info's values; NO_CO_START: leave that symbol out;
# BSS_INFO: co_info all zeros, so in .bss).
vmlinux() {
	local name=$1
	shift
	cat > "$T/k.c" <<'EOF'
struct co_info { unsigned long api, major, minor, abi; } __attribute__((packed));
#ifdef BSS_INFO
struct co_info co_info;
#else
struct co_info co_info = { API, 12, 2, ABI };
#endif
struct { unsigned long cs, ds; } __attribute__((packed)) co_arch_info = { 0x60, 0x68 };
char init_thread_union[8192] = { 1 }, swapper_pg_dir[4096] = { 1 }, idt_table[2048] = { 1 };
char per_cpu__gdt_page[256] = { 1 };
#ifndef NO_CO_START
void co_start(void) { for (;;); }
#else
void start(void) { for (;;); }
#endif
EOF
	cc -m32 -ffreestanding -fno-pic -O2 -DAPI=14 -DABI=1002 "$@" -c "$T/k.c" -o "$T/k.o" ||
		fail "cc -m32 cannot build the test kernel"
	ld -m elf_i386 -Ttext=0xc0100000 --defsym=_kernel_start=0xc0100000 -e 0xc0100000 -o "$T/$name" "$T/k.o" ||
		fail "ld -m elf_i386 cannot link the test kernel"
}

test_a_kernel_the_released_daemon_accepts() {
	vmlinux good
	expect_ok "$TCZ" colinux "$T/good"
	expect_grep '^  co_info: api_version 14, compiler 12.2, compiler_abi 1002$' "$T/out"
	for s in _kernel_start _end init_thread_union co_start swapper_pg_dir idt_table per_cpu__gdt_page \
		co_info co_arch_info; do
		expect_grep "^  $s +0xc010[0-9a-f]{4}\$" "$T/out"
	done
	expect_grep '^  co_arch_info: kernel_cs 0x60, kernel_ds 0x68$' "$T/out"
	expect_grep 'colinux-daemon \(API 14, gcc ABI 1002\) accepts it$' "$T/out"
	expect_eq "$(cat "$T/err")" "" "stderr"
}

test_a_gcc12_abi_is_refused_with_the_daemons_reason() {
	vmlinux gcc12 -UABI -DABI=1017
	expect_status 3 "$TCZ" colinux "$T/gcc12"
	expect_grep "gcc12: co_info.compiler_abi is 1017 \(gcc 12.2\), the daemon expects 1002" "$T/err"
	expect_grep 'expected gcc abi version 1002, got 1017' "$T/err"
	expect_no_grep 'accepts it' "$T/out"
	# A daemon built with gcc 12 wants exactly that.
	expect_ok "$TCZ" colinux --abi 1017 "$T/gcc12"
	expect_grep 'gcc ABI 1017\) accepts it$' "$T/out"
}

test_a_wrong_api_version_is_refused() {
	vmlinux api13 -UAPI -DAPI=13
	expect_status 3 "$TCZ" colinux "$T/api13"
	expect_grep 'co_info.api_version is 13, the daemon expects 14' "$T/err"
	expect_ok "$TCZ" colinux --api 13 "$T/api13"
}

test_a_missing_symbol_is_named() {
	vmlinux nostart -DNO_CO_START
	expect_status 3 "$TCZ" colinux "$T/nostart"
	expect_grep 'no symbol co_start: colinux-daemon stops with "symbol co_start not found"' "$T/err"
}

test_co_info_without_file_data_is_refused() {
	vmlinux bss -DBSS_INFO
	expect_status 3 "$TCZ" colinux "$T/bss"
	expect_grep 'symbol co_info is in a section without file data' "$T/err"
}

test_a_stripped_kernel_is_refused() {
	vmlinux good
	strip -o "$T/stripped" "$T/good"
	expect_status 3 "$TCZ" colinux "$T/stripped"
	expect_grep 'stripped: no .symtab or .strtab section' "$T/err"
}

test_files_that_are_no_i386_kernel_fail_cleanly() {
	echo 'not an ELF file' > "$T/text"
	expect_status 1 "$TCZ" colinux "$T/text"
	expect_grep 'text: not an ELF file' "$T/err"
	expect_status 1 "$TCZ" colinux "$TCZ"
	expect_grep 'not a 32-bit i386 ELF file' "$T/err"
	expect_status 1 "$TCZ" colinux "$T/missing"
	expect_grep 'missing: No such file' "$T/err"
	expect_status 2 "$TCZ" colinux --abi x "$T/text"
	expect_status 2 "$TCZ" colinux
}

run_tests
