# kernel-package: a Linux kernel and its modules, as coLinux builds them
# (bin/build-kernel.sh of the coLinux source). The tree is made in this
# order: the kernel tarball; <PKG>_SOURCE_PATCHES, which bring an older
# release's tarball to <PKG>_VERSION; a vendor patch series among the
# <PKG>_EXTRA_SOURCES, in its order (quilt-style "NAME [-pN]" lines);
# tcbuild's patches, patches/linux/<branch>/ (shared by every kernel of
# that branch: 2.6.33, 6.1, ...) then patches/<pkg>/[<version>/]. Then a
# base config (a file, or a make target such as allnoconfig) with
# <PKG>_CONFIG_FRAGMENTS merged on top; the images and the modules.
# Outputs in $(O)/kernel/<pkg>/:
#   vmlinux, bzImage (when built), config, kernelrelease,
#   vmlinux-modules.tar.gz (coLinux's install format: lib/modules/KVER/
#   with the modules and depmod's index, modules.dep and modules.dep.bin
#   among it, owned by root)
# and the modules as Tiny Core extensions NAME-KVER.tcz (modules under
# usr/local/lib/modules/KVER/kernel/, Tiny Core's place for extension
# modules; tce-load runs depmod -a when it installs one).
#
# Recipe variables beyond the generic ones:
#   <PKG>_SOURCE_PATCHES  local patch files (plain, .gz, .bz2, .xz), applied
#                      with -p1 first: kernel.org's incremental stable patch
#                      over an older release's tarball (an offline source)
#   <PKG>_SERIES       a patch series: the name of one of the extra sources,
#                      whose lines name others
#   <PKG>_BASE_CONFIG  the name of an extra source, an absolute path, or a
#                      kernel make target (allnoconfig, defconfig, ...)
#   <PKG>_CONFIG_FRAGMENTS  merged in order: files of CONFIG_ lines, or
#                      single CONFIG_NAME=VALUE words
#   <PKG>_LOCALVERSION appended to the release (coLinux: -co-VERSION)
#   <PKG>_IMAGES       built besides the modules (default vmlinux bzImage)
#   <PKG>_VMLINUX_CHECK  a command run on the built vmlinux; the build fails
#                      when it does (coLinux: tcz colinux, the daemon's checks)
#   <PKG>_MODULE_GROUPS NAME:DIR... extensions by module directory
#                      (DIR relative to kernel/), default modules:.

KERNEL_OUT_DIR := $(O)/kernel
# kmod's depmod makes the modules index. 2.6.33's modules_install skips
# depmod silently when it finds none, and ships no index: here it runs, and
# is required.
KERNEL_DEPMOD ?= /sbin/depmod
# The banner names tcbuild and the last commit's time, not the builder's
# machine and clock (2.6.33 prints the timestamp as given: a date, one word).
KERNEL_TIMESTAMP := $(shell date -u -d @$(SOURCE_DATE_EPOCH) +%Y-%m-%dT%H:%M:%SZ)
KERNEL_MAKE = $(MAKE) ARCH=i386 CROSS_COMPILE=$(TARGET_CROSS) \
	KBUILD_BUILD_TIMESTAMP=$(KERNEL_TIMESTAMP) KBUILD_BUILD_USER=tcbuild KBUILD_BUILD_HOST=tcbuild

# The branch whose patches a version takes: 2.6.33.7 -> 2.6.33, 6.1.55 -> 6.1.
kernel-branch = $(subst $(kernel-space),.,$(wordlist 1,$(if $(filter 2,$(firstword $(subst ., ,$(1)))),3,2),$(subst ., ,$(1))))
kernel-space := $(subst ,, )

# A base config named like an extra source is that file; an absolute path
# is itself; anything else is a make target. Decided from the recipe alone,
# so the configure commands (and the package signature) never depend on
# whether the tree is extracted yet.
kernel-base-config = $(strip $(if $(filter /%,$($(1)_BASE_CONFIG)),$($(1)_BASE_CONFIG),$(if \
	$(filter $($(1)_BASE_CONFIG),$(foreach e,$($(1)_EXTRA_SOURCES),$(call pkg-extra-name,$(e)))),\
	$($(1)_EXTRA_DIR)/$($(1)_BASE_CONFIG),$($(1)_BASE_CONFIG))))

