#!/usr/bin/env bash
# The toolchain's steps, driven by toolchain/toolchain.mk (which exports
# the settings): `make toolchain`, `make toolchain-key`, ... not this.
#
#   toolchain.sh sysroot   fetch TCL3's files, unpack them, assemble the sysroot
#   toolchain.sh release   fetch and verify only the release's microcore.gz
#                          (for make image); print its path
#   toolchain.sh key       print the cache key (after the sysroot step)
#   toolchain.sh inputs    print what the key is made of
#   toolchain.sh build     sysroot, sources, then build unless cached; link
#   toolchain.sh bootstrap the C-only, C-library-less first stage (build.sh);
#                          no sysroot; linked at BOOTSTRAP_DIR
#   toolchain.sh clean     remove this checkout's link and build files
#   toolchain.sh archive F write a relocatable tarball of the toolchain
set -euo pipefail

die() { echo "toolchain: $*" >&2; exit 1; }
mkdir -p "$BUILD_DIR" "$TCZ_DL_DIR"

# --- the TCL3 sysroot ------------------------------------------------------

# fetch_tcl3 URL: the file and its .md5.txt; the md5 is checked, and the
# sha256 is recorded in (or enforced from) the lock file.
fetch_tcl3() {
	local url=$1 name=${1##*/} md5
	"$TCZ" fetch -q -o "$TCZ_DL_DIR/tcl3/$name.md5.txt" --record "$TCL3_LOCK" "$url.md5.txt"
	md5=$(cut -d' ' -f1 "$TCZ_DL_DIR/tcl3/$name.md5.txt")
	"$TCZ" fetch -q -o "$TCZ_DL_DIR/tcl3/$name" --md5 "$md5" --record "$TCL3_LOCK" "$url"
}

sysroot() {
	local urls=("$TCL3_RELEASE_URL") ext u
	for ext in $TCL3_SYSROOT_EXTENSIONS; do
		urls+=("$TCL3_TCZ_URL/${ext//KERNEL/$TCL3_KERNEL}.tcz")
	done
	mkdir -p "$TCZ_DL_DIR/tcl3"
	for u in "${urls[@]}"; do fetch_tcl3 "$u"; done
	# Reuse the assembled sysroot while its inputs are the same bytes.
	local inputs
	inputs=$(for u in "${urls[@]}"; do
		echo "$u $(sha256sum < "$TCZ_DL_DIR/tcl3/${u##*/}" | cut -d' ' -f1)"; done)
	if [ -f "$BUILD_DIR/sysroot.hash" ] && [ -d "$BUILD_DIR/sysroot" ] &&
		[ "$inputs" = "$(cat "$BUILD_DIR/sysroot.inputs" 2>/dev/null)" ]; then
		return 0
	fi
	echo "toolchain: assembling the TCL3 sysroot"
	local trees="$BUILD_DIR/trees" roots=()
	rm -rf "$trees" "$BUILD_DIR/sysroot.hash"
	mkdir -p "$trees"
	"$TCZ" extract "$TCZ_DL_DIR/tcl3/${TCL3_RELEASE_URL##*/}" -C "$trees/release"
	roots+=("$trees/release")
	for u in "${urls[@]:1}"; do
		local n=${u##*/}
		mkdir -p "$trees/${n%.tcz}"
		"$TCZ" unpack "$TCZ_DL_DIR/tcl3/$n" -C "$trees/${n%.tcz}"
		roots+=("$trees/${n%.tcz}")
	done
	"$TOPDIR/toolchain/sysroot.sh" assemble "$BUILD_DIR/sysroot" "${roots[@]}"
	rm -rf "$trees"
	echo "$inputs" > "$BUILD_DIR/sysroot.inputs"
	"$TOPDIR/toolchain/sysroot.sh" hash "$BUILD_DIR/sysroot" > "$BUILD_DIR/sysroot.hash.tmp"
	mv "$BUILD_DIR/sysroot.hash.tmp" "$BUILD_DIR/sysroot.hash"
}

# --- sources -----------------------------------------------------------------

# source_hash NAME: what identifies the tarball in the key. A pinned
# download is named by its published sha512; a local override by its
# sha256, remembered per (path, size, mtime) so it is hashed once.
source_hash() {
	local file=${1^^}_SOURCE_FILE sha=${1^^}_SHA512
	if [ -n "${!file}" ]; then
		[ -f "${!file}" ] || die "${file}=${!file}: no such file"
		local stat memo="$BUILD_DIR/$1.source-hash"
		stat=$(stat -c '%n %s %Y' "${!file}")
		if [ "$(head -n1 "$memo" 2>/dev/null)" != "$stat" ]; then
			{ echo "$stat"; echo "sha256:$(sha256sum < "${!file}" | cut -d' ' -f1)"; } > "$memo.tmp"
			mv "$memo.tmp" "$memo"
		fi
		tail -n1 "$memo"
	else
		[ -n "${!sha}" ] || die "$1: ${sha} is empty: refusing to download an unverified source (set it, or ${file})"
		echo "sha512:${!sha}"
	fi
}

# source_file NAME: path of the verified tarball, downloading it if needed.
source_file() {
	local file=${1^^}_SOURCE_FILE sha=${1^^}_SHA512 src=${1^^}_SOURCE site=${1^^}_SITE
	if [ -n "${!file}" ]; then
		echo "toolchain: $1: using local source ${!file} ($(source_hash "$1"))" >&2
		echo "${!file}"
		return
	fi
	"$TCZ" fetch -o "$TCZ_DL_DIR/${!src}" --sha512 "${!sha}" "${!site}/${!src}" >&2
	echo "$TCZ_DL_DIR/${!src}"
}

key_env() {
	local sysroot=none
	[ "${TOOLCHAIN_STAGE:-final}" = bootstrap ] || sysroot=$(cat "$BUILD_DIR/sysroot.hash")
	BINUTILS_SOURCE_HASH=$(source_hash binutils) GCC_SOURCE_HASH=$(source_hash gcc) \
	SYSROOT_HASH=$sysroot "$TOPDIR/toolchain/key.sh" "$@"
}

link() { # LINK ENTRY: point LINK at the cache entry, atomically
	mkdir -p "$(dirname "$1")"
	[ ! -e "$1" ] || [ -L "$1" ] || die "$1 exists and is not a link made by tcbuild: move it away"
	ln -sfn "$2" "$1.tmp.$$"
	mv -T "$1.tmp.$$" "$1"
}

# build_cached LINK ENTRY-PREFIX: build the toolchain stage named by
# TOOLCHAIN_STAGE into the cache unless its key is there; link LINK to it.
build_cached() {
	local link_path=$1 key entry
	key=$(key_env)
	entry="$TCZ_CACHE_DIR/toolchain/$2$key"
	# One build per key at a time, whichever checkout or CI job asks.
	mkdir -p "$TCZ_CACHE_DIR/toolchain"
	exec 9>"$entry.lock"
	flock -n 9 || { echo "toolchain: another build of $2$key is running; waiting"; flock 9; }
	if [ -f "$entry/toolchain.info" ]; then
		[ "$(readlink "$link_path" 2>/dev/null)" = "$entry" ] || link "$link_path" "$entry"
		echo "toolchain: ${2:+${2%-} }up to date ($key)"
		return 0
	fi
	echo "toolchain: building $2$key (inputs: make toolchain-inputs)"
	BINUTILS_TARBALL=$(source_file binutils) GCC_TARBALL=$(source_file gcc) \
		SYSROOT_DIR="$BUILD_DIR/sysroot" TOOLCHAIN_KEY=$2$key \
		"$TOPDIR/toolchain/build.sh"
	key_env --explain > "$entry/toolchain.inputs"
	link "$link_path" "$entry"
}

case ${1:-} in
sysroot) sysroot ;;
release) # the release's microcore.gz, fetched and verified as the sysroot's; prints its path
	mkdir -p "$TCZ_DL_DIR/tcl3"
	fetch_tcl3 "$TCL3_RELEASE_URL" >&2
	echo "$TCZ_DL_DIR/tcl3/${TCL3_RELEASE_URL##*/}" ;;
key) sysroot; key_env ;;
inputs) sysroot; key_env --explain ;;
build) sysroot; build_cached "$TOOLCHAIN_DIR" "" ;;
bootstrap)
	export TOOLCHAIN_STAGE=bootstrap
	case ${2:-build} in
	build) build_cached "$BOOTSTRAP_DIR" bootstrap- ;;
	key) key_env ;;
	*) die "usage: toolchain.sh bootstrap [key]" ;;
	esac ;;
clean)
	[ ! -L "$TOOLCHAIN_DIR" ] || rm -f "$TOOLCHAIN_DIR"
	rm -rf "$BUILD_DIR"
	echo "toolchain: removed this checkout's link and build files; the cache stays in $TCZ_CACHE_DIR/toolchain" ;;
archive)
	out=${2:?archive needs an output file}
	[ -f "$TOOLCHAIN_DIR/toolchain.info" ] || die "no toolchain at $TOOLCHAIN_DIR: run make toolchain"
	tmp="$out.tmp.$$"
	trap 'rm -f "$tmp"' EXIT
	tar -C "$(readlink -f "$TOOLCHAIN_DIR")" --sort=name --owner=0 --group=0 --numeric-owner \
		--transform "s,^\.,$TARGET_TRIPLET," -czf "$tmp" .
	mv "$tmp" "$out"
	trap - EXIT
	echo "toolchain: wrote $out (unpack anywhere; set TCZ_TOOLCHAIN_DIR to its directory)" ;;
*) die "usage: toolchain.sh sysroot|release|key|inputs|build|bootstrap|clean|archive FILE" ;;
esac
