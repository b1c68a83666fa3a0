# Package infrastructure: turns a declarative recipe (recipes/<pkg>.mk)
# into stages with stamps, per-package targets and the global targets.
# In the spirit of Buildroot's package/pkg-generic.mk.
#
# A recipe sets <PKG>_ variables and ends with $(eval $(generic-package)),
# $(eval $(autotools-package)) or $(eval $(make-package)). <PKG> is the file
# name upper-cased, '-' as '_'. Stages (each leaves a stamp in
# $(O)/build/<pkg>-<version>/, so a re-run does nothing):
#   1 source  2 extract  3 patch  4 configure  5 build  6 install
#   7 split+strip  8 check  9 pack
# Build dependencies are installed into $(STAGING_DIR) (a copy of the
# toolchain's sysroot) before a package configures.

TCZ_RECIPE_DIRS ?= $(TOPDIR)/recipes
BUILD_ROOT := $(O)/build
STAGING_DIR := $(O)/staging
TCZ_OUT_DIR := $(O)/tcz
LOG_DIR := $(O)/logs
PKG_SIG_DIR := $(BUILD_ROOT)/.signatures
PKG_SCRIPTS := $(TOPDIR)/recipes/scripts
# Sonames TCL3's base system provides: no .dep entry needed for them.
TCL3_BASE_SONAMES ?= $(TOPDIR)/recipes/tcl3-base-sonames.txt

# Reproducible images: every mtime clamped to the last commit's time.
SOURCE_DATE_EPOCH ?= $(or $(shell git -C $(TOPDIR) log -1 --format=%ct 2>/dev/null),1300000000)
export SOURCE_DATE_EPOCH

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
PKG_KNOWN_VARIABLES := VERSION SOURCE SITE SHA256 MD5 SOURCE_FILE LICENSE LICENSE_FILES \
	DEPENDENCIES TCZ_DEPS DESCRIPTION HOMEPAGE COMMENTS CONF_ENV CONF_OPTS MAKE_OPTS \
	INSTALL_OPTS CONFIGURE_CMDS BUILD_CMDS INSTALL_CMDS PRE_PATCH_CMDS POST_PATCH_CMDS CHECK_WAIVE \
	TCE_INSTALLED VARIABLES TCZ_CMDS EXTRA_SOURCES PATCH_SUBDIRS CPE_ID_VENDOR CPE_ID_PRODUCT IGNORE_CVES

# sha256 of sources that publish only md5, recorded on first fetch (as
# toolchain/tcl3.lock is for TCL3's files): commit it.
TCZ_SOURCE_LOCK ?= $(TOPDIR)/recipes/sources.lock

# The cross environment every package builds with. The compiler is pointed
# at the staging tree, which holds the sysroot plus the build dependencies.
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
# Dependencies' stamp paths are known only once every recipe is read.
.SECONDEXPANSION:

