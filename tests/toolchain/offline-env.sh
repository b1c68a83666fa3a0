# Sourced by the toolchain tests (and by anyone reproducing them): builds
# the toolchain offline from the sources Debian ships, through the same
# recipe as a real build, with local source overrides.
#   binutils-source: /usr/src/binutils/binutils-2.40.tar.xz (a repack
#     without generated lexers: flex and bison rebuild them)
#   gcc-12-source:   /usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz (a DFSG repack
#     without the GFDL manuals; Debian's gcc-gfdl-build.diff lets it build.
#     It is Debian's file, so it is copied at test time into an extra patch
#     directory, never committed; its a/src/ paths become a/ for -p1.)
# Needs TCZ_CACHE_DIR set.
export BINUTILS_VERSION=2.40
export BINUTILS_SOURCE_FILE=/usr/src/binutils/binutils-2.40.tar.xz
export GCC_VERSION=12.2.0
export GCC_SOURCE_FILE=/usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz
for f in "$BINUTILS_SOURCE_FILE" "$GCC_SOURCE_FILE" /usr/src/gcc-12/patches/gcc-gfdl-build.diff; do
	[ -f "$f" ] || { echo "offline-env.sh: $f missing: run toolchain/host-deps.sh toolchain" >&2; return 1; }
done
export TCZ_GLOBAL_PATCH_DIR="$TCZ_CACHE_DIR/debian-patches"
mkdir -p "$TCZ_GLOBAL_PATCH_DIR/gcc/$GCC_VERSION"
sed -e 's,^\(---\|+++\) \([ab]\)/src/,\1 \2/,' /usr/src/gcc-12/patches/gcc-gfdl-build.diff \
	> "$TCZ_GLOBAL_PATCH_DIR/gcc/$GCC_VERSION/0001-debian-gcc-gfdl-build.patch"
