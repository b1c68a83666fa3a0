#!/bin/sh
# host-deps.sh TIER...: make sure the host has what a tier of tcbuild needs.
# Missing packages are installed with apt-get when running as root on Debian or
# Ubuntu; otherwise the exact command to run is printed and the script fails.
#
# Tiers: tools (build the tcz tool), test (peer tools the tests use as oracles),
#        packages (build recipes), graph (make graph),
#        toolchain (build binutils and gcc), kernel, bench, image (make image).
set -eu

pkgs_tools="build-essential pkg-config libsquashfs-dev libdeflate-dev libarchive-dev libcurl4-openssl-dev
 libssl-dev libelf-dev libcapstone-dev ca-certificates"
pkgs_test="squashfs-tools squashfs-tools-ng python3 busybox-static qemu-user cpio zstd lzip
 xz-utils bzip2 libarchive-tools curl clang libclang-rt-14-dev"
pkgs_toolchain="flex bison texinfo libgmp-dev libmpfr-dev libmpc-dev gawk file rsync
 binutils-source gcc-12-source libc6-dev-i386-cross linux-libc-dev-i386-cross libgcc-s1-i386-cross
 libstdc++6-i386-cross qemu-user"
pkgs_kernel="bc libelf-dev libssl-dev flex bison cpio qemu-system-x86 linux-source-6.1"
pkgs_bench="hyperfine squashfs-tools squashfs-tools-ng libarchive-tools curl"
pkgs_graph="graphviz"
# make image: the root tree under fakeroot, TCL3's microcore.gz unpacked by
# bsdtar, ext2 by mke2fs -d and debugfs, the MBR by sfdisk, grub's i386-pc
# boot images (grub-pc-bin: x86 hosts only).
pkgs_image="fakeroot libarchive-tools e2fsprogs fdisk grub-pc-bin"
# Package builds: zsync for .tcz.zsync, perl for openssl, qemu-user to run
# the cross-built feature tests of configure scripts that insist on running.
pkgs_packages="zsync perl qemu-user graphviz make patch"

want=""
for tier in "$@"; do
	eval "want=\"\$want \$pkgs_$tier\"" 2>/dev/null || { echo "host-deps.sh: unknown tier '$tier'" >&2; exit 2; }
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
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2 || {
		echo "tcbuild: apt-get failed; try 'apt-get update' first, then: $cmd" >&2; exit 1; }
	exit 0
fi
echo "tcbuild: missing host packages:$missing" >&2
echo "tcbuild: install them with: sudo $cmd" >&2
exit 1
