# The coLinux guest kernel: Linux 2.6.33.7 with coLinux 0.7.9's patch
# series and config, as coLinux's own bin/build-kernel.sh builds it
# (series patch/series-2.6.33.7, config conf/linux-2.6.33.7-config,
# release suffix -co-0.7.9; vmlinux plus vmlinux-modules.tar.gz), built
# with the tcbuild toolchain. Every value here is a variable: the same
# recipe builds other kernels (tests/e2e/kernel.sh builds Debian's 6.1).
COLINUX_KERNEL_VERSION = 2.6.33.7
COLINUX_KERNEL_SOURCE = linux-$(COLINUX_KERNEL_VERSION).tar.bz2
COLINUX_KERNEL_SITE = https://cdn.kernel.org/pub/linux/kernel/v2.6 \
	https://www.kernel.org/pub/linux/kernel/v2.6
# kernel.org's signed sha256sums.asc covers this tarball, but no copy of it
# could be read where this recipe was written: rather than guess, the build
# stops and asks for the verified file (COLINUX_KERNEL_SOURCE_FILE=...).
COLINUX_KERNEL_SHA256 = none
COLINUX_KERNEL_LICENSE = GPL-2.0
COLINUX_KERNEL_HOMEPAGE = http://www.colinux.org
COLINUX_KERNEL_DESCRIPTION = Linux kernel for coLinux guests
COLINUX_KERNEL_PATCH_SOURCE = coLinux-0.7.9.tar.gz
COLINUX_KERNEL_PATCH_SITE = https://downloads.sourceforge.net/project/colinux/coLinux-stable/0.7.9
# SourceForge publishes no checksum for it either: same rule.
COLINUX_KERNEL_PATCH_SHA256 = none
COLINUX_KERNEL_SERIES = patch/series-$(COLINUX_KERNEL_VERSION)
COLINUX_KERNEL_BASE_CONFIG = conf/linux-$(COLINUX_KERNEL_VERSION)-config
COLINUX_KERNEL_LOCALVERSION = -co-0.7.9
# Extra config, merged onto the base: your filesystems, netfilter, drivers.
KERNEL_CONFIG_FRAGMENTS ?=
COLINUX_KERNEL_CONFIG_FRAGMENTS = $(KERNEL_CONFIG_FRAGMENTS)
COLINUX_KERNEL_MODULE_GROUPS = filesystems:fs net-modules:net drivers:drivers modules:.
$(eval $(kernel-package))

# The short names the README and `make help` use.
.PHONY: kernel kernel-menuconfig kernel-savedefconfig kernel-rebuild kernel-clean
kernel: colinux-kernel
kernel-menuconfig: colinux-kernel-menuconfig
kernel-savedefconfig: colinux-kernel-savedefconfig
kernel-rebuild: colinux-kernel-rebuild
kernel-clean: colinux-kernel-clean
