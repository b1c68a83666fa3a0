#!/usr/bin/env bash
# The cache of built packages, in the spirit of Yocto's sstate: a package
# whose inputs are unchanged is restored instead of built.
#
#   pkg-cache.sh key ENV            print the package's key
#   pkg-cache.sh build ENV -- CMD   restore the package if its key is cached
#                                   (locally, else from CACHE_URL), else run
#                                   CMD (its stages) and store the result
#   pkg-cache.sh put ENV            store the package as built now
#
# ENV is the package's pkg.env (recipes/pkg-infra.mk). The key is the
# sha256 of: the key inputs make wrote (infrastructure version, name,
# version, expanded commands and settings, sources' checksums), with the
# checkout's own paths replaced by names, so that checkouts in different
# places share entries; the content of the patches, the tce.installed
# script and a local source file; the toolchain's key; each dependency's key.
#
# An entry, CACHE/NAME/KEY.tar.gz, holds what the package's dependents and
# users need: its installed tree (dest/), the extensions it packed (tcz/)
# and a recipe's own outputs (outputs/, a kernel's vmlinux and bzImage).
# Entries appear by rename, whole; one writer per key at a time (flock);
# readers never wait. Each entry has its KEY.tar.gz.sha256 beside it, so a
# cache directory can be served to other machines as it is: CACHE_URL (a
# URL or a directory with that layout) is only read, and what comes from
# it is verified against that sha256.
set -euo pipefail

cmd=${1:?usage: pkg-cache.sh key|build|put ENV [-- CMD...]}
env=${2:?usage: pkg-cache.sh key|build|put ENV [-- CMD...]}
shift 2
# shellcheck disable=SC1090
. "$env"
for v in PKG VERSION BUILDDIR DESTDIR WORK PKG_DIR OUT TCZ KEY_INPUTS TOOLCHAIN_INFO; do
	[ -n "${!v:-}" ] || { echo "pkg-cache.sh: $v is not set in $env" >&2; exit 2; }
done
title="$PKG $VERSION"
die() { echo "tcbuild: $title: $*" >&2; exit 1; }

sha() { sha256sum | cut -d' ' -f1; }

# A file's sha256, remembered per (path, size, mtime): local sources are
# large and rarely change.
file_sha() {
	local memo=$PKG_DIR/sums stat line
	stat=$(stat -c '%n %s %Y' "$1")
	line=$(grep -F -x -- "$stat" -A1 "$memo" 2>/dev/null | sed -n 2p || true)
	if [ -z "$line" ]; then
		line=$(sha < "$1")
		mkdir -p "$PKG_DIR"
		printf '%s\n%s\n' "$stat" "$line" >> "$memo"
	fi
	echo "$line"
}

