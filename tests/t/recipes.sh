# The recipe engine, with small test recipes in a scratch recipe directory
# and a stand-in toolchain directory (these recipes compile nothing).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../recipe-lib.sh"

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
	# Later fetches check the recorded sha256 (the package cache would
	# restore the package without fetching: it goes too).
	rm -rf "$T/dl" "$T/o" "$T/package-cache"
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
	# What a redistributor ships names and carries them beside the tarball.
	rm -rf "$T/dl/hello/more.txt"
	expect_ok tmake legal-info
	expect_file "$T/dl/hello/more.txt"
	cmp "$T/www/more.txt" "$T/o/legal-info/sources/hello-1.0/more.txt" || fail "legal-info: more.txt missing or different"
	expect_grep " extra.txt:$sha " "$T/o/legal-info/manifest.csv"
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
	recipe other 'OTHER_DEPENDENCIES = hello' 'OTHER_LICENSE_FILES = README'
	mkdir -p "$T/patches/other"
	printf -- '--- a/greeting\n+++ b/greeting\n@@ -1 +1 @@\n-hello\n+patched\n' > "$T/patches/other/0001-greet.patch"
	expect_ok tmake list
	expect_grep '^hello +1.0' "$T/out"
	expect_ok tmake graph
	expect_grep '"other" -> "hello";' "$T/o/graph/packages.dot"
	expect_grep '<svg' "$T/o/graph/packages.svg"
	expect_ok tmake hello
	expect_ok tmake legal-info
	local L=$T/o/legal-info
	expect_grep "^hello,1.0,MIT,,hello-1.0.tar.gz:$SHA,\$" "$L/manifest.csv"
	expect_grep "^other,1.0,MIT,README,hello-1.0.tar.gz:$SHA,0001-greet.patch\$" "$L/manifest.csv"
	expect_file "$L/sources/hello-1.0/hello-1.0.tar.gz"
	expect_same_files "$T/patches/other/0001-greet.patch" "$L/sources/other-1.0/0001-greet.patch"
	expect_eq "$(cat "$L/sources/other-1.0/series")" "0001-greet.patch" "series"
	expect_same_files "$T/src/hello-1.0/README" "$L/licenses/other-1.0/README"
	expect_no_file "$L/licenses/hello-1.0"
	# The SBOM: the extensions built (hello's), each file with its sha256.
	mkdir "$T/root"
	"$TCZ" unpack "$T/o/tcz/hello.tcz" -C "$T/root"
	python3 - "$L/sbom.cdx.json" "$T/o/tcz/hello.tcz" "$(sha256sum < "$T/root/usr/local/bin/hello" | cut -d' ' -f1)" <<'PY' || fail "sbom.cdx.json"
import hashlib, json, sys
bom = json.load(open(sys.argv[1]))
assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.5", bom
comps = {c["name"]: c for c in bom["components"]}
assert set(comps) == {"hello.tcz", "hello-doc.tcz"}, comps.keys()
h = comps["hello.tcz"]
assert h["hashes"][0]["content"] == hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
assert h["version"] == "1.0" and h["licenses"] == [{"expression": "MIT"}]
files = {f["name"]: f["hashes"][0]["content"] for f in h["components"]}
assert files["usr/local/bin/hello"] == sys.argv[3], files
PY
	# Same inputs, same SBOM.
	cp "$L/sbom.cdx.json" "$T/sbom.1"
	expect_ok tmake legal-info
	expect_same_files "$T/sbom.1" "$L/sbom.cdx.json"
	# A license file the source lacks is named, and the old legal-info stays.
	recipe other 'OTHER_DEPENDENCIES = hello' 'OTHER_LICENSE_FILES = COPYING'
	expect_fail tmake legal-info
	expect_grep 'other: license file COPYING not found' "$T/err"
	expect_file "$L/licenses/other-1.0/README"
}

