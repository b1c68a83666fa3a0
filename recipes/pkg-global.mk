# Targets over all recipes: list, graph, source, legal-info, help text.

.PHONY: list graph source legal-info packages-help
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

packages-help:
	@echo 'Packages ($(words $(PKGS)) recipes; make list shows versions):'
	@echo '  make PKG              build PKG and its dependencies into $(TCZ_OUT_DIR)/PKG.tcz'
	@echo '  make PKG-source | -extract | -patch | -configure | -build | -install | -tcz'
	@echo '  make PKG-rebuild      build and pack again from the configured tree'
	@echo '  make PKG-clean        remove its build directory and extensions'
	@echo '  make list | graph | source | legal-info'
	@echo 'Package variables: TCZ_DL_DIR (downloads, $(TCZ_DL_DIR)), TCZ_PRIMARY_SITE,'
	@echo '  TCZ_BACKUP_SITE, TCZ_GLOBAL_PATCH_DIR, TCZ_RECIPE_DIRS, <PKG>_SOURCE_FILE (local'
	@echo '  tarball instead of a download), NGINX_MODULES, NGINX_ADD_MODULES, V=1.'
