# The package infrastructure of issue 16: per-package sysroots, the cache of
# built packages, make -j, and the targets recipe writers use, on small
# test recipes (tests/recipe-lib.sh). A stand-in cross compiler (the host's
# gcc) lets them compile where a test needs it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../recipe-lib.sh"

# A stand-in for the cross compiler: the host's gcc.
fake_compiler() {
	mkdir -p "$T/tc/bin"
	printf '#!/bin/sh\nexec gcc "$@"\n' > "$T/tc/bin/i486-tcl3-linux-gnu-gcc"
	chmod +x "$T/tc/bin/i486-tcl3-linux-gnu-gcc"
}

# lib installs a header; app compiles a file that includes it.
lib_and_app() { # APP-EXTRA-LINES...
	setup
	fake_compiler
	recipe lib "define LIB_INSTALL_CMDS" \
		'install -D -m 644 greeting $(LIB_DESTDIR)/usr/local/include/tcbuild-lib.h' \
		'install -D -m 755 README $(LIB_DESTDIR)/usr/local/bin/lib' 'endef'
	recipe app 'APP_BUILD_CMDS = printf "\#include <tcbuild-lib.h>\nint app;\n" > app.c && $(TARGET_CC) -I$(STAGING_DIR)/usr/local/include -c app.c && echo app > app.sh' \
		"$@"
	# The header's content must be C: the greeting file becomes a comment.
	echo '/* hello */' > "$T/src/hello-1.0/greeting"
	tar -C "$T/src" -czf "$T/www/hello-1.0.tar.gz" hello-1.0
	local sha; sha=$(sha256sum < "$T/www/hello-1.0.tar.gz" | cut -d' ' -f1)
	sed -i "s/$SHA/$sha/" "$T/recipes/lib.mk" "$T/recipes/app.mk"
	SHA=$sha
}

test_a_package_sees_only_the_dependencies_it_declares() {
	lib_and_app
	expect_ok tmake lib
	# lib is built, but app did not declare it: its sysroot lacks the header.
	expect_fail tmake app
	expect_grep 'tcbuild-lib.h: No such file or directory' "$T/o/logs/app.log"
	expect_no_file "$T/o/tcz/app.tcz"
	# Declared, it is there, as hard links to lib's installed files.
	lib_and_app 'APP_DEPENDENCIES = lib'
	expect_ok tmake app
	local h=$T/o/per-package/app/sysroot/usr/local/include/tcbuild-lib.h
	expect_file "$h"
	expect_eq "$(stat -c %i "$h")" "$(stat -c %i "$T/o/build/lib-1.0/dest/usr/local/include/tcbuild-lib.h")" "inode"
	# The toolchain's sysroot is in it too, and lib's own sysroot lacks app.
	expect_file "$T/o/per-package/app/sysroot/lib"
	expect_no_file "$T/o/per-package/lib/sysroot/usr/local/bin/app"
}

test_a_dependency_cycle_is_refused_by_name() {
	setup
	recipe hello 'HELLO_DEPENDENCIES = other'
	recipe other 'OTHER_DEPENDENCIES = hello'
	expect_status 2 tmake list
	expect_grep 'recipes/hello.mk:[0-9]+: hello depends on itself through other hello' "$T/err"
}

# A second checkout sharing the package cache builds nothing; the
# extensions it restores are the bytes the first one packed.
test_a_second_checkout_restores_every_package_from_the_cache() {
	lib_and_app 'APP_DEPENDENCIES = lib'
	expect_ok tmake app
	expect_grep '^\[5/9\] app 1.0: build$' "$T/out"
	expect_ok tmake O="$T/o2" TCZ_DL_DIR="$T/dl2" app
	expect_grep '^\[cache\] lib 1.0: from cache \([0-9a-f]{16}\)$' "$T/out"
	expect_grep '^\[cache\] app 1.0: from cache \([0-9a-f]{16}\)$' "$T/out"
	expect_no_grep '^\[[0-9]/9\]' "$T/out"
	local f
	for f in app.tcz app.tcz.md5.txt app.tcz.list lib.tcz lib-dev.tcz lib-dev.tcz.dep; do
		cmp "$T/o/tcz/$f" "$T/o2/tcz/$f" || fail "$f differs from the first checkout's"
	done
	expect_ok "$TCZ" check "$T/o2/tcz/app.tcz"
	# Nothing was downloaded: the sources were never needed.
	expect_no_file "$T/dl2/hello-1.0.tar.gz"
	# Restored, then built on: a dependent of a restored package configures
	# against its restored tree.
	recipe top 'TOP_DEPENDENCIES = app lib' \
		'TOP_BUILD_CMDS = test -f $(STAGING_DIR)/usr/local/include/tcbuild-lib.h && echo ok > top.sh'
	expect_ok tmake O="$T/o2" TCZ_DL_DIR="$T/dl2" top
	expect_grep '^\[9/9\] top 1.0: pack$' "$T/out"
}

