# The stand-in TCL3 (tests/fixtures/tcl3-glibc.sh and tcl3-standin*.sh):
# glibc 2.11.1 built for i486 and Linux 2.6.33.3's headers, as the
# toolchain's sysroot holds them after tests/toolchain/prepare.
. "$(dirname "$0")/../lib.sh"

TC=$O/toolchain
CC=$TC/bin/i486-tcl3-linux-gnu-gcc
SYSROOT=$TC/i486-tcl3-linux-gnu/sysroot
GLIBC=$TOP/tests/fixtures/tcl3-glibc.sh
# The host's locale (LANG=C.UTF-8) would reach the target programs through
# qemu, and glibc 2.11 cannot read glibc 2.36's locale files.
export LC_ALL=C

# The stand-in's own ld.so, run by this host's kernel (it runs i386 ELF).
NATIVE=("$SYSROOT/lib/ld-linux.so.2" --library-path "$SYSROOT/lib")

test_libc_is_glibc_2_11_1_under_qemu_486_and_natively() {
	expect_ok qemu-i386 -cpu 486 -L "$SYSROOT" "$SYSROOT/lib/libc.so.6"
	expect_grep '^GNU C Library stable release version 2\.11\.1,' "$T/out"
	expect_grep '^Compiled on a Linux 2\.6\.33 system on 2011-03-13\.$' "$T/out"
	expect_grep 'Native POSIX Threads Library' "$T/out"
	expect_ok "${NATIVE[@]}" "$SYSROOT/lib/libc.so.6"
	expect_grep '^GNU C Library stable release version 2\.11\.1,' "$T/out"
}

test_layout_is_tcl3s() {
	expect_eq "$(readlink "$SYSROOT/lib/libc.so.6")" libc-2.11.1.so "libc.so.6"
	expect_eq "$(readlink "$SYSROOT/lib/ld-linux.so.2")" ld-2.11.1.so "ld-linux.so.2"
	expect_eq "$(readlink "$SYSROOT/usr/lib/libm.so")" ../../lib/libm.so.6 "libm.so"
	expect_grep '^GROUP \( /lib/libc\.so\.6 /usr/lib/libc_nonshared\.a  AS_NEEDED \( /lib/ld-linux\.so\.2 \) \)$' \
		"$SYSROOT/usr/lib/libc.so"
	expect_grep '^GROUP \( /lib/libpthread\.so\.0 /usr/lib/libpthread_nonshared\.a \)$' "$SYSROOT/usr/lib/libpthread.so"
	expect_file "$SYSROOT/usr/include/crypt.h"
	expect_file "$SYSROOT/lib/libcrypt.so.1"
	# --enable-kernel=2.6.33: the ABI note every program gets from crt1.o.
	readelf -n "$SYSROOT/usr/lib/crt1.o" > "$T/notes"
	expect_grep 'OS: Linux, ABI: 2\.6\.33$' "$T/notes"
	expect_grep '#define LINUX_VERSION_CODE 132641$' "$SYSROOT/usr/include/linux/version.h"
	expect_no_file "$SYSROOT/usr/include/linux/.install"
}

# glibc 2.11 built for i486 uses newer instructions only where it asks the
# CPU first: the SSE control register (stmxcsr/ldmxcsr) in __setfpucw (libc,
# 2 instructions) and the fenv functions (libm, 14), each behind
# GLRO(dl_hwcap) & HWCAP_I386_XMM, which an i486 never sets. tcz elf shows
# the first 10 of a file; the counts cover the rest. Anything else is a
# finding.
test_shared_libraries_are_i486_but_for_the_sse_paths_glibc_selects_at_run_time() {
	local f
	: > "$T/findings"
	for f in "$SYSROOT"/lib/*.so*; do
		[ -L "$f" ] && continue
		"$TCZ" elf --glibc 2.11 --kernel 2.6.33 "$f" >> "$T/findings" 2>&1 || true
	done
	grep -v -E ': ok$' "$T/findings" > "$T/flagged" || true
	grep -E 'instructions? newer than the i486' "$T/flagged" | sed -e 's,.*/lib/,,' -e 's/ (first 10 shown)$//' > "$T/counts" || true
	printf '%s\n' 'libc-2.11.1.so: 2 instructions newer than the i486' \
		'libm-2.11.1.so: 14 instructions newer than the i486' > "$T/want"
	expect_same_files "$T/want" "$T/counts"
	grep -v -E 'instructions? newer than the i486' "$T/flagged" |
		grep -v -E ': (st|ld)mxcsr [^:]* in (__setfpucw|fe[a-z]+(@@?GLIBC_[0-9.]+)?): SSE/AVX or a later extension$' \
		> "$T/other" || true
	[ ! -s "$T/other" ] || { cat "$T/other" >&2; fail "i486 findings beyond the CPUID-guarded SSE paths"; }
	expect_grep 'libc-2\.11\.1\.so: stmxcsr .* in __setfpucw:' "$T/flagged"
}

