# The recipe engine, with small test recipes in a scratch recipe directory
# and a stand-in toolchain directory (these recipes compile nothing).
. "$(dirname "$0")/../lib.sh"

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
		echo "${up}_VERSION = 1.0"
		echo "${up}_SOURCE = hello-1.0.tar.gz"
		echo "${up}_SITE = file://$T/www"
		echo "${up}_SHA256 = $SHA"
		echo "${up}_LICENSE = MIT"
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

tmake() {
	make -C "$TOP" --no-print-directory O="$T/o" TCZ="$TCZ" TCZ_RECIPE_DIRS="$T/recipes" \
		TCZ_TOOLCHAIN_DIR="$T/tc" TCZ_GLOBAL_PATCH_DIR="$T/patches" TCZ_DL_DIR="$T/dl" \
		TCZ_SOURCE_LOCK="$T/sources.lock" "$@"
}

test_a_package_goes_through_every_stage_and_packs() {
	setup
	expect_ok tmake hello
	for s in source extract patch configure build install 'split and strip' check pack; do
		expect_grep "^\[[1-9]/9\] hello 1.0: $s\$" "$T/out"
	done
	expect_ok "$TCZ" check "$T/o/tcz/hello.tcz"
	expect_ok "$TCZ" check "$T/o/tcz/hello-doc.tcz"
	expect_grep '^usr/local/bin/hello$' "$T/o/tcz/hello.tcz.list"
	expect_grep '^usr/local/share/doc/hello/README$' "$T/o/tcz/hello-doc.tcz.list"
	expect_no_grep 'share/doc' "$T/o/tcz/hello.tcz.list"
	expect_grep '^Title:		hello.tcz$' "$T/o/tcz/hello.tcz.info"
	expect_grep '^Copying-policy:	MIT$' "$T/o/tcz/hello.tcz.info"
	expect_eq "$(cut -d: -f1 "$T/o/tcz/hello.tcz.info" | grep -v '^	' | tr '\n' ' ')" \
		"Title Description Version Author Original-site Copying-policy Size Extension_by Comments Change-log Current " "info fields"
	expect_file "$T/o/tcz/hello.tcz.zsync"
	expect_eq "$(cat "$T/o/tcz/hello.tcz.tree")" "hello.tcz" "tree"
	# Nothing changed: nothing runs.
	expect_ok tmake hello
	expect_no_grep '^\[' "$T/out"
}

test_a_typo_in_a_recipe_variable_names_file_and_line() {
	setup
	recipe hello 'HELLO_DEPENDENCEIS = zlib'
	expect_status 2 tmake hello
	expect_grep "recipes/hello.mk:[0-9]+: unknown variable HELLO_DEPENDENCEIS" "$T/err"
	expect_no_file "$T/o/tcz/hello.tcz"
}

test_a_missing_checksum_is_refused() {
	setup
	sed -i '/_SHA256/d' "$T/recipes/hello.mk"
	expect_status 2 tmake hello
	expect_grep "recipes/hello.mk:[0-9]+: HELLO_SHA256 is not set" "$T/err"
}

test_a_missing_dependency_names_file_and_line() {
	setup
	recipe hello 'HELLO_DEPENDENCIES = nosuchlib'
	expect_status 2 tmake list
	expect_grep "recipes/hello.mk:[0-9]+: hello depends on 'nosuchlib', which has no recipe" "$T/err"
}

test_a_wrong_checksum_stops_at_the_source() {
	setup
	sed -i "s/$SHA/$(printf '0%.0s' $(seq 64))/" "$T/recipes/hello.mk"
	expect_fail tmake hello
	expect_grep 'sha256 mismatch' "$T/err"
	expect_no_file "$T/dl/hello-1.0.tar.gz"
	expect_no_file "$T/o/tcz/hello.tcz"
}

test_a_failing_patch_is_named_and_nothing_is_packed() {
	setup
	printf -- '--- a/greeting\n+++ b/greeting\n@@ -1 +1 @@\n-nothing like this\n+patched\n' > "$T/patches/hello/0001-bad.patch"
	expect_fail tmake hello
	expect_grep '0001-bad.patch failed to apply' "$T/err"
	expect_no_file "$T/o/tcz/hello.tcz"
}

test_a_changed_patch_rebuilds_that_package_only() {
	setup
	recipe other
	printf -- '--- a/greeting\n+++ b/greeting\n@@ -1 +1 @@\n-hello\n+patched\n' > "$T/patches/hello/0001-greet.patch"
	expect_ok tmake hello other
	sleep 1
	printf -- '--- a/greeting\n+++ b/greeting\n@@ -1 +1 @@\n-hello\n+patched again\n' > "$T/patches/hello/0001-greet.patch"
	expect_ok tmake hello other
	expect_grep '^\[2/9\] hello 1.0: extract$' "$T/out"
	expect_no_grep 'other 1.0' "$T/out"
	mkdir "$T/root"
	expect_ok "$TCZ" unpack "$T/o/tcz/hello.tcz" -C "$T/root"
	expect_grep '^patched again$' "$T/root/usr/local/share/hello/greeting"
}

test_an_md5_only_source_warns_and_its_sha256_is_recorded() {
	setup
	local md5
	md5=$(md5sum < "$T/hello-1.0.tar.gz" | cut -d' ' -f1)
	sed -i "s/^HELLO_SHA256 = .*/HELLO_MD5 = $md5/" "$T/recipes/hello.mk"
	expect_ok tmake hello
	expect_grep "hello-1.0.tar.gz: verified by md5 only, a weak hash" "$T/err"
	expect_eq "$(cat "$T/sources.lock")" "$SHA  hello-1.0.tar.gz" "lock line"
	expect_ok "$TCZ" check "$T/o/tcz/hello.tcz"
	# Later fetches check the recorded sha256.
	rm -rf "$T/dl" "$T/o"
	sed -i "s/^$SHA/$(printf 'b%.0s' $(seq 64))/" "$T/sources.lock"
	expect_fail tmake hello
	expect_grep 'sha256 mismatch' "$T/err"
	expect_no_file "$T/dl/hello-1.0.tar.gz"
}

