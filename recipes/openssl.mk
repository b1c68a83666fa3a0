# OpenSSL: TLS for nginx's http_ssl and stream_ssl modules.
OPENSSL_VERSION = 3.0.20
OPENSSL_SITE = https://github.com/openssl/openssl/releases/download/openssl-$(OPENSSL_VERSION) \
	https://www.openssl.org/source
# The release's openssl-3.0.20.tar.gz (also Debian's openssl_3.0.20.orig.tar.gz,
# which Debian ships with upstream's signature).
OPENSSL_SHA256 = c80a01dfc70ece4dc21168932c37739042d404d46ccc81a5986dd75314ecda6f
OPENSSL_LICENSE = Apache-2.0
OPENSSL_HOMEPAGE = https://www.openssl.org
OPENSSL_CPE_ID_VENDOR = openssl
OPENSSL_CPE_ID_PRODUCT = openssl
OPENSSL_DESCRIPTION = OpenSSL TLS/SSL and crypto libraries and tool
# linux-elf with no-asm: OpenSSL's x86 assembly assumes at least a Pentium
# (cpuid, rdtsc, SSE2 paths); the C code is plain i486. The TCL3 paths for
# certificates and configuration live under /usr/local/etc/ssl.
# The i486 has no 64-bit atomic instruction (cmpxchg8b came with the
# Pentium), so gcc turns OpenSSL's 64-bit __atomic calls into libatomic
# calls, a library TCL3 does not have. BROKEN_CLANG_ATOMICS is OpenSSL's
# own switch to its lock-based fallback (crypto/threads_pthread.c).
# OPENSSL_CONF_OPTS: more Configure options of yours (no-weak-ssl-ciphers,
# enable-ktls, ...); a change rebuilds openssl and what depends on it.
OPENSSL_CONF_OPTS ?=
OPENSSL_CONFIGURE_CMDS = $(TARGET_CONFIGURE_ENV) ./Configure linux-elf no-asm no-tests \
	-DBROKEN_CLANG_ATOMICS shared --prefix=/usr/local --openssldir=/usr/local/etc/ssl --libdir=lib \
	$(OPENSSL_CONF_OPTS)
# One target per make run: OpenSSL's top-level targets each start their own
# sub-make, which race under -j when given together.
define OPENSSL_BUILD_CMDS
$(MAKE) build_libs
$(MAKE) build_programs
endef
OPENSSL_INSTALL_CMDS = $(MAKE) DESTDIR=$(OPENSSL_DESTDIR) install_sw install_ssldirs
$(eval $(generic-package))
