# Package infrastructure: turns a declarative recipe (recipes/<pkg>.mk)
# into stages with stamps, per-package targets and the global targets.
# In the spirit of Buildroot's package/pkg-generic.mk.
#
# A recipe sets <PKG>_ variables and ends with $(eval $(generic-package)),
# $(eval $(autotools-package)), $(eval $(make-package)) or
# $(eval $(kernel-package)). <PKG> is the file name upper-cased, '-' as '_'.
#
# The stages, each with a stamp in $(O)/build/<pkg>-<version>/ so that a
# re-run does nothing:
#   1 source  2 extract  3 patch  4 configure  5 build  6 install
#   7 split (and strip)  8 check  9 pack
# A package builds against a sysroot of its own, $(O)/per-package/<pkg>/
# sysroot: the toolchain's sysroot plus the installed trees of the packages
# it declares in <PKG>_DEPENDENCIES (and theirs), hard-linked
# (scripts/pkg-sysroot.sh). It sees nothing it did not declare, so
# independent packages build at once under make -j, and a header from an
# undeclared package is simply not there.
#
# Above the stages stands the package cache (scripts/pkg-cache.sh): every
# package has a key made of everything that decides what it builds (its
# expanded commands and settings, its sources' checksums, its patches, the
# toolchain's key, its dependencies' keys, this infrastructure's version).
# `make <pkg>` restores a package whose key is in the cache, and builds and
# stores one whose key is not; <pkg>-rebuild, -reconfigure, -reinstall
# always build.

TCZ_RECIPE_DIRS ?= $(TOPDIR)/recipes
BUILD_ROOT := $(O)/build
PER_PACKAGE_DIR := $(O)/per-package
# The toolchain's sysroot, copied once into $(O) (per-package sysroots are
# hard links to it, and a hard link cannot leave its file system).
SYSROOT_BASE := $(O)/sysroot
TCZ_OUT_DIR := $(O)/tcz
LOG_DIR := $(O)/logs
PKG_SIG_DIR := $(BUILD_ROOT)/.signatures
PKG_SCRIPTS := $(TOPDIR)/recipes/scripts
# Sonames TCL3's base system provides: no .dep entry needed for them; and
# those TCL3's repository provides as extensions.
TCL3_BASE_SONAMES ?= $(TOPDIR)/recipes/tcl3-base-sonames.txt
TCL3_UPSTREAM_SONAMES ?= $(TOPDIR)/recipes/tcl3-upstream-sonames.txt

# Built packages, keyed by their inputs ("" turns the cache off), and a
# shared read-only one, a URL or a directory laid out the same way.
TCZ_PACKAGE_CACHE ?= $(TCZ_CACHE_DIR)/packages
TCZ_PACKAGE_CACHE_URL ?=
# Part of every package's key: bump it when this infrastructure, its
# scripts or tcz pack change what a package's build produces.
PKG_INFRA_VERSION := 2

# Reproducible images: every mtime clamped to a fixed time. For a package,
# the time of the last commit that changed its recipe or its patches (so
# an unrelated commit changes nothing it builds, and its cache key holds);
# outside git, this one: the last commit's, or 2011.
SOURCE_DATE_EPOCH ?= $(or $(shell git -C $(TOPDIR) log -1 --format=%ct 2>/dev/null),1300000000)
export SOURCE_DATE_EPOCH
PKG_DEFAULT_EPOCH := $(SOURCE_DATE_EPOCH)

# The variables a recipe may set (besides its own, listed in <PKG>_VARIABLES).
#   <PKG>_MD5       only when the publisher gives nothing stronger (old
#                   kernel.org tarballs): verified, with a warning, and the
#                   file's sha256 recorded in $(TCZ_SOURCE_LOCK) for later fetches
#   <PKG>_EXTRA_SOURCES  more files, each "URL@SHA256", fetched in the source
#                   stage and copied into $(<PKG>_EXTRA_DIR) at extraction
#   <PKG>_PATCH_SUBDIRS  NAME/VERSION... whose patches apply, in order (default
#                   <pkg>/<version>): patches/NAME/*.patch, patches/NAME/VERSION/*.patch,
#                   and the same under TCZ_GLOBAL_PATCH_DIR
#   <PKG>_PRE_PATCH_CMDS, _POST_PATCH_CMDS  run before and after those patches
#   <PKG>_CPE_ID_VENDOR, _CPE_ID_PRODUCT, _IGNORE_CVES  for make cve-check
PKG_KNOWN_VARIABLES := VERSION SOURCE SITE SHA256 MD5 SOURCE_FILE LICENSE LICENSE_FILES \
	DEPENDENCIES TCZ_DEPS DESCRIPTION HOMEPAGE COMMENTS CONF_ENV CONF_OPTS MAKE_OPTS \
	INSTALL_OPTS CONFIGURE_CMDS BUILD_CMDS INSTALL_CMDS PRE_PATCH_CMDS POST_PATCH_CMDS CHECK_WAIVE \
	TCE_INSTALLED VARIABLES TCZ_CMDS EXTRA_SOURCES PATCH_SUBDIRS CPE_ID_VENDOR CPE_ID_PRODUCT IGNORE_CVES