# glibc's shared objects link "-lgcc" only (tcl3-glibc.sh): libgcc's
# unwinder must not have been pulled in, as TCL3's glibc imports nothing of
# it (it dlopens libgcc_s.so.1 and carries its own wrappers).
test_no_shared_library_took_libgccs_unwinder() {
	local f
	for f in "$SYSROOT"/lib/*.so*; do
		[ -L "$f" ] && continue
		nm "$f" > "$T/nm" 2>/dev/null || fail "nm $f"
		expect_no_grep ' T (_Unwind_RaiseException|_Unwind_Backtrace|_Unwind_GetCFA)$' "$T/nm"
		readelf -d "$f" > "$T/dyn"
		expect_no_grep 'libgcc_s' "$T/dyn"
	done
}

test_four_pthreads_run_under_qemu_486() {
	cat > "$T/threads.c" <<'C'
#include <pthread.h>
#include <stdio.h>
static void *work(void *arg) { long n = (long)arg, s = 0; for (long i = 1; i <= n * 1000; i++) s += i; return (void *)s; }
int main(void) {
	pthread_t t[4]; long sum = 0;
	for (long i = 0; i < 4; i++) if (pthread_create(&t[i], NULL, work, (void *)(i + 1)) != 0) return 1;
	for (int i = 0; i < 4; i++) { void *r; if (pthread_join(t[i], &r) != 0) return 2; sum += (long)r; }
	printf("4 threads joined: %ld\n", sum);
	return 0;
}
C
	expect_ok "$CC" -O2 -pthread -o "$T/threads" "$T/threads.c"
	readelf -d "$T/threads" > "$T/dyn"
	expect_grep 'NEEDED.*\[libpthread\.so\.0\]' "$T/dyn"
	expect_ok timeout 60 qemu-i386 -cpu 486 -L "$SYSROOT" "$T/threads"
	expect_grep '^4 threads joined: 15005000$' "$T/out"
	expect_ok timeout 60 "${NATIVE[@]}" "$T/threads"
	expect_grep '^4 threads joined: 15005000$' "$T/out"
	expect_ok "$TCZ" elf --glibc 2.11 --kernel 2.6.33 "$T/threads"
}

test_second_glibc_run_is_a_cache_hit() {
	local start end
	start=$(date +%s%N)
	expect_ok "$GLIBC"
	end=$(date +%s%N)
	expect_grep 'tcl3-glibc: up to date' "$T/err"
	expect_grep '/standin/glibc-2\.11\.1-[0-9a-f]{16}$' "$T/out"
	[ $(( (end - start) / 1000000 )) -lt 3000 ] || fail "cache hit took $(( (end - start) / 1000000 )) ms"
}

test_stand_in_mirror_is_byte_identical_from_run_to_run() {
	expect_ok env TCZ="$TCZ" "$TOP/tests/fixtures/tcl3-standin.sh" "$T/mirror"
	diff -r "$O/test-mirror" "$T/mirror" >&2 || fail "the stand-in mirror changed between two runs"
}

# A source that does not unpack: a clear error naming the step, and no
# cache entry, temporary or work directory left behind.
test_a_broken_source_leaves_nothing_in_the_cache() {
	mkdir "$T/sources"
	ln -s "${TCL3_SOURCES_DIR:-$TOP/../shared/sources}/glibc-2.11.1.tar.xz" "$T/sources/"
	echo 'not an xz stream' > "$T/sources/linux-2.6.33.3.tar.xz"
	ls "$TCZ_CACHE_DIR/standin" > "$T/before"
	TCL3_SOURCES_DIR=$T/sources expect_fail "$GLIBC"
	expect_grep 'tcl3-glibc.sh: linux 2\.6\.33\.3: headers_install \(ARCH=i386\) failed' "$T/err"
	ls "$TCZ_CACHE_DIR/standin" | grep -v -E '\.lock$|\.sha256$' > "$T/after.dirs" || true
	grep -v -E '\.lock$|\.sha256$' "$T/before" > "$T/before.dirs" || true
	expect_same_files "$T/before.dirs" "$T/after.dirs"
}

test_a_missing_source_is_named() {
	mkdir "$T/empty"
	TCL3_SOURCES_DIR=$T/empty expect_status 1 "$GLIBC"
	expect_grep "^tcl3-glibc.sh: $T/empty/glibc-2\.11\.1\.tar\.xz: missing" "$T/err"
	expect_no_grep 'make toolchain-bootstrap' "$T/err"
}

run_tests