define kernel-package-defaults
$(2)_VARIABLES += SOURCE_PATCHES SERIES BASE_CONFIG CONFIG_FRAGMENTS LOCALVERSION IMAGES \
	VMLINUX_CHECK MODULE_GROUPS OUT_DIR
$(2)_MODULE_GROUPS ?= modules:.
$(2)_IMAGES ?= vmlinux bzImage
$(2)_OUT_DIR ?= $(KERNEL_OUT_DIR)/$(1)
$(2)_PATCH_SUBDIRS ?= linux/$$(call kernel-branch,$$($(2)_VERSION)) $(1)/$$($(2)_VERSION)
define $(2)_PRE_PATCH_CMDS
$(PKG_SCRIPTS)/kernel-source.sh $$($(2)_VERSION) $$($(2)_SOURCE_PATCHES)
$$(if $$($(2)_SERIES),$(PKG_SCRIPTS)/kernel-series.sh $$($(2)_SRCDIR) $$($(2)_EXTRA_DIR)/$$($(2)_SERIES))
endef
$(2)_POST_PATCH_CMDS = echo '$$($(2)_LOCALVERSION)' > localversion-tcbuild
$(2)_CONFIGURE_CMDS = $(PKG_SCRIPTS)/kernel-config.sh '$$(KERNEL_MAKE)' '$$(call kernel-base-config,$(2))' $$($(2)_CONFIG_FRAGMENTS)
define $(2)_BUILD_CMDS
$$(KERNEL_MAKE) $$($(2)_IMAGES) modules
$$(if $$($(2)_VMLINUX_CHECK),$$($(2)_VMLINUX_CHECK) vmlinux)
endef
$(2)_INSTALL_CMDS = $(PKG_SCRIPTS)/kernel-install.sh '$$(KERNEL_MAKE)' $(KERNEL_DEPMOD) $$($(2)_DESTDIR) $$($(2)_OUT_DIR) $$($(2)_IMAGES)
$(2)_TCZ_CMDS = $(PKG_SCRIPTS)/kernel-tcz.sh $(TCZ) $$($(2)_DESTDIR) $(TCZ_OUT_DIR) '$$($(2)_MODULE_GROUPS)'

endef

# Targets that name the package's build directory: evaluated after it exists.
define kernel-package-targets
# A changed fragment or base config file configures again; the kernel
# tier's host packages come first.
$$($(2)_BUILDDIR)/.stamp_configured: $$(filter-out CONFIG_%,$$($(2)_CONFIG_FRAGMENTS)) $$(filter /%,$$($(2)_BASE_CONFIG)) \
	| $(O)/host/.deps-kernel
.PHONY: $(1)-menuconfig $(1)-savedefconfig
$(1)-menuconfig: $$($(2)_BUILDDIR)/.stamp_configured
	$$(KERNEL_MAKE) -C $$($(2)_SRCDIR) menuconfig
	rm -f $$($(2)_BUILDDIR)/.stamp_built
# A minimal fragment: the lines of .config that differ from the base config.
$(1)-savedefconfig: $$($(2)_BUILDDIR)/.stamp_configured
	@mkdir -p $$($(2)_OUT_DIR)
	$(PKG_SCRIPTS)/kconfig-diff.sh $$($(2)_SRCDIR)/.config.base $$($(2)_SRCDIR)/.config > $$($(2)_OUT_DIR)/fragment.config.tmp
	mv $$($(2)_OUT_DIR)/fragment.config.tmp $$($(2)_OUT_DIR)/fragment.config
	@echo "$$($(2)_OUT_DIR)/fragment.config: add it to $(2)_CONFIG_FRAGMENTS"
endef

# The defaults are evaluated first, so that the variable check of
# generic-package knows the kernel's own variables.
kernel-package = $(eval $(call kernel-package-defaults,$(pkg-name-of-recipe),$(call pkg-upper,$(pkg-name-of-recipe))))$(generic-package)$(newline)$(call kernel-package-targets,$(pkg-name-of-recipe),$(call pkg-upper,$(pkg-name-of-recipe)))
