#!/bin/sh
# host-deps.sh TIER...: make sure the host has what a tier of tcbuild needs.
# Missing packages are installed with apt-get when running as root on Debian or
# Ubuntu; otherwise the exact command to run is printed and the script fails.
# host-deps.sh --probe TIER...: check that every command, file, header and
# library a tier's scripts use is there, and name what is missing with the
# package that provides it (tests/fresh-root.sh runs it on a fresh root).
#
# Tiers: tools (build the tcz tool), test (peer tools the tests use as oracles),
#        packages (build recipes), graph (make graph),
#        toolchain (make toolchain: build binutils and gcc),
#        toolchain-test (make test-toolchain: Debian's sources and i386 libraries
#          the offline toolchain build and the stand-in TCL3 are made of),
#        kernel (make kernel), kernel-test (make test-e2e: the kernel source it
#          builds, the machine it boots in), bench, fresh-root (tests/fresh-root.sh),
#        image (make image).
# Each tier stands on its own beside `tools`: its list names every package
# its scripts run, even one another tier also names.
set -eu

pkgs_tools="build-essential pkg-config libsquashfs-dev libdeflate-dev libarchive-dev libcurl4-openssl-dev
 libssl-dev libelf-dev libcapstone-dev ca-certificates"
# zip, procps (pkill), openssl (the e2e nginx test's certificate): the
# tests run them; a machine that happened to have them hid it.
pkgs_test="squashfs-tools squashfs-tools-ng python3 busybox-static qemu-user cpio zstd lzip
 xz-utils bzip2 libarchive-tools curl clang libclang-rt-14-dev zip procps openssl"
# patch: recipes/scripts/apply-patches.sh.
pkgs_toolchain="flex bison texinfo libgmp-dev libmpfr-dev libmpc-dev gawk file rsync patch"
# Debian's binutils and gcc sources build the toolchain offline; the stand-in
# TCL3 (tests/fixtures) builds glibc 2.11.1 and Linux 2.6.33.3's headers from
# TCL3's own sources (../shared/sources), whose headers_install is perl.
pkgs_toolchain_test="binutils-source gcc-12-source qemu-user perl"
# kmod: `make modules_install` runs /sbin/depmod; libncurses-dev: make
# kernel-menuconfig; perl: the kernel's build scripts; patch: coLinux's series;
# xz, bzip2: the 2.6.33.3-7 stable patch and kernel.org's .tar.bz2.
pkgs_kernel="bc libelf-dev libssl-dev flex bison cpio kmod perl libncurses-dev patch xz-utils bzip2"
pkgs_kernel_test="qemu-system-x86"
pkgs_bench="hyperfine squashfs-tools squashfs-tools-ng libarchive-tools curl busybox-static"
pkgs_graph="graphviz"
# make image: the root tree under fakeroot, TCL3's microcore.gz unpacked by
# bsdtar, ext2 by mke2fs -d and debugfs, the MBR by sfdisk, grub's i386-pc
# boot images (grub-pc-bin: x86 hosts only).
pkgs_image="fakeroot libarchive-tools e2fsprogs fdisk grub-pc-bin grub-common"
# Package builds: zsync for .tcz.zsync, perl for openssl, qemu-user to run
# the cross-built feature tests of configure scripts that insist on running,
# ccache for the compilers, python3 for check-recipes, cve-check, legal-info.
pkgs_packages="zsync perl qemu-user graphviz make patch ccache python3"
pkgs_fresh_root="debootstrap"

# What each tier's scripts run, as WHAT=PACKAGE: a command, /a/file, or
# pc:MODULE (pkg-config), h:HEADER (the C compiler finds it), perl:MODULE,
# fuzzer (clang links a libFuzzer target).
probes_tools="cc=build-essential make=build-essential pkg-config=pkg-config
 pc:libsquashfs1=libsquashfs-dev pc:libdeflate=libdeflate-dev pc:libarchive=libarchive-dev
 pc:libcurl=libcurl4-openssl-dev pc:libcrypto=libssl-dev pc:libelf=libelf-dev pc:capstone=libcapstone-dev
 /etc/ssl/certs/ca-certificates.crt=ca-certificates"
probes_test="unsquashfs=squashfs-tools mksquashfs=squashfs-tools sqfs2tar=squashfs-tools-ng
 gensquashfs=squashfs-tools-ng python3=python3 busybox=busybox-static qemu-i386=qemu-user cpio=cpio
 zstd=zstd lzip=lzip xz=xz-utils bzip2=bzip2 bsdtar=libarchive-tools curl=curl clang=clang
 fuzzer=libclang-rt-14-dev zip=zip pkill=procps openssl=openssl script=bsdutils make=build-essential"
