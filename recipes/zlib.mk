# zlib: compression library (nginx's gzip module).
ZLIB_VERSION = 1.2.13
ZLIB_SOURCE = zlib-$(ZLIB_VERSION).tar.xz
ZLIB_SITE = https://zlib.net/fossils https://github.com/madler/zlib/releases/download/v$(ZLIB_VERSION)
# As published on zlib.net for zlib-1.2.13.tar.xz.
ZLIB_SHA256 = d14c38e313afc35a9a8760dadf26042f51ea0f5d154b0630a31da0540107fb98
ZLIB_LICENSE = Zlib
ZLIB_HOMEPAGE = https://zlib.net
ZLIB_CPE_ID_VENDOR = zlib
ZLIB_CPE_ID_PRODUCT = zlib
ZLIB_DESCRIPTION = zlib compression library
# zlib's configure is its own script, not autoconf: CHOST names the target.
ZLIB_CONFIGURE_CMDS = $(TARGET_CONFIGURE_ENV) CHOST=$(TARGET_TRIPLET) ./configure --prefix=/usr/local --shared
ZLIB_BUILD_CMDS = $(MAKE)
ZLIB_INSTALL_CMDS = $(MAKE) DESTDIR=$(ZLIB_DESTDIR) install
$(eval $(generic-package))
