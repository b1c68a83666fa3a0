#!/usr/bin/env bash
# Build cross binutils and gcc (C, C++) for TARGET_TRIPLET against an
# assembled TCL3 sysroot, into the cache entry named by TOOLCHAIN_KEY.
# Driven by toolchain/toolchain.mk, which computes the key and sets the
# environment listed in need() below; run `make toolchain`, not this.
#
# With TOOLCHAIN_STAGE=bootstrap it builds the first stage of a classic
# cross bootstrap instead (as crosstool-ng's "core pass 1"): gcc for C
# only, with no C library behind it (--without-headers), a static libgcc
# and no libgcc_s. That compiler exists to build a C library from source:
# the tests build TCL3's own glibc 2.11.1 with it. No sysroot goes in.
#
# The prefix is built as KEY.tmp.PID and renamed to KEY when complete, so
# an interrupted build never leaves something that looks finished. The
# sysroot is copied under the prefix (PREFIX/TRIPLET/sysroot) and gcc is
# configured with that path: gcc and binutils then find it relative to
# their own location, which makes the whole tree relocatable.
set -euo pipefail

need() { for v; do [ -n "${!v:-}" ] || { echo "build.sh: $v is not set" >&2; exit 2; }; done; }
need TCZ TCZ_CACHE_DIR TOOLCHAIN_KEY TARGET_TRIPLET BUILD_DIR LOG_DIR \
	BINUTILS_VERSION BINUTILS_TARBALL GCC_VERSION GCC_TARBALL PATCH_DIRS TOPDIR

jobs=${JOBS:-$(nproc)}
# binutils' and gcc's makefiles must not see tcbuild's command-line variables.
export MAKEFLAGS="${MAKEFLAGS%%-- *}"
unset MAKEOVERRIDES
final="$TCZ_CACHE_DIR/toolchain/$TOOLCHAIN_KEY"
prefix="$final.tmp.$$"
log="$LOG_DIR/toolchain${TOOLCHAIN_STAGE:+-$TOOLCHAIN_STAGE}.log"
stage_name=${TOOLCHAIN_STAGE:-final}
case $stage_name in
final) steps=6 ;;
bootstrap) steps=5 ;;
*) echo "build.sh: TOOLCHAIN_STAGE=$stage_name: expected final or bootstrap" >&2; exit 2 ;;
esac
step=0
mkdir -p "$LOG_DIR" "$BUILD_DIR" "$TCZ_CACHE_DIR/toolchain"
: > "$log"

