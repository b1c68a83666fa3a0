#!/usr/bin/env bash
# pkg-sysroot.sh DEST BASE [TREE...]: the sysroot a package builds against,
# $(O)/per-package/<pkg>/sysroot: BASE (the toolchain's sysroot, copied once
# into $(O)) with the installed tree of each of its dependencies on top
# (later trees win), all hard links: no file is copied, so assembling one
# costs milliseconds. A package sees what it declared and nothing else.
# Made beside and renamed into place.
set -euo pipefail
dest=${1:?usage: pkg-sysroot.sh DEST BASE [TREE...]} base=${2:?usage: pkg-sysroot.sh DEST BASE [TREE...]}
shift 2
[ -d "$base" ] || { echo "pkg-sysroot.sh: $base: no base sysroot" >&2; exit 1; }
tmp=$dest.tmp.$$
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp"
cp -al "$base/." "$tmp/"
for tree; do
	[ -d "$tree" ] || { echo "pkg-sysroot.sh: $tree: not installed (a dependency's tree is missing)" >&2; exit 1; }
	cp -alf "$tree/." "$tmp/"
done
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
