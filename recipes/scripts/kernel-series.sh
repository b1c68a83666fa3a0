#!/usr/bin/env bash
# Apply a quilt-style patch series to a kernel tree, as coLinux's
# bin/build-kernel.sh does without quilt: each non-comment line of SERIES is
# "NAME [-pN]" (default -p1), NAME relative to the series file's directory.
# The first patch that fails stops everything with its name.
# Usage: kernel-series.sh SRCDIR SERIES
set -euo pipefail
src=$1 series=$2
[ -f "$series" ] || { echo "kernel-series.sh: $series: no such series file" >&2; exit 1; }
dir=$(dirname "$series")
n=0
grep -v '^[[:space:]]*#' "$series" | while read -r name level _; do
	[ -n "$name" ] || continue
	[ -f "$dir/$name" ] || { echo "kernel-series.sh: $series names $name, which is missing" >&2; exit 1; }
	echo "series: applying $name ${level:--p1}"
	patch -d "$src" ${level:--p1} -N -s --no-backup-if-mismatch < "$dir/$name" ||
		{ echo "kernel-series.sh: $dir/$name failed to apply" >&2; exit 1; }
	n=$((n + 1))
done
