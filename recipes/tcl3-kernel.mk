# tcl3-kernel: TCL3's own kernel, vanilla Linux 2.6.33.3, the release Tiny Core 3.x runs
# (2.6.33.3-tinycore), built with the tcbuild toolchain (the same
# patches/linux/2.6.33/ as the coLinux kernel). Its config is allnoconfig
# plus recipes/tcl3-kernel/tcl3.config: what TCL3 relies on (squashfs with
# zlib, loop, ext2/3, tmpfs, devtmpfs, serial console, initramfs) and the
# virtio drivers VPS hosts need, lean enough to build in minutes. Outputs
# in $(O)/kernel/tcl3-kernel/: bzImage, vmlinux, vmlinux-modules.tar.gz
# (lib/modules/2.6.33.3-tinycore with depmod's index); module extensions
# NAME-2.6.33.3-tinycore.tcz in $(O)/tcz/.
TCL3_KERNEL_VERSION = 2.6.33.3
TCL3_KERNEL_SOURCE = linux-$(TCL3_KERNEL_VERSION).tar.bz2
TCL3_KERNEL_SITE = https://cdn.kernel.org/pub/linux/kernel/v2.6 \
	https://www.kernel.org/pub/linux/kernel/v2.6
# As for 2.6.33.7: the only published checksum found is an MD5, in OpenWrt's
# include/kernel-version.mk of the time 2.6.33.3 was current.
TCL3_KERNEL_MD5 = f651e9aafb2f910812257a63bcd639f2
TCL3_KERNEL_LICENSE = GPL-2.0
TCL3_KERNEL_HOMEPAGE = https://www.kernel.org
TCL3_KERNEL_DESCRIPTION = Linux kernel for Tiny Core 3.x
TCL3_KERNEL_BASE_CONFIG = allnoconfig
TCL3_KERNEL_LOCALVERSION = -tinycore
# Your options on top (files of CONFIG_ lines, or CONFIG_NAME=VALUE words):
# make tcl3-kernel TCL3_KERNEL_FRAGMENTS="my.config CONFIG_TUN=m".
TCL3_KERNEL_VARIABLES = FRAGMENTS
TCL3_KERNEL_FRAGMENTS ?=
TCL3_KERNEL_CONFIG_FRAGMENTS = $(TOPDIR)/recipes/tcl3-kernel/tcl3.config $(TCL3_KERNEL_FRAGMENTS)
# Tiny Core's extension names: ipv6-KERNEL.tcz, filesystems-KERNEL.tcz, ...
TCL3_KERNEL_MODULE_GROUPS = ipv6:net/ipv6 net-modules:net filesystems:fs drivers:drivers modules:.
$(eval $(kernel-package))
