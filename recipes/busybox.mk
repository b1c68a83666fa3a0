# busybox: the tools TCL3's base system is made of, in a newer release
# (TCL3 shipped 1.17 to 1.19). Installed under /usr/local, which comes first
# in TCL3's PATH; tcbuild's tests also build their stand-in TCL3 userland
# from it (tests/fixtures/tcl3-microcore.sh).
BUSYBOX_VERSION = 1.35.0
BUSYBOX_SOURCE = busybox-$(BUSYBOX_VERSION).tar.bz2
BUSYBOX_SITE = https://busybox.net/downloads
# busybox.net's busybox-1.35.0.tar.bz2, as Yocto's busybox_1.35.0.bb pins it
# (Debian's busybox_1.35.0.orig.tar.bz2 is the same file).
BUSYBOX_SHA256 = faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694
BUSYBOX_LICENSE = GPL-2.0-only
BUSYBOX_LICENSE_FILES = LICENSE
BUSYBOX_HOMEPAGE = https://busybox.net
BUSYBOX_DESCRIPTION = BusyBox: small versions of common UNIX utilities in one binary
BUSYBOX_CPE_ID_VENDOR = busybox
BUSYBOX_CPE_ID_PRODUCT = busybox
BUSYBOX_VARIABLES = CONFIG_FRAGMENTS MAKE
# Options merged over busybox's defconfig, in order: what glibc 2.11 and
# Linux 2.6.33's headers need, the sysroot, then yours (files of CONFIG_
# lines, as the kernel's fragments).
BUSYBOX_CONFIG_FRAGMENTS ?=
# busybox's own build (kbuild): the cross prefix on the command line; the
# sysroot as its CONFIG_SYSROOT (a CC with a space in it would not survive
# kernel-config.sh's word splitting); its own -Os; unstripped, as the pack
# stage strips.
BUSYBOX_MAKE = $(MAKE) ARCH=i386 CROSS_COMPILE=$(TARGET_CROSS) KCONFIG_NOTIMESTAMP=1 SKIP_STRIP=y
define BUSYBOX_CONFIGURE_CMDS
echo 'CONFIG_SYSROOT="$(STAGING_DIR)"' > $(BUSYBOX_BUILDDIR)/sysroot.config
$(PKG_SCRIPTS)/kernel-config.sh '$(BUSYBOX_MAKE)' defconfig \
	$(dir $(BUSYBOX_RECIPE))busybox/glibc-2.11.config $(BUSYBOX_BUILDDIR)/sysroot.config $(BUSYBOX_CONFIG_FRAGMENTS)
endef
BUSYBOX_BUILD_CMDS = $(BUSYBOX_MAKE) busybox
BUSYBOX_INSTALL_CMDS = $(BUSYBOX_MAKE) CONFIG_PREFIX=$(BUSYBOX_DESTDIR)/usr/local install
$(eval $(generic-package))