test_a_shared_cache_over_http_is_read_and_verified() {
	lib_and_app 'APP_DEPENDENCIES = lib'
	expect_ok tmake app
	start_http "$T/package-cache"
	expect_ok tmake O="$T/o2" TCZ_DL_DIR="$T/dl2" TCZ_PACKAGE_CACHE="$T/cache2" TCZ_PACKAGE_CACHE_URL="$HTTP_URL" app
	expect_grep "^\\[cache\\] app 1.0: fetched from $HTTP_URL" "$T/out"
	expect_no_grep '^\[[0-9]/9\]' "$T/out"
	cmp "$T/o/tcz/app.tcz" "$T/o2/tcz/app.tcz" || fail "app.tcz differs"
	# A damaged entry on the server is refused by its sha256, then built.
	local e; e=$(ls "$T/package-cache/lib/"*.tar.gz)
	printf 'junk' >> "$e"
	rm -rf "$T/o3" "$T/cache3"
	expect_ok tmake O="$T/o3" TCZ_PACKAGE_CACHE="$T/cache3" TCZ_PACKAGE_CACHE_URL="$HTTP_URL" lib
	expect_grep 'sha256 mismatch' "$T/err"
	expect_grep '^\[9/9\] lib 1.0: pack$' "$T/out"
}

# One option changed: that package and what depends on it are built again,
# nothing else.
test_a_changed_option_rebuilds_the_package_and_its_dependents_only() {
	lib_and_app 'APP_DEPENDENCIES = lib'
	recipe other
	expect_ok tmake app other
	expect_ok tmake app other LIB_CONFIGURE_CMDS='echo lib option'
	expect_grep '^\[4/9\] lib 1.0: configure$' "$T/out"
	expect_grep '^\[5/9\] app 1.0: build$' "$T/out"
	expect_no_grep 'other 1.0' "$T/out"
	# Back to the old option: both come back from the cache.
	expect_ok tmake app other
	expect_grep '^\[cache\] lib 1.0: from cache' "$T/out"
	expect_grep '^\[cache\] app 1.0: from cache' "$T/out"
	expect_no_grep 'other 1.0' "$T/out"
}

