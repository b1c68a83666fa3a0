# kernel-package: a Linux kernel and its modules, as coLinux builds them
# (bin/build-kernel.sh of the coLinux source): the kernel tarball, a patch
# series from another tarball applied in its order (quilt-style "NAME [-pN]"
# lines), then patches/<pkg>/; a base config (a file, or a make target such
# as tinyconfig) with <PKG>_CONFIG_FRAGMENTS merged on top; vmlinux (what
# coLinux boots), bzImage, modules. Outputs in $(KERNEL_OUT_DIR):
#   vmlinux, bzImage, config, vmlinux-modules.tar.gz (coLinux's install
#   format: lib/modules/KVER/ with modules.dep, owned by root)
# and the modules as Tiny Core extensions NAME-KVER.tcz (modules under
# usr/local/lib/modules/KVER/kernel/, Tiny Core's place for extension
# modules; tce-load runs depmod -a when it installs one).
#
# Recipe variables beyond the generic ones:
#   <PKG>_PATCH_SOURCE, _PATCH_SITE, _PATCH_SHA256, _PATCH_SOURCE_FILE
#       the tarball that holds the series (none: no series)
#   <PKG>_SERIES       the series file's path inside it
#   <PKG>_BASE_CONFIG  a config file (inside the patch tarball, or absolute),
#                      or a kernel make target (tinyconfig, defconfig, ...)
#   <PKG>_CONFIG_FRAGMENTS  files of CONFIG_ lines merged in order
#   <PKG>_LOCALVERSION appended to the release (coLinux: -co-VERSION)
#   <PKG>_MODULE_GROUPS NAME:DIR... extensions by module directory
#                      (DIR relative to kernel/), default modules:.

KERNEL_OUT_DIR := $(O)/kernel
KERNEL_MAKE = $(MAKE) ARCH=i386 CROSS_COMPILE=$(TARGET_CROSS) \
	KBUILD_BUILD_TIMESTAMP=@$(SOURCE_DATE_EPOCH) KBUILD_BUILD_USER=tcbuild KBUILD_BUILD_HOST=tcbuild

define kernel-package-defaults
$(2)_VARIABLES += PATCH_SOURCE PATCH_SITE PATCH_SHA256 PATCH_SOURCE_FILE SERIES BASE_CONFIG \
	CONFIG_FRAGMENTS LOCALVERSION MODULE_GROUPS PATCH_TARBALL
$(2)_MODULE_GROUPS ?= modules:.
$(2)_PATCH_TARBALL = $$(or $$($(2)_PATCH_SOURCE_FILE),$$(if $$($(2)_PATCH_SOURCE),$(TCZ_DL_DIR)/$$($(2)_PATCH_SOURCE)))
define $(2)_POST_PATCH_CMDS
$$(if $$($(2)_PATCH_SOURCE),$$(if $$($(2)_PATCH_SOURCE_FILE),,$$(if $$(filter none,$$($(2)_PATCH_SHA256)),\
	echo "tcbuild: $(1): no checksum is published for $$($(2)_PATCH_SOURCE): verify it yourself and set $(2)_PATCH_SOURCE_FILE" >&2; exit 1,\
	$(TCZ) fetch -o $$($(2)_PATCH_TARBALL) --sha256 $$($(2)_PATCH_SHA256) $$(addsuffix /$$($(2)_PATCH_SOURCE),$$($(2)_PATCH_SITE)))))
$$(if $$($(2)_PATCH_TARBALL),rm -rf $$($(2)_BUILDDIR)/series && $(TCZ) extract $$($(2)_PATCH_TARBALL) -C $$($(2)_BUILDDIR)/series --strip-components 1)
$$(if $$($(2)_SERIES),$(PKG_SCRIPTS)/kernel-series.sh $$($(2)_SRCDIR) $$($(2)_BUILDDIR)/series/$$($(2)_SERIES))
echo '$$($(2)_LOCALVERSION)' > localversion-tcbuild
endef
define $(2)_CONFIGURE_CMDS
$(PKG_SCRIPTS)/kernel-config.sh '$$(KERNEL_MAKE)' '$$(if $$(filter /%,$$($(2)_BASE_CONFIG)),$$($(2)_BASE_CONFIG),$$(if $$(wildcard $$($(2)_BUILDDIR)/series/$$($(2)_BASE_CONFIG)),$$($(2)_BUILDDIR)/series/$$($(2)_BASE_CONFIG),$$($(2)_BASE_CONFIG)))' $$($(2)_CONFIG_FRAGMENTS)
endef
$(2)_BUILD_CMDS = $$(KERNEL_MAKE) vmlinux bzImage modules
$(2)_INSTALL_CMDS = $(PKG_SCRIPTS)/kernel-install.sh '$$(KERNEL_MAKE)' $$($(2)_DESTDIR) $(KERNEL_OUT_DIR)
$(2)_TCZ_CMDS = $(PKG_SCRIPTS)/kernel-tcz.sh $(TCZ) $$($(2)_DESTDIR) $(TCZ_OUT_DIR) '$$($(2)_MODULE_GROUPS)'

endef

# Targets that name the package's build directory: evaluated after it exists.
define kernel-package-targets
$$($(2)_BUILDDIR)/.stamp_configured: | $(O)/host/.deps-kernel
.PHONY: $(1)-menuconfig $(1)-savedefconfig
$(1)-menuconfig: $$($(2)_BUILDDIR)/.stamp_configured
	$$(KERNEL_MAKE) -C $$($(2)_SRCDIR) menuconfig
	rm -f $$($(2)_BUILDDIR)/.stamp_built
# A minimal fragment: the lines of .config that differ from the base config.
$(1)-savedefconfig: $$($(2)_BUILDDIR)/.stamp_configured
	@mkdir -p $(KERNEL_OUT_DIR)
	$(PKG_SCRIPTS)/kconfig-diff.sh $$($(2)_SRCDIR)/.config.base $$($(2)_SRCDIR)/.config > $(KERNEL_OUT_DIR)/fragment.config.tmp
	mv $(KERNEL_OUT_DIR)/fragment.config.tmp $(KERNEL_OUT_DIR)/fragment.config
	@echo "$(KERNEL_OUT_DIR)/fragment.config: add it to $(2)_CONFIG_FRAGMENTS"
endef

# The defaults are evaluated first, so that the variable check of
# generic-package knows the kernel's own variables.
kernel-package = $(eval $(call kernel-package-defaults,$(pkg-name-of-recipe),$(call pkg-upper,$(pkg-name-of-recipe))))$(generic-package)$(newline)$(call kernel-package-targets,$(pkg-name-of-recipe),$(call pkg-upper,$(pkg-name-of-recipe)))
