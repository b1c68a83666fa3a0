# autotools-package: ./configure --host with the cross environment, make,
# make DESTDIR=... install. A recipe overrides any of the three commands.

define autotools-package-defaults
$(2)_CONFIGURE_CMDS ?= $$(TARGET_CONFIGURE_ENV) $$($(2)_CONF_ENV) ./configure \
	--host=$$(TARGET_TRIPLET) --build=$$$$(gcc -dumpmachine) --prefix=/usr/local \
	--disable-static --enable-shared --disable-nls $$($(2)_CONF_OPTS)
$(2)_BUILD_CMDS ?= $$(MAKE) $$($(2)_MAKE_OPTS)
$(2)_INSTALL_CMDS ?= $$(MAKE) DESTDIR=$$($(2)_DESTDIR) $$($(2)_INSTALL_OPTS) install
endef

autotools-package = $(call autotools-package-defaults,$(pkg-name-of-recipe),$(call pkg-upper,$(pkg-name-of-recipe)))$(newline)$(generic-package)
