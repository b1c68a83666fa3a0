# The cross toolchain: binutils + gcc (C, C++) for i486 Tiny Core 3.x, with
# a sysroot made of TCL3's own files. `make toolchain` builds it once per
# set of inputs into $(TCZ_CACHE_DIR)/toolchain/<key> (outside the clone,
# shared by every checkout and CI run on the machine) and points
# $(TOOLCHAIN_DIR) at it. See toolchain/README.md.

TARGET_TRIPLET := i486-tcl3-linux-gnu
TARGET_GLIBC_VERSION ?= 2.11
TARGET_KERNEL_VERSION ?= 2.6.33

TCZ_CACHE_DIR ?= $(HOME)/.cache/tcbuild
TCZ_DL_DIR ?= $(O)/dl
TCZ_GLOBAL_PATCH_DIR ?=
TOOLCHAIN_DIR := $(or $(TCZ_TOOLCHAIN_DIR),$(O)/toolchain)
TOOLCHAIN_STAMP := $(TOOLCHAIN_DIR)/toolchain.info
TOOLCHAIN_BUILD_DIR := $(O)/build/toolchain

TARGET_CROSS := $(TOOLCHAIN_DIR)/bin/$(TARGET_TRIPLET)-
# Package builds compile through ccache when the host has it (TCZ_CCACHE=
# turns it off), its cache in the shared cache directory: a clean checkout,
# or a package rebuilt with one option changed, recompiles only what
# changed. Paths under $(O) are hashed relative to it, so checkouts in
# different places share hits.
TCZ_CCACHE ?= $(shell command -v ccache 2>/dev/null)
export CCACHE_DIR := $(TCZ_CACHE_DIR)/ccache
export CCACHE_BASEDIR := $(O)
TARGET_CC := $(strip $(TCZ_CCACHE) $(TARGET_CROSS)gcc)
TARGET_CXX := $(strip $(TCZ_CCACHE) $(TARGET_CROSS)g++)
TARGET_AR := $(TARGET_CROSS)ar
TARGET_RANLIB := $(TARGET_CROSS)ranlib
TARGET_LD := $(TARGET_CROSS)ld
TARGET_NM := $(TARGET_CROSS)nm
TARGET_OBJCOPY := $(TARGET_CROSS)objcopy
TARGET_STRIP := $(TARGET_CROSS)strip
TARGET_SYSROOT := $(TOOLCHAIN_DIR)/$(TARGET_TRIPLET)/sysroot

# Bump when toolchain/build.sh changes what it produces: part of the key.
# Each stage has its own, so a change to one does not rebuild the other.
TOOLCHAIN_FORMAT := 2
TOOLCHAIN_BOOTSTRAP_FORMAT := 1

# Sources: the versions the test tiers build and run (make test-toolchain,
# make test-e2e), so the defaults are what is proven. sha512 of upstream's
# release tarballs as crosstool-ng records them (packages/binutils/2.40/chksum,
# packages/gcc/12.2.0/chksum; GNU's own sha512.sum files could not be read
# where this was written). A local, verified tarball replaces the download:
# BINUTILS_SOURCE_FILE / GCC_SOURCE_FILE (its sha256 enters the key and log).
# Newer releases work the same way (BINUTILS_VERSION=2.45 with its
# BINUTILS_SHA512, say) but have not been built here: see toolchain/README.md.
BINUTILS_VERSION ?= 2.40
BINUTILS_SOURCE ?= binutils-$(BINUTILS_VERSION).tar.xz
BINUTILS_SITE ?= https://ftp.gnu.org/gnu/binutils
BINUTILS_SHA512 ?= a37e042523bc46494d99d5637c3f3d8f9956d9477b748b3b1f6d7dfbb8d968ed52c932e88a4e946c6f77b8f48f1e1b360ca54c3d298f17193f3b4963472f6925
BINUTILS_SOURCE_FILE ?=
GCC_VERSION ?= 12.2.0
GCC_SOURCE ?= gcc-$(GCC_VERSION).tar.xz
GCC_SITE ?= https://ftp.gnu.org/gnu/gcc/gcc-$(GCC_VERSION)
GCC_SHA512 ?= e9e857bd81bf7a370307d6848c81b2f5403db8c7b5207f54bce3f3faac3bde63445684092c2bc1a2427cddb6f7746496d9fbbef05fbbd77f2810b2998f1f9173
GCC_SOURCE_FILE ?=

BINUTILS_CONF_OPTS ?=
# i486 code tuned for i686-class hosts; only what a cross compiler for
# packages needs (no bootstrap, no sanitizers/OpenMP/quad-float runtimes
# that TCL3 lacks); zstd off so the archived toolchain needs no host libzstd.
GCC_CONF_OPTS ?= --with-arch=i486 --with-tune=i686 --enable-languages=c,c++ \
	--disable-multilib --disable-bootstrap --disable-nls --disable-libsanitizer \
	--disable-libgomp --disable-libquadmath --disable-libssp --disable-libvtv \
	--disable-libitm --disable-libcc1 --disable-libstdcxx-pch --enable-shared \
	--enable-threads=posix --enable-__cxa_atexit --without-zstd \
	--with-pkgversion=tcbuild

