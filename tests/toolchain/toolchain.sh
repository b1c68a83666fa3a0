# The cross toolchain (built by tests/toolchain/prepare from Debian's
# binutils/gcc sources against the stand-in TCL3 sysroot).
. "$(dirname "$0")/../lib.sh"

TC=$O/toolchain
CC=$TC/bin/i486-tcl3-linux-gnu-gcc
CXX=$TC/bin/i486-tcl3-linux-gnu-g++
SYSROOT=$TC/i486-tcl3-linux-gnu/sysroot
# TCL3's ceilings, which the stand-in (glibc 2.11.1, --enable-kernel=2.6.33) meets.
TCL3_GLIBC=2.11 TCL3_KERNEL=2.6.33

hello_c() {
	cat > "$T/hello.c" <<'C'
#include <stdio.h>
__attribute__((noinline)) static int pick(int a, int b) { return a > b ? a : b; }
int main(int argc, char **argv) { (void)argv; printf("hello from i486 %d\n", pick(argc, 0)); return 0; }
C
}

test_gcc_reports_i486_and_its_sysroot() {
	expect_ok "$CC" -v
	expect_grep ' --with-arch=i486( |$)' "$T/err"
	expect_grep ' --with-sysroot=[^ ]*/i486-tcl3-linux-gnu/sysroot' "$T/err"
	# Found relative to the compiler (bin/../): what makes it relocatable.
	expect_eq "$(cd "$("$CC" -print-sysroot)" && pwd -P)" "$(cd "$SYSROOT" && pwd -P)" "sysroot"
	case $("$CC" -print-sysroot) in */bin/../i486-tcl3-linux-gnu/sysroot) ;; *) fail "sysroot not relative" ;; esac
}

test_c_hello_is_i386_elf_and_runs_under_qemu() {
	hello_c
	expect_ok "$CC" -O2 -o "$T/hello" "$T/hello.c"
	readelf -h -l "$T/hello" > "$T/elf"
	expect_grep 'Class: +ELF32' "$T/elf"
	expect_grep 'Machine: +Intel 80386' "$T/elf"
	expect_grep 'Requesting program interpreter: /lib/ld-linux.so.2' "$T/elf"
	expect_ok qemu-i386 -cpu 486 -L "$SYSROOT" "$T/hello"
	expect_grep '^hello from i486 1$' "$T/out"
	expect_ok "$TCZ" elf --glibc $TCL3_GLIBC --kernel $TCL3_KERNEL "$T/hello"
}

test_cxx_hello_links_libstdcxx_statically_and_runs() {
	cat > "$T/hello.cc" <<'CC'
#include <iostream>
#include <random>
#include <string>
#include <vector>
int main() {
	std::vector<std::string> words{"hello", "from", "c++"};
	for (auto &w : words) std::cout << w << ' ';
	std::random_device rd; (void)rd;
	std::cout << std::endl;
}
CC
	expect_ok "$CXX" -O2 -static-libstdc++ -static-libgcc -o "$T/hello" "$T/hello.cc"
	expect_ok qemu-i386 -cpu 486 -L "$SYSROOT" "$T/hello"
	expect_grep '^hello from c\+\+ $' "$T/out"
	# libstdc++'s rdrand/rdseed paths are linked in, and allowed by name.
	expect_ok "$TCZ" elf --glibc $TCL3_GLIBC --kernel $TCL3_KERNEL "$T/hello"
}

test_i486_check_catches_i686_code() {
	hello_c
	expect_ok "$CC" -O2 -march=i686 -o "$T/i686" "$T/hello.c"
	expect_status 3 "$TCZ" elf "$T/i686"
	expect_grep 'cmov.* in pick[.a-z0-9]*: cmov \(P6\)' "$T/err"
	expect_ok "$CC" -O2 -o "$T/i486" "$T/hello.c"
	expect_ok "$TCZ" elf "$T/i486"
}

test_glibc_and_abi_note_checks_fire_below_what_a_program_needs() {
	# mkostemps and execvpe are new in glibc 2.11: the newest TCL3 has.
	cat > "$T/new.c" <<'C'
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
	char name[] = "/tmp/tcbuild-XXXXXX.tmp";
	if (argc > 2) return execvpe(argv[1], argv + 1, argv);
	return mkostemps(name, 4, 0) < 0;
}
C
	expect_ok "$CC" -O2 -o "$T/new" "$T/new.c"
	expect_ok "$TCZ" elf --glibc 2.11 --kernel 2.6.33 "$T/new"
	expect_status 3 "$TCZ" elf --glibc 2.10 --kernel 2.6.32 "$T/new"
	expect_grep 'needs GLIBC_2\.11, newer than the target.s glibc 2\.10' "$T/err"
	expect_grep 'ABI note says Linux 2\.6\.33 or newer; the target runs 2\.6\.32' "$T/err"
}

test_second_make_toolchain_is_a_cache_hit() {
	local start end
	start=$(date +%s%N)
	(. "$TOP/tests/toolchain/offline.env"; make -s -C "$TOP" toolchain O="$O" \
		TCZ_TCL_MIRROR="file://$O/test-mirror" TCL3_LOCK="$T/lock") > "$T/out" 2>&1 || { cat "$T/out" >&2; fail "make toolchain failed"; }
	end=$(date +%s%N)
	expect_grep 'up to date' "$T/out"
	[ $(( (end - start) / 1000000 )) -lt 3000 ] || fail "cache hit took $(( (end - start) / 1000000 )) ms"
}

test_a_changed_option_changes_the_key() {
	local env='. "$TOP/tests/toolchain/offline.env"'
	a=$(eval "$env"; make -s -C "$TOP" toolchain-key O="$O" TCZ_TCL_MIRROR="file://$O/test-mirror" TCL3_LOCK="$T/lock" | tail -n 1)
	b=$(eval "$env"; make -s -C "$TOP" toolchain-key O="$O" TCZ_TCL_MIRROR="file://$O/test-mirror" TCL3_LOCK="$T/lock" \
		GCC_CONF_OPTS='--with-arch=i586' | tail -n 1)
	expect_eq "$(readlink "$O/toolchain" | xargs basename)" "$a" "the built toolchain's key"
	[ "$a" != "$b" ] || fail "the key did not change with the gcc options"
}

test_archive_is_relocatable() {
	(. "$TOP/tests/toolchain/offline.env"; make -s -C "$TOP" toolchain-archive O="$O" \
		TCZ_TCL_MIRROR="file://$O/test-mirror" TCL3_LOCK="$T/lock" TOOLCHAIN_ARCHIVE="$T/tc.tar.gz") >/dev/null
	mkdir "$T/elsewhere"
	tar -C "$T/elsewhere" -xzf "$T/tc.tar.gz"
	hello_c
	expect_ok "$T/elsewhere/i486-tcl3-linux-gnu/bin/i486-tcl3-linux-gnu-gcc" -O2 -o "$T/hello" "$T/hello.c"
	expect_ok qemu-i386 -cpu 486 -L "$SYSROOT" "$T/hello"
	expect_grep '^hello from i486' "$T/out"
}

run_tests
