#!/usr/bin/env bash
# Print the toolchain's cache key: the sha256 of every input that changes
# what gets built, and nothing else (editing a comment in a makefile must
# not cost a 20-minute rebuild). With --explain, print the inputs instead.
#
# Inputs, from the environment set by toolchain/toolchain.mk: the format of
# the build procedure (TOOLCHAIN_FORMAT, bumped by hand when build.sh
# changes what it produces), target, host machine, source versions and the
# checksums of the exact tarballs used, configure options, the content of
# every patch applied, and the content hash of the sysroot (none for the
# bootstrap stage, which has no sysroot; it is named as a stage instead, so
# its key never equals a final toolchain's).
set -euo pipefail

for v in TOOLCHAIN_FORMAT TARGET_TRIPLET BINUTILS_VERSION BINUTILS_SOURCE_HASH \
	GCC_VERSION GCC_SOURCE_HASH SYSROOT_HASH TOPDIR; do
	[ -n "${!v:-}" ] || { echo "key.sh: $v is not set" >&2; exit 2; }
done

inputs() {
	if [ "${TOOLCHAIN_STAGE:-final}" = bootstrap ]; then
		echo "format ${TOOLCHAIN_BOOTSTRAP_FORMAT:?}"
	else
		echo "format $TOOLCHAIN_FORMAT"
	fi
	echo "target $TARGET_TRIPLET"
	echo "host $(uname -m)"
	echo "binutils $BINUTILS_VERSION $BINUTILS_SOURCE_HASH"
	echo "binutils-options ${BINUTILS_CONF_OPTS:-}"
	echo "gcc $GCC_VERSION $GCC_SOURCE_HASH"
	if [ "${TOOLCHAIN_STAGE:-final}" = bootstrap ]; then
		echo "stage bootstrap"
		echo "gcc-options ${GCC_BOOTSTRAP_CONF_OPTS:-}"
	else
		echo "gcc-options ${GCC_CONF_OPTS:-}"
	fi
	local pkg ver p
	for pkg in binutils gcc; do
		[ $pkg = gcc ] && ver=$GCC_VERSION || ver=$BINUTILS_VERSION
		# shellcheck disable=SC2086
		"$TOPDIR/recipes/scripts/apply-patches.sh" --list . "$pkg" "$ver" ${PATCH_DIRS:-} |
			while read -r p; do
				echo "patch $pkg $(basename "$p") $(sha256sum < "$p" | cut -d' ' -f1)"
			done
	done
	echo "sysroot $SYSROOT_HASH"
}

if [ "${1:-}" = --explain ]; then inputs; else inputs | sha256sum | cut -c1-16; fi
