#!/usr/bin/env bash
# Apply a package's patches in order, as Buildroot's apply-patches does:
# for each patch directory given (the tree's patches/ first, then each
# TCZ_GLOBAL_PATCH_DIR entry), DIR/PKG/*.patch, then DIR/PKG/VERSION/*.patch,
# each set in name order. The first hunk that fails stops everything with
# the patch's name.
#
# Usage: apply-patches.sh [--list] SRCDIR PKG VERSION PATCHDIR...
#   --list  print the patch files that would be applied, one per line
set -euo pipefail

list=0
[ "${1:-}" = --list ] && { list=1; shift; }
[ $# -ge 3 ] || { echo "usage: apply-patches.sh [--list] SRCDIR PKG VERSION PATCHDIR..." >&2; exit 2; }
src=$1 pkg=$2 ver=$3; shift 3

for dir; do
	for sub in "$dir/$pkg" "$dir/$pkg/$ver"; do
		[ -d "$sub" ] || continue
		for p in $(LC_ALL=C ls "$sub"); do
			case $p in *.patch|*.diff) ;; *) continue ;; esac
			[ -f "$sub/$p" ] || continue
			if [ $list = 1 ]; then echo "$sub/$p"; continue; fi
			echo "$pkg: applying $sub/$p"
			if ! patch -d "$src" -p1 -N -s --no-backup-if-mismatch < "$sub/$p"; then
				echo "apply-patches.sh: $pkg: patch $sub/$p failed to apply" >&2
				exit 1
			fi
		done
	done
done