test_check_recipes_reports_each_problem_with_file_and_line() {
	setup
	expect_ok tmake check-recipes
	expect_grep '^check-recipes: 1 recipes, 0 problems$' "$T/out"
	# A second directory with a recipe of the same name: make itself stops.
	mkdir "$T/more" "$T/dup"
	cp "$T/recipes/hello.mk" "$T/dup/hello.mk"
	expect_status 2 make -C "$TOP" --no-print-directory O="$T/o" TCZ="$TCZ" list \
		TCZ_RECIPE_DIRS="$T/recipes $T/dup" TCZ_TOOLCHAIN_DIR="$T/tc"
	expect_grep "dup/hello.mk:1: package hello is already defined by $T/recipes/hello.mk" "$T/err"
	# A recipe breaking the linter's rules.
	{
		echo 'BAD_VERSION = 1.0 '
		echo 'BAD_SHA256 = 1234'
		echo 'BAD_SITE = https://example.org/dl/'
		echo 'BAD_SOURCE_FILE = /tmp/x.tar.gz'
		echo 'OTHER_CONF_OPTS = --evil'
		echo ''
		echo ''
		echo '$(eval $(generic-package))'
	} > "$T/more/bad.mk"
	expect_status 2 make -C "$TOP" --no-print-directory O="$T/o" TCZ="$TCZ" check-recipes \
		TCZ_RECIPE_DIRS="$T/recipes $T/more" TCZ_TOOLCHAIN_DIR="$T/tc"
	expect_grep "more/bad.mk:1: the first line should be '# bad: what it is'" "$T/out"
	expect_grep 'more/bad.mk:1: trailing whitespace' "$T/out"
	expect_grep 'more/bad.mk:2: BAD_SHA256 is not 64 lower-case hex digits' "$T/out"
	expect_grep "more/bad.mk:3: BAD_SITE: https://example.org/dl/ ends in '/'" "$T/out"
	expect_grep "more/bad.mk:4: BAD_SOURCE_FILE is the user's local override" "$T/out"
	expect_grep 'more/bad.mk:5: sets OTHER_CONF_OPTS: a recipe sets only BAD_ variables' "$T/out"
	expect_grep 'more/bad.mk:7: two blank lines in a row' "$T/out"
	expect_grep 'more/bad.mk:1: BAD_LICENSE is not set' "$T/out"
	expect_grep 'more/bad.mk:1: BAD_HOMEPAGE is not set' "$T/out"
	expect_grep '^check-recipes: 2 recipes, 1[0-9] problems$' "$T/out"
	expect_status 1 python3 "$TOP/recipes/scripts/check-recipes.py" "$T/recipes" "$T/dup"
	expect_grep "dup/hello.mk:1: package hello is already defined by $T/recipes/hello.mk" "$T/out"
	expect_status 2 python3 "$TOP/recipes/scripts/check-recipes.py" "$T/nonesuch"
	expect_grep 'nonesuch: not a directory' "$T/err"
}

# Package compiles go through ccache, its cache under TCZ_CACHE_DIR: the
# same package built again from a clean tree compiles nothing.
test_compilers_go_through_ccache_in_the_cache_dir() {
	setup
	command -v ccache >/dev/null || fail "ccache is not installed (toolchain/host-deps.sh packages)"
	mkdir -p "$T/tc/bin"
	printf '#!/bin/sh\nexec gcc "$@"\n' > "$T/tc/bin/i486-tcl3-linux-gnu-gcc"
	chmod +x "$T/tc/bin/i486-tcl3-linux-gnu-gcc"
	printf 'int answer(void) { return 42; }\n' > "$T/src/hello-1.0/answer.c"
	tar -C "$T/src" -czf "$T/www/hello-1.0.tar.gz" hello-1.0
	SHA=$(sha256sum < "$T/www/hello-1.0.tar.gz" | cut -d' ' -f1)
	recipe hello 'HELLO_BUILD_CMDS = $(TARGET_CC) -O2 -c answer.c -o answer.o && echo built > hello.sh'
	# No package cache: it would restore the package instead of compiling.
	expect_ok tmake hello TCZ_CACHE_DIR="$T/cache" TCZ_PACKAGE_CACHE=
	expect_file "$T/o/build/hello-1.0/src/answer.o"
	expect_ok tmake hello-clean TCZ_CACHE_DIR="$T/cache"
	expect_ok tmake hello TCZ_CACHE_DIR="$T/cache" TCZ_PACKAGE_CACHE=
	CCACHE_DIR=$T/cache/ccache ccache --print-stats > "$T/stats"
	expect_grep '^(direct_cache_hit|preprocessed_cache_hit)	[1-9]' "$T/stats"
	expect_grep '^[^ ]*/ccache [^ ]*/i486-tcl3-linux-gnu-gcc ' "$T/o/build/hello-1.0/build.sh"
	# TCZ_CCACHE= turns it off: the compiler is called directly.
	expect_ok tmake hello-rebuild TCZ_CACHE_DIR="$T/cache" TCZ_CCACHE= V=1
	expect_no_grep '^[^ ]*/ccache ' "$T/o/build/hello-1.0/build.sh"
}

