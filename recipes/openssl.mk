# OpenSSL: TLS for nginx's http_ssl and stream_ssl modules.
OPENSSL_VERSION = 3.0.20
OPENSSL_SITE = https://github.com/openssl/openssl/releases/download/openssl-$(OPENSSL_VERSION) \
	https://www.openssl.org/source
# The release's openssl-3.0.20.tar.gz (also Debian's openssl_3.0.20.orig.tar.gz,
# which Debian ships with upstream's signature).
OPENSSL_SHA256 = c80a01dfc70ece4dc21168932c37739042d404d46ccc81a5986dd75314ecda6f
OPENSSL_LICENSE = Apache-2.0
OPENSSL_HOMEPAGE = https://www.openssl.org
OPENSSL_DESCRIPTION = OpenSSL TLS/SSL and crypto libraries and tool
# linux-elf with no-asm: OpenSSL's x86 assembly assumes at least a Pentium
# (cpuid, rdtsc, SSE2 paths); the C code is plain i486. The TCL3 paths for
# certificates and configuration live under /usr/local/etc/ssl.
OPENSSL_CONFIGURE_CMDS = $(TARGET_CONFIGURE_ENV) ./Configure linux-elf no-asm no-tests \
	shared zlib-dynamic --prefix=/usr/local --openssldir=/usr/local/etc/ssl --libdir=lib
OPENSSL_BUILD_CMDS = $(MAKE) build_libs build_programs
OPENSSL_INSTALL_CMDS = $(MAKE) DESTDIR=$(OPENSSL_DESTDIR) install_sw install_ssldirs
$(eval $(generic-package))
