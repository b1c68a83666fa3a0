# make-package: no configure step; make with the cross environment on its
# command line, then make DESTDIR=... PREFIX=/usr/local install.

define make-package-defaults
$(2)_CONFIGURE_CMDS ?= true
$(2)_BUILD_CMDS ?= $$(MAKE) $$(TARGET_CONFIGURE_ENV) PREFIX=/usr/local $$($(2)_MAKE_OPTS)
$(2)_INSTALL_CMDS ?= $$(MAKE) DESTDIR=$$($(2)_DESTDIR) PREFIX=/usr/local $$($(2)_INSTALL_OPTS) install
endef

make-package = $(call make-package-defaults,$(pkg-name-of-recipe),$(call pkg-upper,$(pkg-name-of-recipe)))$(newline)$(generic-package)