probes_toolchain="flex=flex bison=bison makeinfo=texinfo gawk=gawk file=file rsync=rsync
 patch=patch h:gmp.h=libgmp-dev h:mpfr.h=libmpfr-dev h:mpc.h=libmpc-dev"
probes_toolchain_test="qemu-i386=qemu-user /usr/src/binutils/binutils-2.40.tar.xz=binutils-source /usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz=gcc-12-source
 /usr/src/gcc-12/patches/gcc-gfdl-build.diff=gcc-12-source perl=perl"
probes_kernel="/sbin/depmod=kmod bc=bc flex=flex bison=bison cpio=cpio perl=perl patch=patch xz=xz-utils bzip2=bzip2
 h:libelf.h=libelf-dev h:openssl/ssl.h=libssl-dev h:ncurses.h=libncurses-dev"
probes_kernel_test="qemu-system-i386=qemu-system-x86"
probes_bench="hyperfine=hyperfine mksquashfs=squashfs-tools gensquashfs=squashfs-tools-ng
 bsdtar=libarchive-tools curl=curl busybox=busybox-static"
probes_graph="dot=graphviz"
probes_packages="zsyncmake=zsync perl=perl perl:IPC::Cmd=perl qemu-i386=qemu-user dot=graphviz
 make=make patch=patch ccache=ccache python3=python3"
probes_fresh_root="debootstrap=debootstrap chroot=coreutils mount=mount"
probes_image="fakeroot=fakeroot bsdtar=libarchive-tools mke2fs=e2fsprogs debugfs=e2fsprogs
 dumpe2fs=e2fsprogs sfdisk=fdisk grub-mkimage=grub-common /usr/lib/grub/i386-pc/boot.img=grub-pc-bin"

tier_var() { # tier_var PREFIX TIER: the value of PREFIX_TIER (- becomes _)
	eval "printf '%s' \"\${$1_$(echo "$2" | tr - _)-}\""
}

known_tier() {
	case $1 in tools|test|toolchain|toolchain-test|kernel|kernel-test|bench|graph|packages|fresh-root|image) return 0 ;; esac
	echo "host-deps.sh: unknown tier '$1' (tools test toolchain toolchain-test kernel kernel-test" \
		"bench graph packages fresh-root image)" >&2
	exit 2
}

probe_one() { # probe_one WHAT: 0 if present
	case $1 in
	/*) [ -e "$1" ] ;;
	pc:*) pkg-config --exists "${1#pc:}" 2>/dev/null ;;
	h:*) printf '#include <%s>\n' "${1#h:}" | cc -E -x c - >/dev/null 2>&1 ;;
	perl:*) perl -M"${1#perl:}" -e 1 2>/dev/null ;;
	fuzzer)
		d=$(mktemp -d)
		printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' > "$d/f.c"
		r=0; clang -fsanitize=fuzzer -o "$d/f" "$d/f.c" >/dev/null 2>&1 || r=1
		rm -rf "$d"; return $r ;;
	*) PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1 ;;
	esac
}

if [ "${1:-}" = --probe ]; then
	shift
	bad=0
	for tier in "$@"; do
		known_tier "$tier"
		missing=""
		for p in $(tier_var probes "$tier"); do
			probe_one "${p%=*}" || missing="$missing ${p%=*} (${p##*=})"
		done
		if [ -n "$missing" ]; then
			echo "host-deps.sh: tier $tier: missing:$missing" >&2
			bad=1
		else
			echo "host-deps.sh: tier $tier: all $(tier_var probes "$tier" | wc -w) probes found"
		fi
	done
	exit $bad
fi

want=""
for tier in "$@"; do
	known_tier "$tier"
	want="$want $(tier_var pkgs "$tier")"
done

if ! command -v dpkg-query >/dev/null 2>&1; then
	# Not Debian (MSYS2, Cygwin, another distribution): check what we can by
	# pkg-config and leave package names to the user.
	case " $* " in *" tools "*)
		pkg-config --exists libsquashfs1 libarchive libcurl libcrypto libelf capstone || {
			echo "tcbuild: missing libraries for the tcz tool: install the development packages of" >&2
			echo "  squashfs-tools-ng (libsquashfs), libarchive, libcurl, openssl (libcrypto), elfutils (libelf), capstone" >&2
			exit 1; }
	esac
	exit 0
fi

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in *" installed") ;; *) case " $missing " in *" $p "*) ;; *) missing="$missing $p";; esac;; esac
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "tcbuild: installing host packages:$missing" >&2
	# Tiers checked at once (make -j: make test checks three) take turns on
	# dpkg's lock rather than fail on it.
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
		$missing >&2 || {
		echo "tcbuild: apt-get failed; try 'apt-get update' first, then: $cmd" >&2; exit 1; }
	exit 0
fi
echo "tcbuild: missing host packages:$missing" >&2
echo "tcbuild: install them with: sudo $cmd" >&2
exit 1
