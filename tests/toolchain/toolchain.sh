# The cross toolchain (built by tests/toolchain/prepare from Debian's
# binutils/gcc sources against the stand-in TCL3 sysroot: glibc 2.11.1 and
# Linux 2.6.33.3's headers, built from TCL3's own sources). Everything is
# checked at TCL3's ceilings and run under qemu-i386 -cpu 486, which
# executes only what an i486 has.
. "$(dirname "$0")/../lib.sh"

TC=$O/toolchain
CC=$TC/bin/i486-tcl3-linux-gnu-gcc
CXX=$TC/bin/i486-tcl3-linux-gnu-g++
SYSROOT=$TC/i486-tcl3-linux-gnu/sysroot
TCL3=(--glibc 2.11 --kernel 2.6.33)

# A root to run programs in: the sysroot (glibc 2.11.1's /lib) plus
# libgcc_s.so.1, which TCL3's base system has (gcc 4.4.3's; the stand-in
# takes the toolchain's, whose older versions are the same interface).
# It needs its own etc/ld.so.cache: qemu-i386 -L ROOT falls back to the
# host's file for any path missing under ROOT, so the target's ld.so would
# read the host's /etc/ld.so.cache and load the host's /lib32/libc.so.6, a
# different glibc build from its own. ld.so and libc share private data
# (_rtld_global), and with such a pair pthread_create walks a list at the
# wrong offset forever: the "spin after rt_sigprocmask" seen with the
# Debian stand-in. tcz ldconfig writes the root's own, as TCL3's has.
run_root() {
	mkdir -p "$T/root/lib" "$T/root/etc"
	cp -a "$SYSROOT/." "$T/root/"
	cp -L "$TC/i486-tcl3-linux-gnu/lib/libgcc_s.so.1" "$T/root/lib/"
	"$TCZ" ldconfig -r "$T/root"
}
run486() { qemu-i386 -cpu 486 -L "$T/root" "$@"; }

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
	run_root
	expect_ok run486 "$T/hello"
	expect_grep '^hello from i486 1$' "$T/out"
	expect_ok "$TCZ" elf "${TCL3[@]}" "$T/hello"
}

test_libc_is_glibc_2_11_1_and_runs_on_a_486() {
	run_root
	expect_ok run486 "$T/root/lib/libc.so.6"
	expect_grep 'GNU C Library stable release version 2\.11\.1' "$T/out"
}

test_threads_run_dynamically_linked() {
	cat > "$T/threads.c" <<'C'
#include <pthread.h>
#include <stdio.h>
static int sums[4];
static void *work(void *arg)
{
	int id = (int)(long)arg;
	for (int i = 0; i <= 1000; i++)
		sums[id] += i * (id + 1);
	return NULL;
}
int main(void)
{
	pthread_t t[4];
	for (long i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, work, (void *)i))
			return 1;
	int total = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		total += sums[i];
	}
	printf("threads joined: %d\n", total);
	return 0;
}
C
	expect_ok "$CC" -O2 -pthread -o "$T/threads" "$T/threads.c"
	readelf -d "$T/threads" > "$T/dyn"
	expect_grep 'NEEDED.*libpthread\.so\.0' "$T/dyn"
	expect_ok "$TCZ" elf "${TCL3[@]}" "$T/threads"
	run_root
	expect_ok timeout 60 qemu-i386 -cpu 486 -L "$T/root" "$T/threads"
	expect_grep '^threads joined: 5005000$' "$T/out"
}

# TCL3's C++ runtime is gcc 4.4.3's: the toolchain links libstdc++
# statically by default (toolchain/README.md), and what remains dynamic
# (libgcc_s) stays within TCL3's versions.
test_cxx_links_libstdcxx_statically_by_default_and_runs() {
	cat > "$T/prog.cc" <<'CC'
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
static std::string shout(const std::string &s)
{
	if (s.empty())
		throw std::invalid_argument("empty word");
	return s + "!";
}
int main()
{
	std::vector<std::string> words{"hello", "from", "c++"}, out(3);
	std::vector<std::thread> ts;
	for (size_t i = 0; i < words.size(); i++)
		ts.emplace_back([&, i] { out[i] = shout(words[i]); });
	for (auto &t : ts)
		t.join();
	for (auto &w : out)
		std::cout << w << ' ';
	std::cout << std::endl;
	try {
		shout("");
	} catch (const std::invalid_argument &e) {
		std::cout << "caught: " << e.what() << std::endl;
	}
	std::random_device rd;
	(void)rd;
}
CC
	expect_ok "$CXX" -O2 -pthread -o "$T/prog" "$T/prog.cc"
	readelf -d -V "$T/prog" > "$T/dyn"
	expect_no_grep 'NEEDED.*libstdc\+\+' "$T/dyn"
	expect_no_grep 'GLIBCXX_|CXXABI_' "$T/dyn"
	# libstdc++'s rdrand/rdseed paths are linked in, and allowed by name.
	expect_ok "$TCZ" elf "${TCL3[@]}" "$T/prog"
	run_root
	expect_ok timeout 60 qemu-i386 -cpu 486 -L "$T/root" "$T/prog"
	expect_grep '^hello! from! c\+\+! $' "$T/out"
	expect_grep '^caught: empty word$' "$T/out"
}

test_shared_libstdcxx_on_purpose_fails_the_check_by_version() {
	printf '#include <string>\nint main(int c, char **v) { return std::string(v[0]).size() > (unsigned)c; }\n' > "$T/s.cc"
	expect_ok "$CC" -O2 -o "$T/s" "$T/s.cc" -l:libstdc++.so.6
	expect_status 3 "$TCZ" elf "${TCL3[@]}" "$T/s"
	expect_grep 'needs GLIBCXX_3\.4\.(1[4-9]|[2-9][0-9]); TCL3.s libstdc\+\+ \(gcc 4\.4\.3, libstdc\+\+\.so\.6\.0\.13\) has versions only up to GLIBCXX_3\.4\.13' "$T/err"
}

test_i486_check_catches_i686_code() {
	hello_c
	expect_ok "$CC" -O2 -march=i686 -o "$T/i686" "$T/hello.c"
	expect_status 3 "$TCZ" elf "$T/i686"
	expect_grep 'cmov.* in pick[.a-z0-9]*: cmov \(P6\)' "$T/err"
	expect_ok "$CC" -O2 -o "$T/i486" "$T/hello.c"
	expect_ok "$TCZ" elf "$T/i486"
}

test_crt_files_carry_an_abi_note_tcl3_accepts() {
	hello_c
	expect_ok "$CC" -O2 -o "$T/hello" "$T/hello.c"
	readelf -n "$T/hello" > "$T/notes"
	expect_grep 'OS: Linux, ABI: 2\.6\.([0-9]|[12][0-9]|3[0-3])$' "$T/notes"
	expect_ok "$TCZ" elf --kernel 2.6.33 "$T/hello"
	# The rule is live: the same file against an older kernel fails.
	expect_status 3 "$TCZ" elf --kernel 2.4.0 "$T/hello"
	expect_grep 'ABI note says Linux 2\.6\.[0-9]+ or newer; the target runs 2\.4\.0' "$T/err"
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
	run_root
	expect_ok run486 "$T/hello"
	expect_grep '^hello from i486' "$T/out"
}

run_tests
