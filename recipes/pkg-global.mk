# Targets over all recipes: list, graph, source, legal-info, help text.

.PHONY: list graph graph-build source legal-info packages-help check-recipes cve-check
list:
	@$(foreach p,$(sort $(PKGS)),printf '%-16s %-10s %s\n' '$(p)' '$($(call pkg-upper,$(p))_VERSION)' \
		'$(subst ','"'"',$($(call pkg-upper,$(p))_DESCRIPTION))';)

# The build-dependency graph, as DOT and (with graphviz) SVG.
GRAPH_DIR := $(O)/graph
graph: $(O)/host/.deps-graph
	@mkdir -p $(GRAPH_DIR)
	@{ echo 'digraph tcbuild {'; echo '  rankdir=LR; node [shape=box];'; \
	  $(foreach p,$(sort $(PKGS)),echo '  "$(p)" [label="$(p)\n$($(call pkg-upper,$(p))_VERSION)"];'; \
	    $(foreach d,$($(call pkg-upper,$(p))_DEPENDENCIES),echo '  "$(p)" -> "$(d)";';)) \
	  echo '}'; } > $(GRAPH_DIR)/packages.dot.tmp && mv $(GRAPH_DIR)/packages.dot.tmp $(GRAPH_DIR)/packages.dot
	@dot -Tsvg $(GRAPH_DIR)/packages.dot -o $(GRAPH_DIR)/packages.svg.tmp && \
		mv $(GRAPH_DIR)/packages.svg.tmp $(GRAPH_DIR)/packages.svg
	@echo "$(GRAPH_DIR)/packages.dot, $(GRAPH_DIR)/packages.svg"

# How long each package and stage took (recipes/scripts/graph-build.py):
# SVG and CSV, PNG when rsvg-convert is there.
graph-build:
	@python3 $(TOPDIR)/recipes/scripts/graph-build.py $(LOG_DIR)/build-time.log $(GRAPH_DIR)

# Everything downloaded, for an offline build later.
source: $(foreach p,$(PKGS),$(p)-source)

# What the global targets' scripts know of each package: one line each,
# tab-separated: name, version, license, license files, sources (local
# paths: the tarball and the extra sources), homepage, CPE vendor, CPE product, CVEs to ignore, source
# directory, patches (paths, in the order they apply).
PKG_META := $(O)/packages.tsv
pkg-tab := $(shell printf '\t')
pkg-meta-line = $(subst $(space),$(pkg-tab),$(strip $(1) $(call pkg-meta-field,$($(2)_VERSION)) \
	$(call pkg-meta-field,$($(2)_LICENSE)) $(call pkg-meta-field,$($(2)_LICENSE_FILES)) \
	$(call pkg-meta-field,$($(2)_TARBALL) $($(2)_EXTRA_FILES)) $(call pkg-meta-field,$($(2)_HOMEPAGE)) \
	$(call pkg-meta-field,$(or $($(2)_CPE_ID_VENDOR),$(1))) $(call pkg-meta-field,$(or $($(2)_CPE_ID_PRODUCT),$(1))) \
	$(call pkg-meta-field,$($(2)_IGNORE_CVES)) $(call pkg-meta-field,$($(2)_SRCDIR)) $(call pkg-meta-field,$($(2)_PATCHES))))
# A field's words are joined by an ASCII unit separator (the scripts split
# on it), so that spaces inside a field survive the join on tabs above.
pkg-meta-field = $(or $(subst $(space),$(pkg-us),$(strip $(1))),-)
pkg-us := $(shell printf '\037')
define pkg-meta-write
$(shell mkdir -p $(O))$(file >$(PKG_META).tmp,$(subst $(newline)$(space),$(newline),$(foreach p,$(sort $(PKGS)),$(call pkg-meta-line,$(p),$(call pkg-upper,$(p)))$(newline))))
@mv $(PKG_META).tmp $(PKG_META)
endef

# Licenses and sources of every package, what a redistributor must ship:
# LEGAL_DIR/sources/PKG-VERSION/ (the sources, the patches applied and their
# series), licenses/PKG-VERSION/ (the files <PKG>_LICENSE_FILES names, from
# the extracted source), manifest.csv, and sbom.cdx.json, a CycloneDX SBOM
# of the extensions built in $(TCZ_OUT_DIR) with every file's sha256.
LEGAL_DIR := $(O)/legal-info
legal-info: source $(foreach p,$(PKGS),$(if $($(call pkg-upper,$(p))_LICENSE_FILES),$(p)-extract)) | $(TCZ)
	$(pkg-meta-write)
	@python3 $(TOPDIR)/recipes/scripts/legal-info.py $(PKG_META) $(LEGAL_DIR) $(TCZ) $(TCZ_OUT_DIR)

# The recipes' style and consistency rules (recipes/scripts/check-recipes.py);
# make's own checks (unknown variables, dependencies) ran while parsing.
check-recipes:
	@python3 $(TOPDIR)/recipes/scripts/check-recipes.py $(TCZ_RECIPE_DIRS)

# Package versions against a CVE feed in NVD's CVE API 2.0 JSON format
# (CVE_FEED=FILE or URL, .json or .json.gz). A recipe names its CPE with
# <PKG>_CPE_ID_VENDOR and <PKG>_CPE_ID_PRODUCT (default: the package name)
# and sets aside CVEs that do not apply with <PKG>_IGNORE_CVES (say why in a
# comment). CVE_FAIL=1 makes an unignored CVE an error (exit status 3).
CVE_FEED ?=
CVE_DIR := $(O)/cve
cve-check:
	@$(if $(CVE_FEED),,echo "tcbuild: cve-check needs CVE_FEED=FILE|URL (an NVD CVE API 2.0 JSON feed)" >&2; exit 2)
	$(pkg-meta-write)
	@mkdir -p $(CVE_DIR)
	@python3 $(TOPDIR)/recipes/scripts/cve-check.py $(PKG_META) '$(CVE_FEED)' $(CVE_DIR)/report.json

packages-help:
	@echo 'Packages ($(words $(PKGS)) recipes; make list shows versions):'
	@echo '  make PKG              build PKG and its dependencies into $(TCZ_OUT_DIR)/PKG.tcz,'
	@echo '                        or restore them from the package cache when their inputs are unchanged'
	@echo '  make PKG-source | -extract | -patch | -configure | -build | -install | -tcz'
	@echo '  make PKG-rebuild | -reconfigure | -reinstall   that stage and the next again (no cache)'
	@echo '  make PKG-dirclean     remove its build, sysroot, extensions and outputs (-clean: the same)'
	@echo '  make PKG-show-info    JSON: version, sources, dependencies, cache key, build time'
	@echo '  make PKG-hash         download PKG_SOURCE and write its sha256 into the recipe (a bump)'
	@echo '  make list | graph | graph-build | source | legal-info | check-recipes | cve-check CVE_FEED=F'
	@echo 'Package variables: TCZ_DL_DIR (downloads, $(TCZ_DL_DIR)), TCZ_PRIMARY_SITE,'
	@echo '  TCZ_BACKUP_SITE, TCZ_GLOBAL_PATCH_DIR, TCZ_RECIPE_DIRS, <PKG>_SOURCE_FILE (local'
	@echo '  tarball instead of a download), TCZ_PACKAGE_CACHE (built packages, default'
	@echo '  $(TCZ_PACKAGE_CACHE); empty: off), TCZ_PACKAGE_CACHE_URL (a shared read-only one),'
	@echo '  TCZ_CCACHE (empty: no ccache), NGINX_MODULES, NGINX_ADD_MODULES, V=1.'
