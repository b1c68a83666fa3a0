# PCRE2: regular expressions (nginx's location ~ and rewrite).
PCRE2_VERSION = 10.42
PCRE2_SITE = https://github.com/PCRE2Project/pcre2/releases/download/pcre2-$(PCRE2_VERSION)
# The release's pcre2-10.42.tar.gz (also Debian's pcre2_10.42.orig.tar.gz).
PCRE2_SHA256 = c33b418e3b936ee3153de2c61cc638e7e4fe3156022a5c77d0711bcbb9d64f1f
PCRE2_LICENSE = BSD-3-Clause
PCRE2_HOMEPAGE = https://www.pcre.org
PCRE2_CPE_ID_VENDOR = pcre
PCRE2_CPE_ID_PRODUCT = pcre2
PCRE2_DESCRIPTION = Perl-compatible regular expressions, version 2 (8-bit library)
# No JIT: its x86 code generator assumes newer CPUs than the i486.
PCRE2_CONF_OPTS = --disable-jit --disable-pcre2-16 --disable-pcre2-32 --disable-pcre2grep-libz \
	--disable-pcre2grep-libbz2 --disable-pcre2test-libreadline
$(eval $(autotools-package))