cleanup() { rm -rf "$prefix"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Run one stage with its output in the log; on failure show the log's tail.
stage() {
	local what=$1; shift
	step=$((step + 1))
	printf '[%d/%d] toolchain: %s\n' "$step" "$steps" "$what"
	echo "=== $what: $*" >> "$log"
	local start=$SECONDS rc
	# A subshell outside any condition, so that set -e holds inside it.
	set +e
	( set -e; "$@" ) >> "$log" 2>&1
	rc=$?
	set -e
	if [ $rc != 0 ]; then
		tail -n 30 "$log" >&2
		echo "toolchain: $what failed; full log: $log" >&2
		exit 1
	fi
	echo "=== $what: $((SECONDS - start)) s" >> "$log"
}

unpack_source() { # NAME VERSION TARBALL -> BUILD_DIR/NAME-VERSION, patched
	local dir="$BUILD_DIR/$1-$2"
	rm -rf "$dir"
	"$TCZ" extract "$3" -C "$dir" --strip-components 1
	# shellcheck disable=SC2086
	"$TOPDIR/recipes/scripts/apply-patches.sh" "$dir" "$1" "$2" $PATCH_DIRS
}

# Generated files (lexers, docs) are rebuilt only when their tools exist;
# Debian's binutils repack drops the generated lexers, hence flex/bison.
# Info pages are never wanted in a cross toolchain.
common_make=(MAKEINFO=true)

build_binutils() {
	local b="$BUILD_DIR/binutils-build"
	rm -rf "$b"; mkdir -p "$b"; cd "$b"
	"$BUILD_DIR/binutils-$BINUTILS_VERSION/configure" \
		--target="$TARGET_TRIPLET" --prefix="$prefix" \
		--with-sysroot="$prefix/$TARGET_TRIPLET/sysroot" \
		--disable-nls --disable-werror --disable-multilib --disable-gdb \
		--disable-gdbserver --disable-sim --disable-gprofng \
		--enable-deterministic-archives ${BINUTILS_CONF_OPTS:-}
	make -j"$jobs" "${common_make[@]}"
	make install "${common_make[@]}"
}

install_sysroot() {
	need SYSROOT_DIR
	mkdir -p "$prefix/$TARGET_TRIPLET"
	cp -R --preserve=mode,links "$SYSROOT_DIR" "$prefix/$TARGET_TRIPLET/sysroot"
}

build_gcc() {
	local b="$BUILD_DIR/gcc-build"
	rm -rf "$b"; mkdir -p "$b"; cd "$b"
	# shellcheck disable=SC2086
	PATH="$prefix/bin:$PATH" "$BUILD_DIR/gcc-$GCC_VERSION/configure" \
		--target="$TARGET_TRIPLET" --prefix="$prefix" \
		--with-sysroot="$prefix/$TARGET_TRIPLET/sysroot" \
		${GCC_CONF_OPTS:-}
	PATH="$prefix/bin:$PATH" make -j"$jobs" "${common_make[@]}"
	PATH="$prefix/bin:$PATH" make install-strip "${common_make[@]}"
	cxx_runtime_static
}

# TCL3's C++ runtime is gcc 4.4.3's (gcc_libs.tcz: libstdc++.so.6.0.13,
# GLIBCXX_3.4.13, CXXABI_1.3.3): a program linked against this gcc's
# shared libstdc++ would need symbol versions TCL3 does not have. Without
# the link-time names libstdc++.so/.la, every -lstdc++ (g++ adds it) takes
# libstdc++.a, so C++ programs carry their own runtime and need from TCL3
# only libgcc_s.so.1's unwinder, whose ABI (GCC_3.0 .. GCC_4.4.0 for what
# libstdc++ calls) gcc 4.4's has. `tcz elf`/`tcz check` enforce both
# ceilings; -l:libstdc++.so.6 still links the shared one on purpose.
cxx_runtime_static() {
	local lib="$prefix/$TARGET_TRIPLET/lib"
	[ -f "$lib/libstdc++.a" ] || { echo "build.sh: no $lib/libstdc++.a" >&2; return 1; }
	rm -f "$lib/libstdc++.so" "$lib/libstdc++.la"
}

# Stage 1: only the compiler proper and libgcc.a; nothing that needs a
# C library (libstdc++, libgcc_s, libatomic) can be built yet.
build_gcc_bootstrap() {
	local b="$BUILD_DIR/gcc-build"
	rm -rf "$b"; mkdir -p "$b" "$prefix/$TARGET_TRIPLET/sysroot"; cd "$b"
	# shellcheck disable=SC2086
	PATH="$prefix/bin:$PATH" "$BUILD_DIR/gcc-$GCC_VERSION/configure" \
		--target="$TARGET_TRIPLET" --prefix="$prefix" \
		--with-sysroot="$prefix/$TARGET_TRIPLET/sysroot" \
		${GCC_BOOTSTRAP_CONF_OPTS:-}
	PATH="$prefix/bin:$PATH" make -j"$jobs" all-gcc all-target-libgcc "${common_make[@]}"
	PATH="$prefix/bin:$PATH" make install-strip-gcc install-target-libgcc "${common_make[@]}"
}

describe() {
	{
		echo "key $TOOLCHAIN_KEY"
		echo "target $TARGET_TRIPLET"
		echo "binutils $BINUTILS_VERSION $(basename "$BINUTILS_TARBALL")"
		echo "gcc $GCC_VERSION $(basename "$GCC_TARBALL")"
		echo "stage $stage_name"
		if [ "$stage_name" = bootstrap ]; then
			echo "gcc-options ${GCC_BOOTSTRAP_CONF_OPTS:-}"
		else
			echo "gcc-options ${GCC_CONF_OPTS:-}"
		fi
		echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in ${SECONDS}s on $(uname -m)"
	} > "$prefix/toolchain.info"
}

rm -rf "$final".tmp.*
stage "binutils $BINUTILS_VERSION: extract and patch" unpack_source binutils "$BINUTILS_VERSION" "$BINUTILS_TARBALL"
stage "binutils $BINUTILS_VERSION: build" build_binutils
[ "$stage_name" = bootstrap ] || stage "sysroot: install" install_sysroot
stage "gcc $GCC_VERSION: extract and patch" unpack_source gcc "$GCC_VERSION" "$GCC_TARBALL"
if [ "$stage_name" = bootstrap ]; then
	stage "gcc $GCC_VERSION: build (bootstrap: C, no C library)" build_gcc_bootstrap
else
	stage "gcc $GCC_VERSION: build (C, C++)" build_gcc
fi
stage "finish" describe
rm -rf "$final"
mv "$prefix" "$final"
trap - EXIT
rm -rf "$BUILD_DIR/binutils-build" "$BUILD_DIR/gcc-build" \
	"$BUILD_DIR/binutils-$BINUTILS_VERSION" "$BUILD_DIR/gcc-$GCC_VERSION"
echo "toolchain: built in ${SECONDS}s: $final"