# The bootstrap stage (toolchain.sh bootstrap): C only, no C library, a
# static libgcc; what builds a C library from source (the tests' glibc).
BOOTSTRAP_DIR := $(O)/bootstrap
GCC_BOOTSTRAP_CONF_OPTS ?= --with-arch=i486 --with-tune=i686 --enable-languages=c \
	--without-headers --with-newlib --disable-shared --disable-threads \
	--disable-multilib --disable-bootstrap --disable-nls --disable-decimal-float \
	--disable-libatomic --disable-libgomp --disable-libquadmath --disable-libssp \
	--disable-libvtv --disable-libstdcxx --disable-libsanitizer --disable-libitm \
	--disable-libcc1 --without-zstd --with-pkgversion=tcbuild-bootstrap

# The TCL3 sysroot: the release's base cpio plus the toolchain extensions.
TCZ_TCL_MIRROR ?= http://repo.tinycorelinux.net
TCL3_RELEASE ?= 3.8.4
TCL3_KERNEL ?= 2.6.33.3-tinycore
TCL3_RELEASE_URL ?= $(TCZ_TCL_MIRROR)/3.x/archive/$(TCL3_RELEASE)/distribution_files/microcore.gz
TCL3_TCZ_URL ?= $(TCZ_TCL_MIRROR)/3.x/tcz
TCL3_SYSROOT_EXTENSIONS ?= base-dev linux-headers-KERNEL
# sha256 of every TCL3 file, recorded on first fetch (Tiny Core publishes
# only md5): committed for the real mirror, kept apart for other mirrors.
TCL3_LOCK ?= $(if $(filter http://repo.tinycorelinux.net,$(TCZ_TCL_MIRROR)),$(TOPDIR)/toolchain/tcl3.lock,$(TOOLCHAIN_BUILD_DIR)/tcl3-$(subst /,_,$(subst :,_,$(TCZ_TCL_MIRROR))).lock)

TOOLCHAIN_PATCH_DIRS = $(TOPDIR)/patches $(TCZ_GLOBAL_PATCH_DIR)

toolchain_env = TOPDIR='$(TOPDIR)' TCZ='$(TCZ)' TCZ_CACHE_DIR='$(TCZ_CACHE_DIR)' \
	TCZ_DL_DIR='$(TCZ_DL_DIR)' TARGET_TRIPLET='$(TARGET_TRIPLET)' \
	TOOLCHAIN_FORMAT='$(TOOLCHAIN_FORMAT)' TOOLCHAIN_BOOTSTRAP_FORMAT='$(TOOLCHAIN_BOOTSTRAP_FORMAT)' \
	TOOLCHAIN_DIR='$(TOOLCHAIN_DIR)' \
	BUILD_DIR='$(TOOLCHAIN_BUILD_DIR)' LOG_DIR='$(O)/logs' \
	BINUTILS_VERSION='$(BINUTILS_VERSION)' BINUTILS_SOURCE='$(BINUTILS_SOURCE)' \
	BINUTILS_SITE='$(BINUTILS_SITE)' BINUTILS_SHA512='$(BINUTILS_SHA512)' \
	BINUTILS_SOURCE_FILE='$(BINUTILS_SOURCE_FILE)' BINUTILS_CONF_OPTS='$(strip $(BINUTILS_CONF_OPTS))' \
	GCC_VERSION='$(GCC_VERSION)' GCC_SOURCE='$(GCC_SOURCE)' GCC_SITE='$(GCC_SITE)' \
	GCC_SHA512='$(GCC_SHA512)' GCC_SOURCE_FILE='$(GCC_SOURCE_FILE)' \
	GCC_CONF_OPTS='$(strip $(GCC_CONF_OPTS))' PATCH_DIRS='$(strip $(TOOLCHAIN_PATCH_DIRS))' \
	BOOTSTRAP_DIR='$(BOOTSTRAP_DIR)' GCC_BOOTSTRAP_CONF_OPTS='$(strip $(GCC_BOOTSTRAP_CONF_OPTS))' \
	TCL3_RELEASE_URL='$(TCL3_RELEASE_URL)' TCL3_TCZ_URL='$(TCL3_TCZ_URL)' \
	TCL3_KERNEL='$(TCL3_KERNEL)' TCL3_SYSROOT_EXTENSIONS='$(TCL3_SYSROOT_EXTENSIONS)' \
	TCL3_LOCK='$(TCL3_LOCK)'

# Always consulted: make cannot see a changed option or patch by itself,
# and the check costs well under a second when nothing changed.
.PHONY: toolchain toolchain-key toolchain-inputs toolchain-clean toolchain-archive toolchain-bootstrap
toolchain: $(TCZ) | $(O)/host/.deps-toolchain
	@$(toolchain_env) $(TOPDIR)/toolchain/toolchain.sh build

toolchain-bootstrap: $(TCZ) | $(O)/host/.deps-toolchain
	@$(toolchain_env) $(TOPDIR)/toolchain/toolchain.sh bootstrap

toolchain-key: $(TCZ)
	@$(toolchain_env) $(TOPDIR)/toolchain/toolchain.sh key

toolchain-inputs: $(TCZ)
	@$(toolchain_env) $(TOPDIR)/toolchain/toolchain.sh inputs

$(TOOLCHAIN_STAMP):
	@$(MAKE) --no-print-directory toolchain

toolchain-clean:
	@$(toolchain_env) $(TOPDIR)/toolchain/toolchain.sh clean

TOOLCHAIN_ARCHIVE ?= $(O)/toolchain-$(TARGET_TRIPLET).tar.gz
toolchain-archive: $(TOOLCHAIN_STAMP)
	@$(toolchain_env) $(TOPDIR)/toolchain/toolchain.sh archive '$(TOOLCHAIN_ARCHIVE)'
