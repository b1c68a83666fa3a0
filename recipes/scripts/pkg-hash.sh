#!/usr/bin/env bash
# pkg-hash.sh TCZ RECIPE PKG SOURCE DL_DIR SITE...: `make PKG-hash`, for a
# version bump, as abuild checksum does: download SOURCE (unverified: there
# is nothing to verify it against yet) and write its sha256 into RECIPE as
# <PKG>_SHA256, marked as computed here, not published, so that a reviewer
# knows to check it against upstream's signature or published sums.
# The recipe is rewritten whole (a temporary renamed over it).
set -euo pipefail
tcz=$1 recipe=$2 pkg=$3 source=$4 dl=$5
shift 5
[ $# -gt 0 ] || { echo "tcbuild: $pkg: ${pkg}_SITE is empty: nowhere to download $source from" >&2; exit 1; }
grep -q "^${pkg}_SHA256 *=" "$recipe" || { echo "$recipe: no ${pkg}_SHA256 line to rewrite" >&2; exit 1; }
mkdir -p "$dl"
tmp=$dl/.$source.hash.$$
trap 'rm -f "$tmp" "$recipe.tmp.$$"' EXIT
urls=()
for site; do urls+=("$site/$source"); done
"$tcz" fetch --no-verify --max-size 0 -o "$tmp" "${urls[@]}"
sum=$(sha256sum < "$tmp" | cut -d' ' -f1)
stamp=$(date -u +%Y-%m-%d)
awk -v pkg="$pkg" -v sum="$sum" -v note="# sha256 computed by make ${pkg,,}-hash on $stamp from $source as downloaded, not published: check it against upstream's signature" '
	$0 ~ "^# sha256 computed by make " { next }
	$0 ~ "^" pkg "_SHA256 *=" { print note; print pkg "_SHA256 = " sum; next }
	{ print }' "$recipe" > "$recipe.tmp.$$"
mv "$recipe.tmp.$$" "$recipe"
mv "$tmp" "$dl/$source"
trap - EXIT
echo "$recipe: ${pkg}_SHA256 = $sum (computed, not published)"