# sha256 of sources that publish only md5, recorded on first fetch (as
# toolchain/tcl3.lock is for TCL3's files): commit it.
TCZ_SOURCE_LOCK ?= $(TOPDIR)/recipes/sources.lock

# A package's commands run with PKG set to its name (a target-specific
# variable of its stage targets): STAGING_DIR is then its own sysroot.
STAGING_DIR = $(PER_PACKAGE_DIR)/$(PKG)/sysroot

# The cross environment every package builds with.
TARGET_CFLAGS ?= -O2 -pipe
TARGET_CONFIGURE_ENV = \
	CC="$(TARGET_CC) --sysroot=$(STAGING_DIR)" CXX="$(TARGET_CXX) --sysroot=$(STAGING_DIR)" \
	AR="$(TARGET_AR)" RANLIB="$(TARGET_RANLIB)" LD="$(TARGET_LD)" NM="$(TARGET_NM)" \
	STRIP="$(TARGET_STRIP)" OBJCOPY="$(TARGET_OBJCOPY)" \
	CFLAGS="$(TARGET_CFLAGS)" CXXFLAGS="$(TARGET_CFLAGS)" \
	CPPFLAGS="-I$(STAGING_DIR)/usr/local/include" \
	LDFLAGS="-L$(STAGING_DIR)/usr/local/lib -Wl,-rpath-link,$(STAGING_DIR)/usr/local/lib" \
	PKG_CONFIG_SYSROOT_DIR="$(STAGING_DIR)" \
	PKG_CONFIG_LIBDIR="$(STAGING_DIR)/usr/local/lib/pkgconfig"

PKGS :=

define newline


endef
space := $(subst ,, )
comma := ,

