# recipe-lib.sh: sourced by the tests of the recipe engine (tests/t/recipes.sh,
# tests/t/pkg-infra.sh) after lib.sh: small test recipes in a scratch recipe
# directory and a stand-in toolchain directory (these recipes compile
# nothing unless a test gives them a compiler).

setup() {
	mkdir -p "$T/recipes" "$T/tc/i486-tcl3-linux-gnu/sysroot/lib" "$T/src/hello-1.0" "$T/patches/hello"
	touch "$T/tc/toolchain.info"
	echo readme > "$T/src/hello-1.0/README"
	printf 'hello\n' > "$T/src/hello-1.0/greeting"
	tar -C "$T/src" -czf "$T/hello-1.0.tar.gz" hello-1.0
	SHA=$(sha256sum < "$T/hello-1.0.tar.gz" | cut -d' ' -f1)
	mkdir -p "$T/www"; cp "$T/hello-1.0.tar.gz" "$T/www/"
	recipe hello
}

recipe() { # NAME [EXTRA LINES]: a recipe that installs a script and a doc
	local name=$1 up=${1^^}; shift
	up=${up//-/_}
	{
		echo "# $name: a test package"
		echo "${up}_VERSION = 1.0"
		echo "${up}_SOURCE = hello-1.0.tar.gz"
		echo "${up}_SITE = file://$T/www"
		echo "${up}_SHA256 = $SHA"
		echo "${up}_LICENSE = MIT"
		echo "${up}_HOMEPAGE = https://example.org/$name"
		echo "${up}_DESCRIPTION = $name, a test package"
		echo "${up}_CONFIGURE_CMDS = true"
		echo "${up}_BUILD_CMDS = printf '\\#!/bin/sh\\ncat /usr/local/share/$name/greeting\\n' > $name.sh"
		echo "define ${up}_INSTALL_CMDS"
		echo "install -D -m 755 $name.sh \$(${up}_DESTDIR)/usr/local/bin/$name"
		echo "install -D -m 644 greeting \$(${up}_DESTDIR)/usr/local/share/$name/greeting"
		echo "install -D -m 644 README \$(${up}_DESTDIR)/usr/local/share/doc/$name/README"
		echo "endef"
		for l; do echo "$l"; done
		echo '$(eval $(generic-package))'
	} > "$T/recipes/$name.mk"
}

# Each test has a package cache of its own: an entry another test stored
# under the same key would be restored instead of built. A setting given
# again after these (O=, TCZ_DL_DIR=, ...) wins: a second checkout is
# tmake O="$T/o2".
tmake() {
	make -C "$TOP" --no-print-directory O="$T/o" TCZ="$TCZ" TCZ_RECIPE_DIRS="$T/recipes" \
		TCZ_TOOLCHAIN_DIR="$T/tc" TCZ_GLOBAL_PATCH_DIR="$T/patches" TCZ_DL_DIR="$T/dl" \
		TCZ_SOURCE_LOCK="$T/sources.lock" TCZ_PACKAGE_CACHE="$T/package-cache" "$@"
}

