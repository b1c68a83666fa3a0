#!/usr/bin/env bash
# Bring a freshly extracted kernel tree to VERSION: each PATCH (plain,
# .gz, .bz2 or .xz; kernel.org's incremental stable patches are -p1) in
# order, its sha256 in the log; then the tree must say it is VERSION, so
# that a wrong local source (<PKG>_SOURCE_FILE) stops here and not after
# an hour of building the wrong kernel.
# Usage: kernel-source.sh VERSION [PATCH...]   (in the source dir)
set -euo pipefail
version=$1; shift
for p; do
	[ -f "$p" ] || { echo "kernel-source.sh: $p: no such patch" >&2; exit 1; }
	case $p in
	*.xz) cat=(xz -dc) ;;
	*.bz2) cat=(bzip2 -dc) ;;
	*.gz) cat=(gzip -dc) ;;
	*) cat=(cat) ;;
	esac
	echo "source patch: $p sha256 $(sha256sum < "$p" | cut -d' ' -f1)"
	"${cat[@]}" "$p" | patch -p1 -N -s --no-backup-if-mismatch ||
		{ echo "kernel-source.sh: $p failed to apply" >&2; exit 1; }
done
# What 2.6's "make kernelversion" prints, read without running make.
field() { sed -n "s/^$1 *= *//p" Makefile | head -n 1; }
[ -f Makefile ] || { echo "kernel-source.sh: no Makefile: not a kernel tree" >&2; exit 1; }
have=$(field VERSION).$(field PATCHLEVEL).$(field SUBLEVEL)$(field EXTRAVERSION)
[ "$have" = "$version" ] || {
	echo "kernel-source.sh: the source is Linux $have, the recipe builds $version (check the source file and its patches)" >&2
	exit 1
}
