# Targets over all recipes: list, graph, source, legal-info, help text.

.PHONY: list graph source legal-info packages-help check-recipes cve-check
list:
	@$(foreach p,$(sort $(PKGS)),printf '%-16s %-10s %s\n' '$(p)' '$($(call pkg-upper,$(p))_VERSION)' \
		'$(subst ','"'"',$($(call pkg-upper,$(p))_DESCRIPTION))';)

# The build-dependency graph, as DOT and (with graphviz) SVG.
GRAPH_DIR := $(O)/graph
graph:
	@mkdir -p $(GRAPH_DIR)
	@{ echo 'digraph tcbuild {'; echo '  rankdir=LR; node [shape=box];'; \
	  $(foreach p,$(sort $(PKGS)),echo '  "$(p)" [label="$(p)\n$($(call pkg-upper,$(p))_VERSION)"];'; \
	    $(foreach d,$($(call pkg-upper,$(p))_DEPENDENCIES),echo '  "$(p)" -> "$(d)";';)) \
	  echo '}'; } > $(GRAPH_DIR)/packages.dot.tmp && mv $(GRAPH_DIR)/packages.dot.tmp $(GRAPH_DIR)/packages.dot
	@dot -Tsvg $(GRAPH_DIR)/packages.dot -o $(GRAPH_DIR)/packages.svg.tmp && \
		mv $(GRAPH_DIR)/packages.svg.tmp $(GRAPH_DIR)/packages.svg
	@echo "$(GRAPH_DIR)/packages.dot, $(GRAPH_DIR)/packages.svg"

# Everything downloaded, for an offline build later.
source: $(foreach p,$(PKGS),$(p)-source)

# Licenses and sources of every package: what a redistributor must ship.
LEGAL_DIR := $(O)/legal-info
legal-info: source
	@rm -rf $(LEGAL_DIR).tmp && mkdir -p $(LEGAL_DIR).tmp/sources
	@printf 'package,version,license,source,sha256\n' > $(LEGAL_DIR).tmp/manifest.csv
	@$(foreach p,$(sort $(PKGS)),\
		cp $($(call pkg-upper,$(p))_TARBALL) $(LEGAL_DIR).tmp/sources/ && \
		printf '%s,%s,"%s",%s,%s\n' '$(p)' '$($(call pkg-upper,$(p))_VERSION)' \
			'$($(call pkg-upper,$(p))_LICENSE)' '$(notdir $($(call pkg-upper,$(p))_TARBALL))' \
			"$$(sha256sum < $($(call pkg-upper,$(p))_TARBALL) | cut -d' ' -f1)" >> $(LEGAL_DIR).tmp/manifest.csv &&) true
	@rm -rf $(LEGAL_DIR) && mv $(LEGAL_DIR).tmp $(LEGAL_DIR)
	@echo "$(LEGAL_DIR)/manifest.csv and $(LEGAL_DIR)/sources/"

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
	@mkdir -p $(CVE_DIR)
	@{ $(foreach p,$(sort $(PKGS)),printf '%s\t%s\t%s\t%s\t%s\n' '$(p)' '$($(call pkg-upper,$(p))_VERSION)' \
		'$(or $($(call pkg-upper,$(p))_CPE_ID_VENDOR),$(p))' '$(or $($(call pkg-upper,$(p))_CPE_ID_PRODUCT),$(p))' \
		'$(strip $($(call pkg-upper,$(p))_IGNORE_CVES))';) } > $(CVE_DIR)/packages.tsv
	@python3 $(TOPDIR)/recipes/scripts/cve-check.py $(CVE_DIR)/packages.tsv '$(CVE_FEED)' $(CVE_DIR)/report.json

packages-help:
	@echo 'Packages ($(words $(PKGS)) recipes; make list shows versions):'
	@echo '  make PKG              build PKG and its dependencies into $(TCZ_OUT_DIR)/PKG.tcz'
	@echo '  make PKG-source | -extract | -patch | -configure | -build | -install | -tcz'
	@echo '  make PKG-rebuild      build and pack again from the configured tree'
	@echo '  make PKG-clean        remove its build directory and extensions'
	@echo '  make list | graph | source | legal-info | check-recipes | cve-check CVE_FEED=F'
	@echo 'Package variables: TCZ_DL_DIR (downloads, $(TCZ_DL_DIR)), TCZ_PRIMARY_SITE,'
	@echo '  TCZ_BACKUP_SITE, TCZ_GLOBAL_PATCH_DIR, TCZ_RECIPE_DIRS, <PKG>_SOURCE_FILE (local'
	@echo '  tarball instead of a download), NGINX_MODULES, NGINX_ADD_MODULES, V=1.'