key() {
	[ -f "$KEY_INPUTS" ] || die "no key inputs ($KEY_INPUTS)"
	[ -f "$TOOLCHAIN_INFO" ] || die "no toolchain ($TOOLCHAIN_INFO)"
	local text f p dep
	text=$(cat "$KEY_INPUTS")
	# The checkout's paths become names (longest first, so that a path
	# inside another is replaced whole).
	for p in $(printf '%s\n' ${PATHS:-} | awk -F= '{ print length($1) "\t" $0 }' | sort -rn | cut -f2-); do
		[ -n "${p%%=*}" ] && text=${text//"${p%%=*}"/"${p#*=}"}
	done
	{
		printf '%s\n' "$text"
		for f in ${KEY_FILES:-}; do
			[ -f "$f" ] || die "$f: missing (a patch, tce.installed or source the key needs)"
			printf 'file %s %s\n' "$(basename "$f")" "$(file_sha "$f")"
		done
		printf 'toolchain %s\n' "$(sed -n 's/^key //p' "$TOOLCHAIN_INFO")"
		for dep in ${DEP_KEYS:-}; do
			[ -s "$dep" ] || die "dependency key $dep missing: build the dependency first"
			printf 'dependency %s\n' "$(cat "$dep")"
		done
	} | sha | cut -c1-16
}

entry() { echo "$CACHE/$PKG/$1.tar.gz"; }

# Restore ENTRY: the installed tree into BUILDDIR, the extensions into OUT,
# the outputs into OUTPUTS_DIR. The previous build tree goes: its stamps
# describe something else.
restore() {
	local tmp=$BUILDDIR.restore.$$ f
	trap 'rm -rf "$tmp"' EXIT
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xzf "$1" -C "$tmp" || die "$1: unreadable cache entry"
	[ -d "$tmp/dest" ] && [ -f "$tmp/tcz/files" ] || die "$1: not a package cache entry"
	# As tcz pack publishes: the old .md5.txt goes first and the new comes
	# last, so that no reader takes a new image by an old checksum.
	mkdir -p "$OUT"
	grep '\.md5\.txt$' "$tmp/tcz/files" | while read -r f; do rm -f "$OUT/$f"; done
	{ grep -v '\.md5\.txt$' "$tmp/tcz/files"; grep '\.md5\.txt$' "$tmp/tcz/files"; } | while read -r f; do
		mv "$tmp/tcz/$f" "$OUT/$f"
	done
	if [ -d "$tmp/outputs" ] && [ -n "${OUTPUTS_DIR:-}" ]; then
		rm -rf "$OUTPUTS_DIR"
		mkdir -p "$(dirname "$OUTPUTS_DIR")"
		mv "$tmp/outputs" "$OUTPUTS_DIR"
	fi
	rm -rf "$BUILDDIR"
	mkdir -p "$BUILDDIR/tcz"
	mv "$tmp/dest" "$DESTDIR"
	mv "$tmp/tcz/files" "$WORK/files"
	rm -rf "$tmp"
	trap - EXIT
}

# Try the shared cache: KEY.tar.gz verified against KEY.tar.gz.sha256.
fetch_shared() { # KEY DEST
	[ -n "${CACHE_URL:-}" ] || return 1
	local url=${CACHE_URL%/}/$PKG/$1.tar.gz sum
	mkdir -p "$(dirname "$2")"
	"$TCZ" fetch -q --no-verify -o "$2.sha256" "$url.sha256" 2>/dev/null || return 1
	sum=$(cut -d' ' -f1 < "$2.sha256")
	rm -f "$2.sha256"
	"$TCZ" fetch -q --sha256 "$sum" --max-size 0 -o "$2" "$url" >&2
}

get() { # KEY: 0 restored, 1 not cached
	local e
	e=$(entry "$1")
	if [ ! -f "$e" ]; then
		fetch_shared "$1" "$e" || return 1
		echo "[cache] $title: fetched from $CACHE_URL"
	fi
	restore "$e"
	echo "[cache] $title: from cache ($1)"
}

put() { # KEY
	[ -f "$WORK/files" ] || die "nothing to store: no list of packed extensions in $WORK"
	local e tmp f
	e=$(entry "$1")
	mkdir -p "$(dirname "$e")"
	exec 9>"$e.lock"
	flock 9
	# The entry's tree, of hard links (the build tree, the extensions and
	# the outputs are all under $(O)): nothing is copied before tar reads it.
	tmp=$(mktemp -d "$BUILDDIR/.cache.XXXXXX")
	trap 'rm -rf "$tmp" "$e.tmp.$$" "$e.sha256.tmp.$$"' EXIT
	mkdir "$tmp/tcz"
	cp -al "$DESTDIR" "$tmp/dest"
	while read -r f; do cp -al "$OUT/$f" "$tmp/tcz/$f"; done < "$WORK/files"
	cp "$WORK/files" "$tmp/tcz/files"
	if [ -n "${OUTPUTS_DIR:-}" ] && [ -d "$OUTPUTS_DIR" ]; then cp -al "$OUTPUTS_DIR" "$tmp/outputs"; fi
	tar -C "$tmp" -czf "$e.tmp.$$" . || die "storing $e failed"
	# Its sha256 beside it, so that the directory can be served as is to
	# other machines (CACHE_URL), which verify what they fetch.
	(cd "$(dirname "$e")" && sha256sum < "$e.tmp.$$" | sed "s|-\$|$(basename "$e")|" > "$e.sha256.tmp.$$")
	mv "$e.tmp.$$" "$e"
	mv "$e.sha256.tmp.$$" "$e.sha256"
	rm -rf "$tmp"
	trap - EXIT
	echo "$1" > "$PKG_DIR/key"
}

# The package as built now, under KEY: into the cache when there is one;
# its key beside it either way (its dependents' keys are made of it).
store() { # KEY
	if [ -n "${CACHE:-}" ]; then put "$1"; else echo "$1" > "$PKG_DIR/key"; fi
}

case $cmd in
key) key ;;
put)
	k=$(key) # an assignment, so that a key that fails stops the script
	store "$k" ;;
build)
	[ "${1:-}" = -- ] || { echo "pkg-cache.sh build ENV -- CMD..." >&2; exit 2; }
	shift
	k=$(key)
	if [ -n "${CACHE:-}" ] && get "$k"; then
		echo "$k" > "$PKG_DIR/key"
		exit 0
	fi
	"$@"
	store "$k" ;;
*) echo "pkg-cache.sh: unknown command '$cmd' (key, build or put)" >&2; exit 2 ;;
esac