# make cve-check against a small NVD CVE API 2.0 feed written here.
cve_item() { # ID CPE-CRITERIA [RANGE-JSON]
	printf '{"cve":{"id":"%s","configurations":[{"nodes":[{"operator":"OR","negate":false,"cpeMatch":[{"vulnerable":true,"criteria":"%s"%s}]}]}]}}' \
		"$1" "$2" "${3:+,$3}"
}
test_cve_check_matches_versions_ranges_and_ignores() {
	setup
	recipe other 'OTHER_CPE_ID_VENDOR = acme' 'OTHER_CPE_ID_PRODUCT = widget' \
		'# not built with the affected feature' 'OTHER_IGNORE_CVES = CVE-2024-0004'
	{
		printf '{"format":"NVD_CVE","version":"2.0","vulnerabilities":['
		cve_item CVE-2024-0001 'cpe:2.3:a:hello:hello:1.0:*:*:*:*:*:*:*'; printf ,
		cve_item CVE-2024-0002 'cpe:2.3:a:hello:hello:*:*:*:*:*:*:*:*' '"versionStartIncluding":"0.9","versionEndExcluding":"1.0.1"'; printf ,
		cve_item CVE-2024-0003 'cpe:2.3:a:hello:hello:*:*:*:*:*:*:*:*' '"versionEndExcluding":"1.0"'; printf ,
		cve_item CVE-2024-0004 'cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*' '"versionEndIncluding":"1.0"'; printf ,
		cve_item CVE-2024-0005 'cpe:2.3:a:acme:other:1.0:*:*:*:*:*:*:*'
		printf ']}\n'
	} > "$T/feed.json"
	gzip -k "$T/feed.json"
	expect_ok tmake cve-check CVE_FEED="$T/feed.json.gz"
	expect_grep '^hello 1\.0: CVE-2024-0001$' "$T/out"
	expect_grep '^hello 1\.0: CVE-2024-0002$' "$T/out"
	expect_no_grep 'CVE-2024-0003|CVE-2024-0005' "$T/out"
	expect_grep '^other 1\.0: CVE-2024-0004 \(ignored by the recipe\)$' "$T/out"
	expect_grep 'cve-check: 2 packages, 5 CVEs in the feed, 2 apply and are not ignored' "$T/out"
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["packages"]; assert r["hello"]["unfixed"]==["CVE-2024-0001","CVE-2024-0002"], r; assert r["other"]["ignored"]==["CVE-2024-0004"], r' \
		"$T/o/cve/report.json" || fail "report.json"
	expect_status 2 tmake cve-check CVE_FAIL=1 CVE_FEED="$T/feed.json"
	expect_grep 'cve-check: 2 packages' "$T/out"
	# No feed, a bad feed: clear errors.
	expect_status 2 tmake cve-check
	expect_grep 'cve-check needs CVE_FEED=FILE\|URL' "$T/err"
	echo '{"not":"nvd"}' > "$T/bad.json"
	expect_status 2 tmake cve-check CVE_FEED="$T/bad.json"
	expect_grep "bad.json: not an NVD CVE API 2.0 document" "$T/err"
}

test_nginx_module_names_are_checked() {
	expect_status 2 make -C "$TOP" --no-print-directory O="$T/o" TCZ="$TCZ" list NGINX_MODULES="http_ssl http_bogus"
	expect_grep "recipes/nginx.mk:[0-9]+: unknown nginx module 'http_bogus'" "$T/err"
}

run_tests
