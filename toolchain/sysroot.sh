#!/usr/bin/env bash
# Assemble the target sysroot from unpacked Tiny Core trees, or print the
# content hash of one.
#
#   sysroot.sh assemble DEST ROOT...   merge lib/, usr/lib/, usr/include/ of
#                                      each ROOT (later ones win) into DEST
#   sysroot.sh hash DIR                sha256 of DIR's content manifest
#
# Only the directories a compiler and linker read are taken: TCL3's release
# root also holds busybox, /etc and the init scripts, which have no place in
# a sysroot (but see etc/ld.so.cache below). DEST is built beside and
# renamed into place, so an interrupted run leaves no half sysroot. The hash
# covers paths, types, permission bits, symlink targets and file contents,
# not mtimes or owners: it names what the toolchain is built against,
# however the trees were fetched and unpacked.
set -euo pipefail

die() { echo "sysroot.sh: $*" >&2; exit 1; }

manifest() {
	(cd "$1" &&
		bad=$(find . -mindepth 1 ! -type f ! -type d ! -type l -print -quit) &&
		{ [ -z "$bad" ] || die "$1/$bad: unexpected file type in a sysroot"; } &&
		{ find . -mindepth 1 -type d -printf 'd %m %p\n'
		  find . -mindepth 1 -type l -printf 'l %p -> %l\n'
		  find . -mindepth 1 -type f -printf 'm %m %p\n'
		  find . -mindepth 1 -type f -print0 | xargs -0r sha256sum; } | LC_ALL=C sort)
}

case ${1:-} in
assemble)
	[ $# -ge 3 ] || die "usage: sysroot.sh assemble DEST ROOT..."
	dest=$2; shift 2
	tmp="$dest.tmp.$$"
	trap 'rm -rf "$tmp"' EXIT
	rm -rf "$tmp"; mkdir -p "$tmp"
	for root; do
		[ -d "$root" ] || die "$root: not a directory"
		for sub in lib usr/lib usr/include; do
			[ -d "$root/$sub" ] || continue
			mkdir -p "$tmp/$sub"
			cp -R --preserve=mode,links "$root/$sub/." "$tmp/$sub/"
		done
	done
	# For running target programs with `qemu-i386 -L DEST`: qemu resolves a
	# path inside DEST only when the file exists there, else on the host, so
	# ld.so would read the host's /etc/ld.so.cache and load the host's i386
	# libc from it. An empty cache is one ld.so ignores: it then searches
	# /lib and /usr/lib, which qemu finds inside DEST.
	mkdir -p "$tmp/etc"
	: > "$tmp/etc/ld.so.cache"
	[ -e "$tmp/lib/libc.so.6" ] || die "no lib/libc.so.6 in $*: not a Tiny Core root"
	[ -e "$tmp/usr/include/stdio.h" ] || die "no usr/include/stdio.h in $*: base-dev missing"
	rm -rf "$dest"
	mv "$tmp" "$dest"
	trap - EXIT ;;
hash)
	[ $# -eq 2 ] && [ -d "$2" ] || die "usage: sysroot.sh hash DIR"
	manifest "$2" | sha256sum | cut -d' ' -f1 ;;
*)
	die "usage: sysroot.sh assemble DEST ROOT... | sysroot.sh hash DIR" ;;
esac