test_md5_beside_sha256_is_refused() {
	setup
	recipe hello "HELLO_MD5 = $(md5sum < "$T/hello-1.0.tar.gz" | cut -d' ' -f1)"
	expect_status 2 tmake list
	expect_grep "recipes/hello.mk:[0-9]+: HELLO_MD5 and HELLO_SHA256 are both set" "$T/err"
}

test_extra_sources_are_verified_and_handed_to_the_build() {
	setup
	printf 'extra\n' > "$T/www/extra.txt"
	local sha
	sha=$(sha256sum < "$T/www/extra.txt" | cut -d' ' -f1)
	recipe hello "HELLO_EXTRA_SOURCES = file://$T/www/extra.txt@$sha" \
		'HELLO_POST_PATCH_CMDS = cp $(HELLO_EXTRA_DIR)/extra.txt greeting'
	expect_ok tmake hello
	expect_file "$T/dl/hello/extra.txt"
	mkdir "$T/root"
	expect_ok "$TCZ" unpack "$T/o/tcz/hello.tcz" -C "$T/root"
	expect_grep '^extra$' "$T/root/usr/local/share/hello/greeting"
	# Another extra source: the tree is made again from the start.
	printf 'more\n' > "$T/www/more.txt"
	recipe hello "HELLO_EXTRA_SOURCES = file://$T/www/extra.txt@$sha file://$T/www/more.txt@$(sha256sum < "$T/www/more.txt" | cut -d' ' -f1)" \
		'HELLO_POST_PATCH_CMDS = cat $(HELLO_EXTRA_DIR)/extra.txt $(HELLO_EXTRA_DIR)/more.txt > greeting'
	expect_ok tmake hello
	expect_grep '^\[2/9\] hello 1.0: extract$' "$T/out"
	rm -rf "$T/root" && mkdir "$T/root"
	expect_ok "$TCZ" unpack "$T/o/tcz/hello.tcz" -C "$T/root"
	expect_eq "$(cat "$T/root/usr/local/share/hello/greeting")" "$(printf 'extra\nmore')" "greeting"
}

test_a_wrong_extra_source_stops_at_the_source() {
	setup
	printf 'extra\n' > "$T/www/extra.txt"
	recipe hello "HELLO_EXTRA_SOURCES = file://$T/www/extra.txt@$(printf '0%.0s' $(seq 64))"
	expect_fail tmake hello
	expect_grep 'sha256 mismatch' "$T/err"
	expect_no_file "$T/dl/hello/extra.txt"
	expect_no_file "$T/o/tcz/hello.tcz"
}

test_patch_subdirs_share_a_patch_directory_in_order() {
	setup
	mkdir -p "$T/patches/shared/1" "$T/patches/hello/1.0"
	printf -- '--- a/greeting\n+++ b/greeting\n@@ -1 +1 @@\n-hello\n+shared\n' > "$T/patches/shared/1/0001-shared.patch"
	printf -- '--- a/greeting\n+++ b/greeting\n@@ -1 +1 @@\n-shared\n+shared then own\n' > "$T/patches/hello/1.0/0001-own.patch"
	recipe hello 'HELLO_PATCH_SUBDIRS = shared/1 hello/1.0'
	expect_ok tmake hello
	mkdir "$T/root"
	expect_ok "$TCZ" unpack "$T/o/tcz/hello.tcz" -C "$T/root"
	expect_grep '^shared then own$' "$T/root/usr/local/share/hello/greeting"
}

test_a_make_with_other_settings_that_builds_nothing_changes_nothing() {
	setup
	expect_ok tmake hello
	expect_ok tmake list HELLO_CONFIGURE_CMDS='echo other' HELLO_SOURCE_FILE="$T/hello-1.0.tar.gz"
	expect_ok tmake hello
	expect_no_grep '^\[' "$T/out"
	# Building with another source file does make the tree again.
	expect_ok tmake hello HELLO_SOURCE_FILE="$T/hello-1.0.tar.gz"
	expect_grep '^\[2/9\] hello 1.0: extract$' "$T/out"
	expect_ok tmake hello HELLO_SOURCE_FILE="$T/hello-1.0.tar.gz"
	expect_no_grep '^\[' "$T/out"
}

test_list_graph_and_legal_info() {
	setup
	recipe other 'OTHER_DEPENDENCIES = hello'
	expect_ok tmake list
	expect_grep '^hello +1.0' "$T/out"
	expect_ok tmake graph
	expect_grep '"other" -> "hello";' "$T/o/graph/packages.dot"
	expect_grep '<svg' "$T/o/graph/packages.svg"
	expect_ok tmake legal-info
	expect_grep "^hello,1.0,\"MIT\",hello-1.0.tar.gz,$SHA\$" "$T/o/legal-info/manifest.csv"
	expect_file "$T/o/legal-info/sources/hello-1.0.tar.gz"
}

test_nginx_module_names_are_checked() {
	expect_status 2 make -C "$TOP" --no-print-directory O="$T/o" TCZ="$TCZ" list NGINX_MODULES="http_ssl http_bogus"
	expect_grep "recipes/nginx.mk:[0-9]+: unknown nginx module 'http_bogus'" "$T/err"
}

run_tests
