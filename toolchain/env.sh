# Source this to cross-compile by hand for Tiny Core 3.x:
#   . toolchain/env.sh && ./configure --host=$TCZ_TARGET --prefix=/usr/local && make
# It points at the toolchain `make toolchain` built (out/toolchain, or
# TCZ_TOOLCHAIN_DIR) and exports the usual cross variables.
_tcz_top=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)
TCZ_TOOLCHAIN_DIR=${TCZ_TOOLCHAIN_DIR:-$_tcz_top/out/toolchain}
if [ ! -x "$TCZ_TOOLCHAIN_DIR/bin/i486-tcl3-linux-gnu-gcc" ]; then
	echo "toolchain/env.sh: no toolchain in $TCZ_TOOLCHAIN_DIR: run make toolchain" >&2
	return 1 2>/dev/null || exit 1
fi
export TCZ_TARGET=i486-tcl3-linux-gnu
export PATH="$TCZ_TOOLCHAIN_DIR/bin:$PATH"
export CC=$TCZ_TARGET-gcc CXX=$TCZ_TARGET-g++ AR=$TCZ_TARGET-ar RANLIB=$TCZ_TARGET-ranlib
export LD=$TCZ_TARGET-ld NM=$TCZ_TARGET-nm STRIP=$TCZ_TARGET-strip OBJCOPY=$TCZ_TARGET-objcopy
export SYSROOT="$TCZ_TOOLCHAIN_DIR/$TCZ_TARGET/sysroot"
export PKG_CONFIG_SYSROOT_DIR="$SYSROOT" PKG_CONFIG_LIBDIR="$SYSROOT/usr/local/lib/pkgconfig"
unset _tcz_top