test_make_j2_gives_the_bytes_make_j1_gives() {
	lib_and_app 'APP_DEPENDENCIES = lib'
	recipe other
	recipe third 'THIRD_DEPENDENCIES = other'
	expect_ok tmake -j2 app third TCZ_PACKAGE_CACHE=
	expect_ok tmake -j1 O="$T/o1" TCZ_PACKAGE_CACHE= app third
	local f n=0
	for f in "$T"/o1/tcz/*; do
		cmp "$f" "$T/o/tcz/$(basename "$f")" || fail "$(basename "$f") differs between -j1 and -j2"
		n=$((n + 1))
	done
	[ "$n" -ge 12 ] || fail "only $n files compared"
}

test_rebuild_reconfigure_reinstall_run_their_stages_whatever_the_cache() {
	setup
	expect_ok tmake hello
	expect_ok tmake hello-reconfigure
	expect_grep '^\[4/9\] hello 1.0: configure$' "$T/out"
	expect_grep '^\[9/9\] hello 1.0: pack$' "$T/out"
	expect_ok tmake hello-rebuild
	expect_no_grep 'configure' "$T/out"
	expect_grep '^\[5/9\] hello 1.0: build$' "$T/out"
	expect_ok tmake hello-reinstall
	expect_no_grep 'build$' "$T/out"
	expect_grep '^\[6/9\] hello 1.0: install$' "$T/out"
	expect_no_grep 'from cache' "$T/out"
	# And after them, nothing to do.
	expect_ok tmake hello
	expect_no_grep '^\[' "$T/out"
}

test_dirclean_removes_the_package_and_the_sysroots_it_entered() {
	lib_and_app 'APP_DEPENDENCIES = lib'
	expect_ok tmake app
	expect_ok tmake lib-dirclean
	expect_no_file "$T/o/build/lib-1.0"
	expect_no_file "$T/o/per-package/lib"
	expect_no_file "$T/o/tcz/lib.tcz"
	expect_no_file "$T/o/tcz/lib-dev.tcz.md5.txt"
	expect_no_file "$T/o/per-package/app/sysroot"
	expect_file "$T/o/tcz/app.tcz"
	# The cache keeps its copy: the next make restores lib.
	expect_ok tmake app
	expect_grep '^\[cache\] lib 1.0: from cache' "$T/out"
	expect_ok tmake app-clean
	expect_no_file "$T/o/build/app-1.0"
}

test_show_info_is_json_with_the_key_and_the_build_time() {
	lib_and_app 'APP_DEPENDENCIES = lib'
	expect_ok tmake app
	expect_ok tmake app-show-info
	python3 - "$T/out" <<'PY' || fail "app-show-info"
import json, re, sys
i = json.load(open(sys.argv[1]))
assert i["name"] == "app" and i["version"] == "1.0", i
assert i["dependencies"] == ["lib"], i
assert i["sources"] == ["hello-1.0.tar.gz"], i
assert re.fullmatch(r"[0-9a-f]{16}", i["key"]), i
assert i["build_time"]["stages"]["build"] >= 0 and "configure" in i["build_time"]["stages"], i
PY
	# Its key is the one the cache holds.
	ls "$T/package-cache/app/" > "$T/entries"
	expect_grep "^$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["key"])' "$T/out")\\.tar\\.gz\$" "$T/entries"
}

test_hash_writes_a_computed_checksum_into_the_recipe() {
	setup
	mv "$T/src/hello-1.0" "$T/src/hello-1.1"
	tar -C "$T/src" -czf "$T/www/hello-1.1.tar.gz" hello-1.1
	sed -i 's/^HELLO_VERSION = 1.0/HELLO_VERSION = 1.1/; s/^HELLO_SOURCE = .*/HELLO_SOURCE = hello-1.1.tar.gz/' "$T/recipes/hello.mk"
	expect_fail tmake hello
	expect_grep 'sha256 mismatch' "$T/err"
	expect_ok tmake hello-hash
	local sum; sum=$(sha256sum < "$T/www/hello-1.1.tar.gz" | cut -d' ' -f1)
	expect_grep "^HELLO_SHA256 = $sum\$" "$T/recipes/hello.mk"
	expect_grep '^# sha256 computed by make hello-hash on [0-9-]+ from hello-1.1.tar.gz as downloaded, not published' "$T/recipes/hello.mk"
	expect_ok tmake hello
	expect_grep '^\[9/9\] hello 1.1: pack$' "$T/out"
	# A site that has no such file: the recipe is left as it was.
	cp "$T/recipes/hello.mk" "$T/before.mk"
	sed -i 's/^HELLO_VERSION = 1.1/HELLO_VERSION = 9.9/; s/^HELLO_SOURCE = .*/HELLO_SOURCE = hello-9.9.tar.gz/' "$T/recipes/hello.mk"
	cp "$T/recipes/hello.mk" "$T/before.mk"
	expect_fail tmake hello-hash
	expect_same_files "$T/before.mk" "$T/recipes/hello.mk"
}

test_graph_build_draws_each_package_and_stage() {
	lib_and_app 'APP_DEPENDENCIES = lib'
	expect_status 2 tmake graph-build
	expect_grep 'build-time.log: no build-time records yet' "$T/err"
	expect_ok tmake app
	expect_ok tmake graph-build
	expect_grep '^lib,1.0,configure,[0-9.]+$' "$T/o/graph/build.csv"
	expect_grep '^app,1.0,build,[0-9.]+$' "$T/o/graph/build.csv"
	expect_grep '<svg ' "$T/o/graph/build.svg"
	expect_grep '<title>app build: [0-9.]+ s</title>' "$T/o/graph/build.svg"
}

test_quotes_in_a_description_are_just_text() {
	setup
	recipe hello "HELLO_DESCRIPTION = O'Reilly's \"hello\", with a \$\$dollar"
	expect_ok tmake hello
	expect_grep "^Description:	O'Reilly's \"hello\", with a \\\$dollar\$" "$T/o/tcz/hello.tcz.info"
}

run_tests
