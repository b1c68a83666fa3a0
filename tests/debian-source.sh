#!/usr/bin/env bash
# Print the path of Debian's .orig tarball of source package NAME, fetching
# it once with `apt-get source --download-only` into a cache outside the
# clone ($TCZ_CACHE_DIR/debian-src, default ~/.cache/tcbuild/debian-src).
# The suite is bookworm (DEBIAN_SUITE), not its security updates: they keep
# the same .orig and the archive mirror here may lack them. Debian's .orig tarballs are often byte-identical to upstream releases, so
# tests verify them against the recipes' real upstream checksums.
#
# apt needs deb-src entries; as root, this adds them (same archive as the
# machine's deb entries for the suite, deb822 or one-line, as a fresh
# debootstrap root writes them) in /etc/apt/sources.list.d/tcbuild-deb-src.*.
set -euo pipefail

name=${1:?usage: debian-source.sh NAME}
cache=${TCZ_CACHE_DIR:-$HOME/.cache/tcbuild}/debian-src/$name
find_orig() { ls "$cache"/*.orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -n 1; }

orig=$(find_orig || true)
if [ -z "$orig" ]; then
	if ! apt-get indextargets --format '$(CREATED_BY)' 2>/dev/null | grep -q '^Sources$'; then
		[ "$(id -u)" = 0 ] || { echo "debian-source.sh: apt has no deb-src entries; as root, run this once to add them" >&2; exit 1; }
		src=/etc/apt/sources.list.d/tcbuild-deb-src
		for f in /etc/apt/sources.list.d/*.sources; do
			if [ -f "$f" ] && [ "$f" != "$src.sources" ]; then sed -n '/^Types: deb$/,/^$/p' "$f"; fi
		done | sed 's/^Types: deb$/Types: deb-src/' > "$src.sources.tmp"
		# One-line entries of the Debian suite (bookworm, bookworm-updates...).
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			if [ -f "$f" ] && [ "$f" != "$src.list" ]; then
				awk -v s="${DEBIAN_SUITE:-bookworm}" '$1 == "deb" {
					i = 2; if ($2 ~ /^\[/) while (i <= NF && $i !~ /\]$/) i++
					if ($2 ~ /^\[/) i++
					if (index($(i + 1), s) == 1) { sub(/^deb/, "deb-src"); print } }' "$f"
			fi
		done > "$src.list.tmp"
		[ -s "$src.sources.tmp" ] || [ -s "$src.list.tmp" ] ||
			{ rm -f "$src".*.tmp; echo "debian-source.sh: no 'deb' entry to mirror for deb-src" >&2; exit 1; }
		for t in sources list; do
			if [ -s "$src.$t.tmp" ]; then mv "$src.$t.tmp" "$src.$t"; else rm -f "$src.$t.tmp"; fi
		done
		apt-get update -q >/dev/null
	fi
	mkdir -p "$cache.tmp"
	(cd "$cache.tmp" && apt-get source --download-only -q "$name/${DEBIAN_SUITE:-bookworm}" >/dev/null) ||
		{ rm -rf "$cache.tmp"; echo "debian-source.sh: apt-get source $name failed" >&2; exit 1; }
	rm -rf "$cache"; mv "$cache.tmp" "$cache"
	orig=$(find_orig)
fi
[ -n "$orig" ] || { echo "debian-source.sh: no .orig tarball for $name in $cache" >&2; exit 1; }
echo "$orig"
