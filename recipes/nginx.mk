# nginx: HTTP server and reverse proxy, with the modules you choose.
NGINX_VERSION = 1.22.1
NGINX_SITE = https://nginx.org/download
# nginx.org's nginx-1.22.1.tar.gz (also Debian's nginx_1.22.1.orig.tar.gz).
NGINX_SHA256 = 9ebb333a9e82b952acd3e2b4aeb1d4ff6406f72491bab6cd9fe69f0dea737f31
NGINX_LICENSE = BSD-2-Clause
NGINX_HOMEPAGE = https://nginx.org
# NVD files nginx under its owner, F5 (cpe:2.3:a:f5:nginx).
NGINX_CPE_ID_VENDOR = f5
NGINX_CPE_ID_PRODUCT = nginx
NGINX_DESCRIPTION = nginx HTTP server, reverse proxy and stream proxy
NGINX_TCE_INSTALLED = nginx/tce.installed
# Recipe-specific variables (the typo check accepts these too).
NGINX_VARIABLES = MODULES ADD_MODULES KNOWN_MODULES MODULE_OPTS ADD_MODULE_OPTS

# Built-in modules to enable: the names of configure's --with-NAME_module
# options (http_ssl, http_v2, stream, stream_ssl, ...).
NGINX_MODULES ?= http_ssl http_v2 http_gzip_static http_realip stream
# Third-party modules: local source directories, or URL@SHA256 of a tarball.
NGINX_ADD_MODULES ?=

NGINX_DEPENDENCIES = zlib pcre2 $(if $(filter %ssl,$(NGINX_MODULES)),openssl)

# configure runs its test programs for the target under qemu (see
# patches/nginx/0001-*); --crossbuild names the target system.
define NGINX_CONFIGURE_CMDS
NGX_TEST_RUNNER="qemu-i386 -L $(STAGING_DIR)" ./configure \
	--crossbuild=Linux:$(TARGET_KERNEL_VERSION):i686 \
	--with-cc="$(TARGET_CC)" \
	--with-cc-opt="--sysroot=$(STAGING_DIR) -I$(STAGING_DIR)/usr/local/include $(TARGET_CFLAGS)" \
	--with-ld-opt="--sysroot=$(STAGING_DIR) -L$(STAGING_DIR)/usr/local/lib -Wl,-rpath-link,$(STAGING_DIR)/usr/local/lib" \
	--prefix=/usr/local --sbin-path=/usr/local/sbin/nginx \
	--conf-path=/usr/local/etc/nginx/nginx.conf --pid-path=/var/run/nginx.pid \
	--lock-path=/var/lock/nginx.lock --error-log-path=/var/log/nginx/error.log \
	--http-log-path=/var/log/nginx/access.log \
	--http-client-body-temp-path=/var/lib/nginx/body --http-proxy-temp-path=/var/lib/nginx/proxy \
	--http-fastcgi-temp-path=/var/lib/nginx/fastcgi --http-uwsgi-temp-path=/var/lib/nginx/uwsgi \
	--http-scgi-temp-path=/var/lib/nginx/scgi --user=nobody --group=nogroup \
	--with-pcre $(NGINX_MODULE_OPTS) $(NGINX_ADD_MODULE_OPTS)
endef
NGINX_BUILD_CMDS = $(MAKE)
# Logs, pid and temp directories are created at first start by
# tce.installed (they are not under /usr/local, and TCL3 mounts extensions
# read-only); the configuration ships as nginx.conf.default, copied to
# nginx.conf only if the user has none.
define NGINX_INSTALL_CMDS
$(MAKE) DESTDIR=$(NGINX_DESTDIR) install
rm -rf $(NGINX_DESTDIR)/var $(NGINX_DESTDIR)/usr/local/etc/nginx/nginx.conf
mkdir -p $(NGINX_DESTDIR)/usr/local/share/nginx
mv $(NGINX_DESTDIR)/usr/local/html $(NGINX_DESTDIR)/usr/local/share/nginx/html
endef

# --- module selection (checked here, at parse time) -------------------------
NGINX_KNOWN_MODULES := http_ssl http_v2 http_realip http_addition http_sub http_dav http_flv \
	http_mp4 http_gunzip http_gzip_static http_auth_request http_random_index http_secure_link \
	http_degradation http_slice http_stub_status mail mail_ssl stream stream_ssl stream_realip \
	stream_ssl_preread threads compat
$(foreach m,$(filter-out $(NGINX_KNOWN_MODULES),$(NGINX_MODULES)),$(error \
	$(lastword $(MAKEFILE_LIST)):$(call pkg-line,$(lastword $(MAKEFILE_LIST)),^NGINX_MODULES): \
	unknown nginx module '$(m)' (known: $(NGINX_KNOWN_MODULES))))
# configure spells whole subsystems --with-NAME, modules --with-NAME_module.
NGINX_MODULE_OPTS = $(foreach m,$(NGINX_MODULES),--with-$(m)$(if $(filter mail stream threads compat,$(m)),,_module))
NGINX_ADD_MODULE_OPTS = $(foreach m,$(NGINX_ADD_MODULES),--add-module=$(if $(findstring @,$(m)),$(NGINX_BUILDDIR)/modules/$(notdir $(basename $(basename $(firstword $(subst @, ,$(m)))))),$(m)))
# Fetch and unpack the URL@SHA256 modules beside the source, after patching.
NGINX_POST_PATCH_CMDS = $(foreach m,$(filter %@%,$(NGINX_ADD_MODULES)),\
	$(TCZ) fetch -o $(TCZ_DL_DIR)/$(notdir $(firstword $(subst @, ,$(m)))) --sha256 $(lastword $(subst @, ,$(m))) $(firstword $(subst @, ,$(m))) && \
	$(TCZ) extract $(TCZ_DL_DIR)/$(notdir $(firstword $(subst @, ,$(m)))) --strip-components 1 \
		-C $(NGINX_BUILDDIR)/modules/$(notdir $(basename $(basename $(firstword $(subst @, ,$(m)))))) &&) true

$(eval $(generic-package))