# $(call pkg-line,FILE,REGEX): the line number of the first match, for errors.
pkg-line = $(or $(firstword $(subst :, ,$(shell grep -n -E '$(2)' $(1) 2>/dev/null | head -n 1))),1)

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
$(2)_SRCDIR := $$($(2)_BUILDDIR)/src
$(2)_DESTDIR := $$($(2)_BUILDDIR)/dest
$(2)_LOG := $(LOG_DIR)/$(1).log
$(2)_TARBALL := $$(or $$($(2)_SOURCE_FILE),$(TCZ_DL_DIR)/$$($(2)_SOURCE))
$(2)_PATCH_SUBDIRS ?= $(1)/$$($(2)_VERSION)
$(2)_PATCHES = $$(sort $$(foreach d,$$($(2)_PATCH_SUBDIRS),$$(wildcard \
	$$(addsuffix /$$(firstword $$(subst /, ,$$(d)))/*.patch,$(TOPDIR)/patches $(TCZ_GLOBAL_PATCH_DIR)) \
	$$(addsuffix /$$(d)/*.patch,$(TOPDIR)/patches $(TCZ_GLOBAL_PATCH_DIR)))))
$(2)_EXTRA_DIR := $$($(2)_BUILDDIR)/extra
$(2)_EXTRA_FILES = $$(foreach e,$$($(2)_EXTRA_SOURCES),$(TCZ_DL_DIR)/$(1)/$$(call pkg-extra-name,$$(e)))
$(2)_TITLE = $(1) $$($(2)_VERSION)

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
	$$(file >$$($(2)_BUILDDIR)/patch.sh,$$($(2)_PRE_PATCH_CMDS)$$(foreach d,$$($(2)_PATCH_SUBDIRS),$$(newline)$(PKG_SCRIPTS)/apply-patches.sh $$($(2)_SRCDIR) $$(firstword $$(subst /, ,$$(d))) $$(patsubst $$(firstword $$(subst /, ,$$(d)))/%,%,$$(d)) $(TOPDIR)/patches $(TCZ_GLOBAL_PATCH_DIR))$$(newline)$$($(2)_POST_PATCH_CMDS))
	$(Q)$(PKG_SCRIPTS)/step.sh $$($(2)_LOG) "[3/9] $$($(2)_TITLE): patch" $$($(2)_SRCDIR) $$($(2)_BUILDDIR)/patch.sh
	$(Q)touch $$@

# 4 configure, after the toolchain and every build dependency is staged,
# and again when the expanded commands change (NGINX_MODULES=..., say).
$$($(2)_BUILDDIR)/.stamp_configured: $$($(2)_BUILDDIR)/.stamp_patched $(STAGING_DIR)/.stamp_init $(PKG_SIG_DIR)/$(1) \
		$$$$(foreach d,$$$$($(2)_DEPENDENCIES),$$$$($$$$(call pkg-upper,$$$$(d))_BUILDDIR)/.stamp_staged)
	$$(file >$$($(2)_BUILDDIR)/configure.sh,$$($(2)_CONFIGURE_CMDS))
	+$(Q)$(PKG_SCRIPTS)/step.sh $$($(2)_LOG) "[4/9] $$($(2)_TITLE): configure" $$($(2)_SRCDIR) $$($(2)_BUILDDIR)/configure.sh
	$(Q)touch $$@

# 5 build
$$($(2)_BUILDDIR)/.stamp_built: $$($(2)_BUILDDIR)/.stamp_configured
	$$(file >$$($(2)_BUILDDIR)/build.sh,$$($(2)_BUILD_CMDS))
	+$(Q)$(PKG_SCRIPTS)/step.sh $$($(2)_LOG) "[5/9] $$($(2)_TITLE): build" $$($(2)_SRCDIR) $$($(2)_BUILDDIR)/build.sh
	$(Q)touch $$@

# 6 install into the package's own DESTDIR (prefix /usr/local), then staging.
$$($(2)_BUILDDIR)/.stamp_installed: $$($(2)_BUILDDIR)/.stamp_built
	$$(file >$$($(2)_BUILDDIR)/install.sh,rm -rf $$($(2)_DESTDIR) && mkdir -p $$($(2)_DESTDIR)$$(newline)$$($(2)_INSTALL_CMDS))
	+$(Q)$(PKG_SCRIPTS)/step.sh $$($(2)_LOG) "[6/9] $$($(2)_TITLE): install" $$($(2)_SRCDIR) $$($(2)_BUILDDIR)/install.sh
	$(Q)touch $$@

$$($(2)_BUILDDIR)/.stamp_staged: $$($(2)_BUILDDIR)/.stamp_installed $(STAGING_DIR)/.stamp_init
	$(Q)cp -a $$($(2)_DESTDIR)/. $(STAGING_DIR)/
	$(Q)touch $$@

# 7-9 split, strip, check, pack: one script, one stamp.
$$($(2)_BUILDDIR)/.stamp_packed: $$($(2)_BUILDDIR)/.stamp_installed \
		$$$$(foreach d,$$$$($(2)_DEPENDENCIES),$$$$($$$$(call pkg-upper,$$$$(d))_BUILDDIR)/.stamp_packed) | $(TCZ)
	$$(if $$($(2)_TCZ_CMDS),$$(file >$$($(2)_BUILDDIR)/tcz.sh,$$($(2)_TCZ_CMDS)))
	$(Q)$$(if $$($(2)_TCZ_CMDS),$(PKG_SCRIPTS)/step.sh $$($(2)_LOG) "[7/9] $$($(2)_TITLE): pack" $$($(2)_BUILDDIR) $$($(2)_BUILDDIR)/tcz.sh,\
	PKG=$(1) VERSION='$$($(2)_VERSION)' DESTDIR=$$($(2)_DESTDIR) WORK=$$($(2)_BUILDDIR)/tcz \
		OUT=$(TCZ_OUT_DIR) TCZ=$(TCZ) STRIP=$(TARGET_STRIP) GLIBC=$(TARGET_GLIBC_VERSION) \
		KERNEL=$(TARGET_KERNEL_VERSION) BUILD_TREE=$(BUILD_ROOT) LOG=$$($(2)_LOG) \
		WAIVE='$$($(2)_CHECK_WAIVE)' TCZ_DEPS='$$($(2)_TCZ_DEPS)' \
		DESCRIPTION='$$(or $$($(2)_DESCRIPTION),$(1))' HOMEPAGE='$$($(2)_HOMEPAGE)' \
		LICENSE='$$($(2)_LICENSE)' COMMENTS='$$($(2)_COMMENTS)' \
		TCE_INSTALLED='$$(if $$($(2)_TCE_INSTALLED),$$(dir $(3))$$($(2)_TCE_INSTALLED))' \
		BASE_SONAMES=$(TCL3_BASE_SONAMES) $(PKG_SCRIPTS)/tcz-package.sh)
	$(Q)touch $$@

.PHONY: $(1) $(1)-source $(1)-extract $(1)-patch $(1)-configure $(1)-build $(1)-install \
	$(1)-tcz $(1)-rebuild $(1)-clean
$(1): $(1)-tcz
$(1)-source: $$($(2)_TARBALL) $$($(2)_EXTRA_FILES)
$(1)-extract: $$($(2)_BUILDDIR)/.stamp_extracted
$(1)-patch: $$($(2)_BUILDDIR)/.stamp_patched
$(1)-configure: $$($(2)_BUILDDIR)/.stamp_configured
$(1)-build: $$($(2)_BUILDDIR)/.stamp_built
$(1)-install: $$($(2)_BUILDDIR)/.stamp_staged
$(1)-tcz: $$($(2)_BUILDDIR)/.stamp_packed
$(1)-rebuild:
	$(Q)rm -f $$($(2)_BUILDDIR)/.stamp_built $$($(2)_BUILDDIR)/.stamp_installed \
		$$($(2)_BUILDDIR)/.stamp_staged $$($(2)_BUILDDIR)/.stamp_packed
	$(Q)$$(MAKE) --no-print-directory $(1)
$(1)-clean:
	$(Q)rm -rf $$($(2)_BUILDDIR) $(TCZ_OUT_DIR)/$(1).tcz* $(TCZ_OUT_DIR)/$(1)-dev.tcz* \
		$(TCZ_OUT_DIR)/$(1)-doc.tcz* $(TCZ_OUT_DIR)/$(1)-locale.tcz*
endef

pkg-uc = $(subst a,A,$(subst b,B,$(subst c,C,$(subst d,D,$(subst e,E,$(subst f,F,$(subst g,G,$(subst h,H,\
	$(subst i,I,$(subst j,J,$(subst k,K,$(subst l,L,$(subst m,M,$(subst n,N,$(subst o,O,$(subst p,P,\
	$(subst q,Q,$(subst r,R,$(subst s,S,$(subst t,T,$(subst u,U,$(subst v,V,$(subst w,W,$(subst x,X,\
	$(subst y,Y,$(subst z,Z,$(1)))))))))))))))))))))))))))
pkg-upper = $(strip $(subst -,_,$(call pkg-uc,$(1))))
pkg-name-of-recipe = $(basename $(notdir $(lastword $(MAKEFILE_LIST))))

define newline


endef

# Every recipe ends with one of these.
generic-package = $(call generic-package-inner,$(pkg-name-of-recipe),$(call pkg-upper,$(pkg-name-of-recipe)),$(lastword $(MAKEFILE_LIST)))

include $(TOPDIR)/recipes/pkg-autotools.mk
include $(TOPDIR)/recipes/pkg-make.mk
include $(TOPDIR)/recipes/pkg-kernel.mk

# The staging tree: the sysroot, then each package's install.
$(STAGING_DIR)/.stamp_init: $(TOOLCHAIN_STAMP) $(O)/host/.deps-packages
	$(Q)rm -rf $(STAGING_DIR) && mkdir -p $(STAGING_DIR)
	$(Q)cp -a $(TARGET_SYSROOT)/. $(STAGING_DIR)/
	$(Q)touch $@

PKG_RECIPES := $(filter-out pkg-%.mk,$(notdir $(wildcard $(addsuffix /*.mk,$(TCZ_RECIPE_DIRS)))))
PKG_RECIPE_FILES := $(foreach d,$(TCZ_RECIPE_DIRS),$(filter-out $(d)/pkg-%.mk,$(wildcard $(d)/*.mk)))
# Two recipes of one name (in two TCZ_RECIPE_DIRS) would silently merge.
$(foreach f,$(PKG_RECIPE_FILES),$(foreach o,$(filter-out $(f),$(filter %/$(notdir $(f)),$(PKG_RECIPE_FILES))),\
	$(error $(o):1: package $(basename $(notdir $(f))) is already defined by $(f))))
include $(PKG_RECIPE_FILES)

# Each package's expanded commands, remembered in $(PKG_SIG_DIR)/<pkg>, and
# what makes its tree (source file, extra sources, patch directories,
# pre-patch commands) in <pkg>.source. A file is rewritten only when its
# content changes, and only when its package is being built: a rule, not
# the parse, so a `make list` or `make test` with other settings changes
# nothing; make functions alone, so a no-op make starts no process. A
# changed option reconfigures and rebuilds that package; a changed source
# set extracts it again.
pkg-differ = $(subst x$(1),,x$(2))$(subst x$(2),,x$(1))
pkg-sig-write = $(if $(call pkg-differ,$(2),$(strip $(file <$(1)))),$(shell mkdir -p $(dir $(1)))$(file >$(1),$(2)))
define pkg-signature
$(PKG_SIG_DIR)/$(2): pkg-force
	$$(call pkg-sig-write,$$@,$$(strip $$($(1)_VERSION) $$($(1)_POST_PATCH_CMDS) $$($(1)_CONFIGURE_CMDS) $$($(1)_BUILD_CMDS) $$($(1)_INSTALL_CMDS)))
$(PKG_SIG_DIR)/$(2).source: pkg-force
	$$(call pkg-sig-write,$$@,$$(strip $$($(1)_TARBALL) $$($(1)_EXTRA_SOURCES) $$($(1)_PATCH_SUBDIRS) $$($(1)_PRE_PATCH_CMDS)))
endef
pkg-force:
$(foreach p,$(PKGS),$(eval $(call pkg-signature,$(call pkg-upper,$(p)),$(p))))

# Dependencies must name recipes: checked once every recipe is read.
$(foreach p,$(PKGS),$(foreach d,$($(call pkg-upper,$(p))_DEPENDENCIES),$(if $(filter $(d),$(PKGS)),,\
	$(error $($(call pkg-upper,$(p))_RECIPE):$(call pkg-line,$($(call pkg-upper,$(p))_RECIPE),_DEPENDENCIES): $(p) depends on '$(d)', which has no recipe))))

include $(TOPDIR)/recipes/pkg-global.mk