# The variable prefix of each recipe (nginx NGINX, colinux-kernel
# COLINUX_KERNEL), for every recipe file at once, in one process.
PKG_RECIPE_FILES := $(foreach d,$(TCZ_RECIPE_DIRS),$(filter-out $(d)/pkg-%.mk,$(wildcard $(d)/*.mk)))
PKG_RECIPE_NAMES := $(basename $(notdir $(PKG_RECIPE_FILES)))
$(foreach p,$(join $(addsuffix :,$(PKG_RECIPE_NAMES)),$(shell echo $(PKG_RECIPE_NAMES) | tr a-z- A-Z_)),\
	$(eval PKG_PREFIX_$(firstword $(subst :, ,$(p))) := $(lastword $(subst :, ,$(p)))))
pkg-upper = $(PKG_PREFIX_$(1))
pkg-name-of-recipe = $(basename $(notdir $(lastword $(MAKEFILE_LIST))))

# $(call pkg-line,FILE,REGEX): the line number of the first match, for errors.
pkg-line = $(or $(firstword $(subst :, ,$(shell grep -n -E '$(2)' $(1) 2>/dev/null | head -n 1))),1)

# '...' around a value for the shell, whatever quotes it holds.
pkg-quote = '$(subst ','\'',$(1))'

# $(call pkg-check-variables,pkg,PKG,file): refuse unknown <PKG>_ variables.
define pkg-check-variables
$(foreach v,$(filter $(2)_%,$(.VARIABLES)),
  $(if $(filter file,$(origin $(v))),
    $(if $(filter $(patsubst $(2)_%,%,$(v)),$(PKG_KNOWN_VARIABLES) $($(2)_VARIABLES)),,
      $(error $(3):$(call pkg-line,$(3),^$(v)[ :+?]*=): unknown variable $(v) (a typo? known: $(PKG_KNOWN_VARIABLES) $($(2)_VARIABLES))))))
endef

# An extra source "URL@SHA256": its URL, its sha256, its local name.
pkg-extra-sha = $(lastword $(subst @, ,$(1)))
pkg-extra-url = $(patsubst %@$(call pkg-extra-sha,$(1)),%,$(1))
pkg-extra-name = $(notdir $(call pkg-extra-url,$(1)))

# $(call pkg-extra-source-rule,pkg,PKG,entry): fetch one extra source into
# the download cache, in a directory of the package's own.
define pkg-extra-source-rule
$(TCZ_DL_DIR)/$(1)/$(call pkg-extra-name,$(3)): | $(TCZ)
	@echo "[1/9] $$($(2)_TITLE): source $(call pkg-extra-name,$(3))"
	@mkdir -p $(TCZ_DL_DIR)/$(1)
	$(Q)$(TCZ) fetch -q -o $$@ --sha256 $(call pkg-extra-sha,$(3)) $(call pkg-extra-url,$(3))
endef

# The fetch checksum arguments: sha256, or (nothing stronger published) md5
# with the sha256 lock.
pkg-fetch-checksum = $(if $($(1)_SHA256),--sha256 $($(1)_SHA256),--md5 $($(1)_MD5) --record $(TCZ_SOURCE_LOCK))

# Run one stage's commands (written to DIR/NAME.sh first) through step.sh.
# $(call pkg-step,PKG,N,what,dir,script-name,commands)
define pkg-step
$$(file >$$($(1)_BUILDDIR)/$(5).sh,$(6))
	+$(Q)$(PKG_SCRIPTS)/step.sh $$($(1)_LOG) "[$(2)/9] $$($(1)_TITLE): $(3)" $(4) $$($(1)_BUILDDIR)/$(5).sh
	$(Q)touch $$@
endef

# What stages 7-9 and the package cache read, as shell assignments, in
# $(PKG_DIR)/pkg.env: written by every recipe that runs either (the same
# text each time), read by scripts/tcz-package.sh and scripts/pkg-cache.sh.
pkg-write-env = $(file >$($(1)_PKG_DIR)/pkg.env,$(call pkg-env,$(1)))
define pkg-env
PKG=$(call pkg-quote,$($(1)_NAME))
VERSION=$(call pkg-quote,$($(1)_VERSION))
DESTDIR=$(call pkg-quote,$($(1)_DESTDIR))
BUILDDIR=$(call pkg-quote,$($(1)_BUILDDIR))
WORK=$(call pkg-quote,$($(1)_BUILDDIR)/tcz)
PKG_DIR=$(call pkg-quote,$($(1)_PKG_DIR))
OUT=$(call pkg-quote,$(TCZ_OUT_DIR))
OUTPUTS_DIR=$(call pkg-quote,$($(1)_OUT_DIR))
TCZ=$(call pkg-quote,$(TCZ))
STRIP=$(call pkg-quote,$(TARGET_STRIP))
GLIBC=$(call pkg-quote,$(TARGET_GLIBC_VERSION))
KERNEL=$(call pkg-quote,$(TARGET_KERNEL_VERSION))
BUILD_TREE=$(call pkg-quote,$(BUILD_ROOT))
LOG=$(call pkg-quote,$($(1)_LOG))
WAIVE=$(call pkg-quote,$($(1)_CHECK_WAIVE))
TCZ_DEPS=$(call pkg-quote,$($(1)_TCZ_DEPS))
DESCRIPTION=$(call pkg-quote,$(or $($(1)_DESCRIPTION),$($(1)_NAME)))
HOMEPAGE=$(call pkg-quote,$($(1)_HOMEPAGE))
LICENSE=$(call pkg-quote,$($(1)_LICENSE))
COMMENTS=$(call pkg-quote,$($(1)_COMMENTS))
TCE_INSTALLED=$(call pkg-quote,$($(1)_TCE_INSTALLED_FILE))
BASE_SONAMES=$(call pkg-quote,$(TCL3_BASE_SONAMES))
UPSTREAM_SONAMES=$(call pkg-quote,$(TCL3_UPSTREAM_SONAMES))
SOURCE_DATE_EPOCH=$(call pkg-quote,$($(1)_EPOCH))
KEY_INPUTS=$(call pkg-quote,$($(1)_PKG_DIR)/key-inputs)
KEY_FILES=$(call pkg-quote,$($(1)_KEY_FILES))
DEP_KEYS=$(call pkg-quote,$(foreach d,$($(1)_DEPENDENCIES),$(PER_PACKAGE_DIR)/$(d)/key))
TOOLCHAIN_INFO=$(call pkg-quote,$(TOOLCHAIN_STAMP))
PATHS=$(call pkg-quote,$(O)=@O@ $(TOPDIR)=@TOP@ $(TOOLCHAIN_DIR)=@TOOLCHAIN@ $(TCZ_DL_DIR)=@DL@ $(TCZ_CACHE_DIR)=@CACHE@)
CACHE=$(call pkg-quote,$(TCZ_PACKAGE_CACHE))
CACHE_URL=$(call pkg-quote,$(TCZ_PACKAGE_CACHE_URL))
endef

# What decides a package's build, as text (scripts/pkg-cache.sh adds the
# content of the files this names and the toolchain's and dependencies'
# keys, and hashes it into the key).
define pkg-key-inputs
infra $(PKG_INFRA_VERSION)
package $($(1)_NAME) $($(1)_VERSION) epoch $($(1)_EPOCH)
source $(if $($(1)_SOURCE_FILE),file:$($(1)_SOURCE_FILE),$(or $($(1)_SHA256),md5:$($(1)_MD5)))
extra $($(1)_EXTRA_SOURCES)
commands $(strip $($(1)_PRE_PATCH_CMDS) $($(1)_POST_PATCH_CMDS) $($(1)_CONFIGURE_CMDS) $($(1)_BUILD_CMDS) $($(1)_INSTALL_CMDS) $($(1)_TCZ_CMDS))
pack $(strip $(TARGET_GLIBC_VERSION) $(TARGET_KERNEL_VERSION) $($(1)_CHECK_WAIVE) $($(1)_TCZ_DEPS))
info $(strip $($(1)_DESCRIPTION) | $($(1)_HOMEPAGE) | $($(1)_LICENSE) | $($(1)_COMMENTS))
dependencies $($(1)_DEPENDENCIES)
endef

# A file rewritten only when its content changes, by make functions alone
# (no process: a no-op make stays fast). Both sides are compared stripped:
# GNU make 4.3's $(file <), read inside a function's argument, may keep
# the trailing newline it is meant to drop, and a spurious difference
# would rebuild a package for nothing.
pkg-differ = $(subst x$(1),,x$(2))$(subst x$(2),,x$(1))
pkg-write-if-changed = $(if $(call pkg-differ,$(strip $(2)),$(strip $(file <$(1)))),$(shell mkdir -p $(dir $(1)))$(file >$(1),$(strip $(2))))

# $(call generic-package-inner,pkg,PKG,recipe-file)
define generic-package-inner
$(call pkg-check-variables,$(1),$(2),$(3))
$(if $($(2)_VERSION),,$(error $(3):1: $(2)_VERSION is not set))
PKGS += $(1)
$(2)_NAME := $(1)
$(2)_RECIPE := $(3)
$(2)_SOURCE ?= $(1)-$$($(2)_VERSION).tar.gz
$(if $($(2)_SOURCE_FILE)$($(2)_SHA256)$($(2)_MD5),,$(error $(3):$(call pkg-line,$(3),^$(2)_(SOURCE|VERSION)): $(2)_SHA256 is not set: every source needs a checksum (or a local $(2)_SOURCE_FILE)))
$(if $($(2)_SHA256),$(if $($(2)_MD5),$(error $(3):$(call pkg-line,$(3),^$(2)_MD5): $(2)_MD5 and $(2)_SHA256 are both set: md5 is for sources that publish nothing stronger)))
$(2)_BUILDDIR := $(BUILD_ROOT)/$(1)-$$($(2)_VERSION)
$(2)_PKG_DIR := $(PER_PACKAGE_DIR)/$(1)
$(2)_SRCDIR := $$($(2)_BUILDDIR)/src
$(2)_DESTDIR := $$($(2)_BUILDDIR)/dest
$(2)_LOG := $(LOG_DIR)/$(1).log
$(2)_TARBALL := $$(or $$($(2)_SOURCE_FILE),$(TCZ_DL_DIR)/$$($(2)_SOURCE))
$(2)_PATCH_SUBDIRS ?= $(1)/$$($(2)_VERSION)
$(2)_PATCH_DIRS = $$(foreach d,$$($(2)_PATCH_SUBDIRS),$$(addsuffix /$$(firstword $$(subst /, ,$$(d))),$(TOPDIR)/patches $(TCZ_GLOBAL_PATCH_DIR)) \
	$$(addsuffix /$$(d),$(TOPDIR)/patches $(TCZ_GLOBAL_PATCH_DIR)))
$(2)_PATCHES = $$(sort $$(wildcard $$(addsuffix /*.patch,$$($(2)_PATCH_DIRS))))
$(2)_EXTRA_DIR := $$($(2)_BUILDDIR)/extra
$(2)_EXTRA_FILES = $$(foreach e,$$($(2)_EXTRA_SOURCES),$(TCZ_DL_DIR)/$(1)/$$(call pkg-extra-name,$$(e)))
$(2)_TCE_INSTALLED_FILE = $$(if $$($(2)_TCE_INSTALLED),$$(dir $(3))$$($(2)_TCE_INSTALLED))
$(2)_TITLE = $(1) $$($(2)_VERSION)
# The files whose content enters the key besides the key inputs' text.
$(2)_KEY_FILES = $$($(2)_PATCHES) $$($(2)_TCE_INSTALLED_FILE) $$($(2)_SOURCE_FILE)
$(2)_EPOCH = $$(or $$(file <$$($(2)_PKG_DIR)/epoch),$(PKG_DEFAULT_EPOCH))
$(2)_STAMPS := $$(addprefix $$($(2)_BUILDDIR)/.stamp_,extracted patched configured built installed split checked packed) \
	$$($(2)_PKG_DIR)/.stamp_done $$($(2)_PKG_DIR)/key-inputs $(PKG_SIG_DIR)/$(1) $(PKG_SIG_DIR)/$(1).source
$$($(2)_STAMPS): private PKG := $(1)
$$($(2)_STAMPS): private SOURCE_DATE_EPOCH = $$($(2)_EPOCH)

# 1 source: fetched and verified (nothing to do for a local override).
$(if $($(2)_SOURCE_FILE),,
$(TCZ_DL_DIR)/$$($(2)_SOURCE): | $(TCZ)
	@echo "[1/9] $$($(2)_TITLE): source"
	@mkdir -p $(TCZ_DL_DIR)
	$(Q)$$(if $$(filter none,$$($(2)_SHA256)),\
		echo "tcbuild: $(1): no checksum is published for $$($(2)_SOURCE) ($$($(2)_SITE)); tcbuild will not download it blind: get it yourself; verify it (its signature for one) and build with $(2)_SOURCE_FILE=/path/to/$$($(2)_SOURCE)" >&2; exit 1,\
		$(TCZ) fetch -o $$@ $$(call pkg-fetch-checksum,$(2)) $$(addsuffix /$$($(2)_SOURCE),$$($(2)_SITE)))
)
$(foreach e,$($(2)_EXTRA_SOURCES),$(call pkg-extra-source-rule,$(1),$(2),$(e))$(newline))

# 2 extract (again when a patch, an extra source or the way the tree is
# made changes: patches apply to a fresh tree).
$$($(2)_BUILDDIR)/.stamp_extracted: $$($(2)_TARBALL) $$($(2)_PATCHES) $$($(2)_EXTRA_FILES) $(3) \
		$(PKG_SIG_DIR)/$(1).source | $(TCZ)
	@echo "[2/9] $$($(2)_TITLE): extract"
	$(Q)rm -rf $$($(2)_BUILDDIR) && mkdir -p $$($(2)_BUILDDIR) $(LOG_DIR) && : > $$($(2)_LOG)
	$(Q)$(if $($(2)_SOURCE_FILE),echo "$(1): local source $$($(2)_TARBALL) sha256 $$$$(sha256sum < $$($(2)_TARBALL) | cut -d' ' -f1)" >> $$($(2)_LOG) &&) \
		$(TCZ) extract $$($(2)_TARBALL) -C $$($(2)_SRCDIR) --strip-components 1 >> $$($(2)_LOG) 2>&1 \
		|| { tail -n 30 $$($(2)_LOG) >&2; echo "tcbuild: $(1): extract failed; log: $$($(2)_LOG)" >&2; exit 1; }
	$(Q)$$(if $$($(2)_EXTRA_FILES),mkdir -p $$($(2)_EXTRA_DIR) && cp $$($(2)_EXTRA_FILES) $$($(2)_EXTRA_DIR)/)
	$(Q)touch $$@

# 3 patch
$$($(2)_BUILDDIR)/.stamp_patched: $$($(2)_BUILDDIR)/.stamp_extracted
	$(call pkg-step,$(2),3,patch,$$($(2)_SRCDIR),patch,$$($(2)_PRE_PATCH_CMDS)$$(foreach d,$$($(2)_PATCH_SUBDIRS),$$(newline)$(PKG_SCRIPTS)/apply-patches.sh $$($(2)_SRCDIR) $$(firstword $$(subst /, ,$$(d))) $$(patsubst $$(firstword $$(subst /, ,$$(d)))/%,%,$$(d)) $(TOPDIR)/patches $(TCZ_GLOBAL_PATCH_DIR))$$(newline)$$($(2)_POST_PATCH_CMDS))

# 4 configure, in the package's own sysroot (assembled first), and again
# when the expanded commands change (NGINX_MODULES=..., say). Its
# dependencies come first: their rule is declared once every recipe is read.
$$($(2)_BUILDDIR)/.stamp_configured: $$($(2)_BUILDDIR)/.stamp_patched $(SYSROOT_BASE)/.stamp $(PKG_SIG_DIR)/$(1)
	$(call pkg-step,$(2),4,configure,$$($(2)_SRCDIR),configure,$(PKG_SCRIPTS)/pkg-sysroot.sh $$(STAGING_DIR) $(SYSROOT_BASE) \
		$$(foreach d,$$($(2)_CLOSURE),$$($$(call pkg-upper,$$(d))_DESTDIR))$$(newline)$$($(2)_CONFIGURE_CMDS))

# 5 build
$$($(2)_BUILDDIR)/.stamp_built: $$($(2)_BUILDDIR)/.stamp_configured
	$(call pkg-step,$(2),5,build,$$($(2)_SRCDIR),build,$$($(2)_BUILD_CMDS))

# 6 install into the package's own DESTDIR (prefix /usr/local).
$$($(2)_BUILDDIR)/.stamp_installed: $$($(2)_BUILDDIR)/.stamp_built
	$(call pkg-step,$(2),6,install,$$($(2)_SRCDIR),install,rm -rf $$($(2)_DESTDIR) && mkdir -p $$($(2)_DESTDIR)$$(newline)$$($(2)_INSTALL_CMDS))

# 7-9 split, check, pack (scripts/tcz-package.sh, reading pkg.env); a
# recipe's <PKG>_TCZ_CMDS does all three its own way (kernel modules).
$$($(2)_BUILDDIR)/.stamp_split: $$($(2)_BUILDDIR)/.stamp_installed | $(TCZ)
	$$(call pkg-write-env,$(2))
	$(if $($(2)_TCZ_CMDS),$(call pkg-step,$(2),7,split$(comma) check and pack,$$($(2)_BUILDDIR),split,$$($(2)_TCZ_CMDS)),$(call pkg-step,$(2),7,split and strip,$$($(2)_BUILDDIR),split,$(PKG_SCRIPTS)/tcz-package.sh split $$($(2)_PKG_DIR)/pkg.env))
$$($(2)_BUILDDIR)/.stamp_checked: $$($(2)_BUILDDIR)/.stamp_split
	$(if $($(2)_TCZ_CMDS),touch $$@,$(call pkg-step,$(2),8,check,$$($(2)_BUILDDIR),check,$(PKG_SCRIPTS)/tcz-package.sh check $$($(2)_PKG_DIR)/pkg.env))
$$($(2)_BUILDDIR)/.stamp_packed: $$($(2)_BUILDDIR)/.stamp_checked
	$(if $($(2)_TCZ_CMDS),touch $$@,$(call pkg-step,$(2),9,pack,$$($(2)_BUILDDIR),pack,$(PKG_SCRIPTS)/tcz-package.sh pack $$($(2)_PKG_DIR)/pkg.env))

# The package as a whole: from the cache when its key is there, else built
# through the stages (in a make of their own) and stored.
# The time of the last commit that changed the recipe or its patches, kept
# in a file: read by make functions, never computed by a $(shell) inside a
# recipe (where an exported variable that runs one is expanded again).
$$($(2)_PKG_DIR)/epoch: pkg-force
	$$(call pkg-write-if-changed,$$@,$$(shell git -C $(TOPDIR) log -1 --format=%ct -- $(3) $$($(2)_PATCH_DIRS) 2>/dev/null))
$$($(2)_PKG_DIR)/key-inputs: $$($(2)_PKG_DIR)/epoch pkg-force
	$$(call pkg-write-if-changed,$$@,$$(call pkg-key-inputs,$(2)))
$$($(2)_PKG_DIR)/.stamp_done: $$($(2)_PKG_DIR)/key-inputs $$($(2)_KEY_FILES) $(3) \
		$(SYSROOT_BASE)/.stamp | $(TCZ)
	$$(call pkg-write-env,$(2))
	+$(Q)$(PKG_SCRIPTS)/pkg-cache.sh build $$($(2)_PKG_DIR)/pkg.env -- \
		$$(MAKE) --no-print-directory $(1)-stages
	$(Q)touch $$@

.PHONY: $(1) $(1)-source $(1)-extract $(1)-patch $(1)-configure $(1)-build $(1)-install \
	$(1)-tcz $(1)-stages $(1)-rebuild $(1)-reconfigure $(1)-reinstall $(1)-dirclean $(1)-clean \
	$(1)-show-info $(1)-hash
$(1): $(1)-tcz
$(1)-source: $$($(2)_TARBALL) $$($(2)_EXTRA_FILES)
$(1)-extract: $$($(2)_BUILDDIR)/.stamp_extracted
$(1)-patch: $$($(2)_BUILDDIR)/.stamp_patched
$(1)-configure: $$($(2)_BUILDDIR)/.stamp_configured
$(1)-build: $$($(2)_BUILDDIR)/.stamp_built
$(1)-install: $$($(2)_BUILDDIR)/.stamp_installed
$(1)-stages: $$($(2)_PKG_DIR)/key-inputs $$($(2)_BUILDDIR)/.stamp_packed
$(1)-tcz: $$($(2)_PKG_DIR)/.stamp_done
$(1)-rebuild:
	$(call pkg-stages-again,$(1),$(2),built installed split checked packed)
$(1)-reinstall:
	$(call pkg-stages-again,$(1),$(2),installed split checked packed)
$(1)-reconfigure:
	$(call pkg-stages-again,$(1),$(2),configured built installed split checked packed)
# Everything of the package in $(O): its build, its sysroot and key, its
# extensions and outputs, and the sysroots it entered (its dependents',
# assembled again when they configure). The cache keeps its copy.
$(1)-dirclean:
	$(Q)rm -rf $$(addprefix $(TCZ_OUT_DIR)/,$$(call pkg-tcz-files,$(2))) $$($(2)_BUILDDIR) $$($(2)_PKG_DIR) \
		$$($(2)_OUT_DIR) $$(foreach p,$$(PKGS),$$(if $$(filter $(1),$$($$(call pkg-upper,$$(p))_CLOSURE)),$(PER_PACKAGE_DIR)/$$(p)/sysroot))
$(1)-clean: $(1)-dirclean
$(1)-show-info:
	$$(pkg-meta-write)
	$$(call pkg-write-env,$(2))
	@python3 $(PKG_SCRIPTS)/show-info.py $$(PKG_META) $(1) "$$$$($(PKG_SCRIPTS)/pkg-cache.sh key $$($(2)_PKG_DIR)/pkg.env 2>/dev/null)" \
		$(LOG_DIR)/build-time.log $$($(2)_DEPENDENCIES)
$(1)-hash:
	$(Q)$(PKG_SCRIPTS)/pkg-hash.sh $(TCZ) $(3) $(2) $$($(2)_SOURCE) $(TCZ_DL_DIR) $$($(2)_SITE)
endef

# The extensions a package wrote (the pack stage's list), for dirclean.
pkg-tcz-files = $(file <$($(1)_BUILDDIR)/tcz/files)

# Build the stages now, whatever the cache holds, from the first of STAMPS
# on; store the result. $(call pkg-stages-again,pkg,PKG,STAMPS)
define pkg-stages-again
$$(call pkg-write-env,$(2))
	$(Q)rm -f $$(addprefix $$($(2)_BUILDDIR)/.stamp_,$(3))
	+$(Q)$$(MAKE) --no-print-directory $(1)-stages
	$(Q)$(PKG_SCRIPTS)/pkg-cache.sh put $$($(2)_PKG_DIR)/pkg.env
	$(Q)touch $$($(2)_PKG_DIR)/.stamp_done
endef

# Every recipe ends with one of these.
generic-package = $(call generic-package-inner,$(pkg-name-of-recipe),$(call pkg-upper,$(pkg-name-of-recipe)),$(lastword $(MAKEFILE_LIST)))

include $(TOPDIR)/recipes/pkg-autotools.mk
include $(TOPDIR)/recipes/pkg-make.mk
include $(TOPDIR)/recipes/pkg-kernel.mk

# The toolchain's sysroot, copied into $(O) once per toolchain, with its
# own ld.so.cache (configure test programs run under qemu-i386 -L).
$(SYSROOT_BASE)/.stamp: $(TOOLCHAIN_STAMP) $(O)/host/.deps-packages | $(TCZ)
	$(Q)rm -rf $(SYSROOT_BASE) $(SYSROOT_BASE).tmp && mkdir -p $(SYSROOT_BASE).tmp
	$(Q)cp -a $(TARGET_SYSROOT)/. $(SYSROOT_BASE).tmp/
	$(Q)$(TCZ) ldconfig -r $(SYSROOT_BASE).tmp
	$(Q)mv $(SYSROOT_BASE).tmp $(SYSROOT_BASE) && touch $@

# Two recipes of one name (in two TCZ_RECIPE_DIRS) would silently merge.
$(foreach f,$(PKG_RECIPE_FILES),$(foreach o,$(filter-out $(f),$(filter %/$(notdir $(f)),$(PKG_RECIPE_FILES))),\
	$(error $(o):1: package $(basename $(notdir $(f))) is already defined by $(f))))
include $(PKG_RECIPE_FILES)

# Each package's expanded commands, remembered in $(PKG_SIG_DIR)/<pkg>, and
# what makes its tree (source file, extra sources, patch directories,
# pre-patch commands) in <pkg>.source: a rule, not the parse, so a `make
# list` or `make test` with other settings changes nothing. A changed
# option reconfigures and rebuilds that package; a changed source set
# extracts it again.
define pkg-signature
$(PKG_SIG_DIR)/$(2): pkg-force
	$$(call pkg-write-if-changed,$$@,$$(strip $$($(1)_VERSION) $$($(1)_POST_PATCH_CMDS) $$($(1)_CONFIGURE_CMDS) $$($(1)_BUILD_CMDS) $$($(1)_INSTALL_CMDS)))
$(PKG_SIG_DIR)/$(2).source: pkg-force
	$$(call pkg-write-if-changed,$$@,$$(strip $$($(1)_TARBALL) $$($(1)_EXTRA_SOURCES) $$($(1)_PATCH_SUBDIRS) $$($(1)_PRE_PATCH_CMDS)))
endef
.PHONY: pkg-force
pkg-force:
$(foreach p,$(PKGS),$(eval $(call pkg-signature,$(call pkg-upper,$(p)),$(p))))

# Dependencies must name recipes; a package's closure is every package it
# depends on, directly or not; a package in its own closure is a cycle.
$(foreach p,$(PKGS),$(foreach d,$($(call pkg-upper,$(p))_DEPENDENCIES),$(if $(filter $(d),$(PKGS)),,\
	$(error $($(call pkg-upper,$(p))_RECIPE):$(call pkg-line,$($(call pkg-upper,$(p))_RECIPE),_DEPENDENCIES): $(p) depends on '$(d)', which has no recipe))))
# $(call pkg-closure-walk,DONE,TODO): each step moves one package from TODO
# to DONE and adds its dependencies not yet seen, so it ends on any graph.
pkg-closure-walk = $(if $(2),$(call pkg-closure-walk,$(1) $(firstword $(2)),$(filter-out $(1) $(firstword $(2)),\
	$(wordlist 2,$(words $(2)),$(2)) $($(call pkg-upper,$(firstword $(2)))_DEPENDENCIES))),$(strip $(1)))
$(foreach p,$(PKGS),$(eval $(call pkg-upper,$(p))_CLOSURE := $(call pkg-closure-walk,,$($(call pkg-upper,$(p))_DEPENDENCIES))))
$(foreach p,$(PKGS),$(if $(filter $(p),$($(call pkg-upper,$(p))_CLOSURE)),\
	$(error $($(call pkg-upper,$(p))_RECIPE):$(call pkg-line,$($(call pkg-upper,$(p))_RECIPE),_DEPENDENCIES): $(p) depends on itself through $($(call pkg-upper,$(p))_CLOSURE))))

# A package configures, and computes its .dep (from its dependencies'
# extensions), once its dependencies are done; and it is done after them.
define pkg-dependency-rules
$($(1)_BUILDDIR)/.stamp_configured $($(1)_BUILDDIR)/.stamp_checked $($(1)_PKG_DIR)/.stamp_done \
$($(1)_NAME)-rebuild $($(1)_NAME)-reinstall $($(1)_NAME)-reconfigure: \
	$(foreach d,$($(1)_DEPENDENCIES),$($(call pkg-upper,$(d))_PKG_DIR)/.stamp_done)
endef
$(foreach p,$(PKGS),$(eval $(call pkg-dependency-rules,$(call pkg-upper,$(p)))))

include $(TOPDIR)/recipes/pkg-global.mk
