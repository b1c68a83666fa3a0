# make image: a bootable Tiny Core 3.x with the extensions you choose, in
# $(IMAGE_DIR), for a VPS disk (IMAGE_KERNEL=tcl3) or a coLinux guest
# (IMAGE_KERNEL=colinux). It builds what it needs first: the extensions
# that have recipes (then `make mirror`), the kernel, and TCL3's own
# microcore.gz, fetched and verified as the toolchain's sysroot is.
# recipes/image/image.sh does the work (see its header for the outputs).

IMAGE_DIR ?= $(O)/image
IMAGE_KERNEL ?= tcl3
IMAGE_EXTENSIONS ?=
IMAGE_INSTALL ?= onboot
IMAGE_SERVICES ?=
IMAGE_SIZE ?= 64M
IMAGE_OVERLAY ?=
IMAGE_BOOTLOCAL ?=
IMAGE_MIRROR ?= $(MIRROR_DIR)
IMAGE_KERNEL_FILE ?=
IMAGE_BASE_FILE ?=
IMAGE_CMDLINE ?= $(IMAGE_CMDLINE_$(IMAGE_KERNEL))
IMAGE_CMDLINE_tcl3 = quiet console=tty0 console=ttyS0,115200
IMAGE_CMDLINE_colinux = quiet
IMAGE_GRUB_TIMEOUT ?= 3
IMAGE_COLINUX_MEM ?= 128
IMAGE_COLINUX_ETH0 ?= slirp

# The kernel each choice boots, from its recipe unless IMAGE_KERNEL_FILE
# names one: bzImage for a PC, vmlinux for coLinux.
IMAGE_KERNEL_RECIPE_tcl3 := tcl3-kernel
IMAGE_KERNEL_RECIPE_colinux := colinux-kernel
IMAGE_KERNEL_IMAGE_tcl3 := bzImage
IMAGE_KERNEL_IMAGE_colinux := vmlinux
image-kernel-recipe = $(IMAGE_KERNEL_RECIPE_$(IMAGE_KERNEL))
image-kernel-file = $(or $(IMAGE_KERNEL_FILE),$(or $($(call pkg-upper,$(image-kernel-recipe))_OUT_DIR),$(KERNEL_OUT_DIR)/$(image-kernel-recipe))/$(IMAGE_KERNEL_IMAGE_$(IMAGE_KERNEL)))

# Extensions with a recipe here are built (NAME-dev and the like by their
# package's recipe; NAME-KERNEL module extensions by the kernel's), then
# `make mirror` when IMAGE_MIRROR is ours; the others must be on
# IMAGE_MIRROR already.
image-names = $(patsubst %.tcz,%,$(IMAGE_EXTENSIONS))
image-recipes = $(sort $(filter $(PKGS),$(foreach n,$(image-names),$(n) $(patsubst %-dev,%,$(patsubst %-doc,%,$(patsubst %-locale,%,$(n)))))))
image-builds = $(image-recipes) $(if $(IMAGE_KERNEL_FILE),,$(filter $(PKGS),$(image-kernel-recipe)))

# The settings as shell words, each single-quoted whatever it holds
# (pkg-quote; the script checks them, so a stray quote is its error, not
# the shell's).
image_env = TCZ=$(call pkg-quote,$(TCZ)) IMAGE_DIR=$(call pkg-quote,$(IMAGE_DIR)) \
	IMAGE_KERNEL=$(call pkg-quote,$(IMAGE_KERNEL)) IMAGE_EXTENSIONS=$(call pkg-quote,$(image-names)) \
	IMAGE_INSTALL=$(call pkg-quote,$(IMAGE_INSTALL)) IMAGE_SERVICES=$(call pkg-quote,$(IMAGE_SERVICES)) \
	IMAGE_SIZE=$(call pkg-quote,$(IMAGE_SIZE)) IMAGE_OVERLAY=$(call pkg-quote,$(IMAGE_OVERLAY)) \
	IMAGE_BOOTLOCAL=$(call pkg-quote,$(IMAGE_BOOTLOCAL)) IMAGE_MIRROR=$(call pkg-quote,$(IMAGE_MIRROR)) \
	IMAGE_KERNEL_FILE=$(call pkg-quote,$(image-kernel-file)) IMAGE_CMDLINE=$(call pkg-quote,$(IMAGE_CMDLINE)) \
	IMAGE_GRUB_TIMEOUT=$(call pkg-quote,$(IMAGE_GRUB_TIMEOUT)) IMAGE_COLINUX_MEM=$(call pkg-quote,$(IMAGE_COLINUX_MEM)) \
	IMAGE_COLINUX_ETH0=$(call pkg-quote,$(IMAGE_COLINUX_ETH0)) TCL3_KERNEL=$(call pkg-quote,$(TCL3_KERNEL)) \
	IMAGE_KERNEL_GIVEN='$(if $(IMAGE_KERNEL_FILE),1)' IMAGE_BASE_GIVEN='$(if $(IMAGE_BASE_FILE),1)'

# In order: the settings are checked before anything is built; the builds;
# the mirror when it is ours; TCL3's microcore.gz; then the image.
.PHONY: image image-clean image-help
image: $(TCZ) $(O)/host/.deps-image
	@$(image_env) $(TOPDIR)/recipes/image/image.sh check
	$(if $(strip $(image-builds)),+@$(MAKE) --no-print-directory $(image-builds))
	$(if $(and $(image-names),$(filter $(MIRROR_DIR),$(IMAGE_MIRROR))),+@$(MAKE) --no-print-directory mirror)
	@base=$(call pkg-quote,$(IMAGE_BASE_FILE)); \
	if [ -z "$$base" ]; then base=$$($(toolchain_env) $(TOPDIR)/toolchain/toolchain.sh release) || exit 1; fi; \
	$(image_env) IMAGE_BASE_FILE="$$base" $(TOPDIR)/recipes/image/image.sh build

image-clean:
	@$(image_env) $(TOPDIR)/recipes/image/image.sh clean

image-help:
	@echo 'Images (a TCL3 for a VPS disk or a coLinux guest; see README.md):'
	@echo '  make image             $(IMAGE_DIR)/: microcore.gz with your extensions, the kernel, tce/,'
	@echo '                         and disk.img (IMAGE_KERNEL=tcl3) or rootfs.img + tcl3.conf (colinux)'
	@echo '  make image-clean       remove it'
	@echo '  IMAGE_KERNEL=tcl3|colinux  IMAGE_EXTENSIONS="nginx ..."  IMAGE_INSTALL=onboot|root'
	@echo '  IMAGE_SERVICES="nginx"  IMAGE_SIZE=64M  IMAGE_OVERLAY=DIR  IMAGE_BOOTLOCAL=FILE'
	@echo '  IMAGE_CMDLINE  IMAGE_MIRROR  IMAGE_KERNEL_FILE  IMAGE_BASE_FILE  IMAGE_COLINUX_MEM  IMAGE_COLINUX_ETH0'
