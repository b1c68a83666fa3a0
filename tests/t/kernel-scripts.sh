# The kernel package's scripts on small stand-ins: a tree with a 2.6-style
# Makefile, and a "make" that only records what it was asked (the real
# kernel builds are tests/e2e/kernel.sh).
. "$(dirname "$0")/../lib.sh"

SCRIPTS=$TOP/recipes/scripts

tree() { # a kernel-like tree at $T/src saying Linux 2.6.33.3
	mkdir -p "$T/src"
	printf 'VERSION = 2\nPATCHLEVEL = 6\nSUBLEVEL = 33\nEXTRAVERSION = .3\nNAME = Man-Eating Seals of Antiquity\n' \
		> "$T/src/Makefile"
}

test_a_stable_patch_brings_the_tree_to_the_recipes_version() {
	tree
	cp -r "$T/src" "$T/new"
	sed -i 's/^EXTRAVERSION = .3$/EXTRAVERSION = .7/' "$T/new/Makefile"
	(cd "$T" && diff -u src/Makefile new/Makefile | sed 's,^--- src/,--- a/,; s,^+++ new/,+++ b/,') | xz > "$T/patch-2.6.33.3-7.xz"
	(cd "$T/src" && expect_ok "$SCRIPTS/kernel-source.sh" 2.6.33.7 "$T/patch-2.6.33.3-7.xz")
	expect_grep '^EXTRAVERSION = .7$' "$T/src/Makefile"
	expect_grep "source patch: $T/patch-2.6.33.3-7.xz sha256 [0-9a-f]{64}" "$T/out"
}

test_a_source_that_is_not_the_recipes_version_stops_the_build() {
	tree
	(cd "$T/src" && expect_status 1 "$SCRIPTS/kernel-source.sh" 2.6.33.7)
	expect_grep 'the source is Linux 2.6.33.3, the recipe builds 2.6.33.7' "$T/err"
	(cd "$T/src" && expect_status 1 "$SCRIPTS/kernel-source.sh" 2.6.33.7 "$T/no-such.patch.xz")
	expect_grep 'no-such.patch.xz: no such patch' "$T/err"
}

# A "make" for kernel-config.sh: oldconfig and the config targets do nothing.
fake_make() {
	printf '#!/bin/sh\necho "$@" >> "%s/make.log"\n' "$T" > "$T/make"
	chmod +x "$T/make"
}

test_fragments_and_config_words_merge_onto_the_base() {
	tree
	fake_make
	printf 'CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=m\n' > "$T/base.config"
	printf 'CONFIG_B=y\n# CONFIG_C is not set\n' > "$T/frag.config"
	(cd "$T/src" && expect_ok "$SCRIPTS/kernel-config.sh" "$T/make" "$T/base.config" "$T/frag.config" \
		CONFIG_D=1002 CONFIG_A=m)
	expect_eq "$(grep -E '^(CONFIG_|# CONFIG_)' "$T/src/.config" | sort | tr '\n' ' ')" \
		"# CONFIG_C is not set CONFIG_A=m CONFIG_B=y CONFIG_D=1002 " ".config"
	expect_eq "$(cat "$T/src/.config.base")" "$(cat "$T/base.config")" ".config.base"
}

test_a_missing_fragment_or_base_config_is_named() {
	tree
	fake_make
	printf 'CONFIG_A=y\n' > "$T/base.config"
	(cd "$T/src" && expect_status 1 "$SCRIPTS/kernel-config.sh" "$T/make" "$T/base.config" "$T/nope.config")
	expect_grep 'nope.config: no such fragment' "$T/err"
	(cd "$T/src" && expect_status 1 "$SCRIPTS/kernel-config.sh" "$T/make" "$T/extra/linux-config")
	expect_grep 'extra/linux-config: no such base config' "$T/err"
	expect_no_file "$T/make.log"
	# A make target is handed to make.
	(cd "$T/src" && expect_ok "$SCRIPTS/kernel-config.sh" "$T/make" allnoconfig)
	expect_grep '^allnoconfig$' "$T/make.log"
}

run_tests
