# Test tiers. `make test` is the fast suite, run twice: once with the normal
# tool and once with the ASan+UBSan build. The slow tiers build real things.

TEST_UNIT_SRCS := $(sort $(wildcard $(TOPDIR)/tests/unit/*_test.c))
TCZ_LIB_SRCS := $(filter-out $(TOPDIR)/src/main.c,$(TCZ_SRCS))

# $(call unit-variant,OUTDIR,EXTRA_FLAGS): unit tests link every src object
# but main.o.
define unit-variant
$(1)/tests/%_test: $(TOPDIR)/tests/unit/%_test.c $(patsubst $(TOPDIR)/src/%.c,$(1)/obj/%.o,$(TCZ_LIB_SRCS)) | $(1)/tests/.dir
	@$$(if $(Q),echo '  TEST-CC $$(notdir $$@)')
	$(Q)$(HOST_CC) $(TCZ_CFLAGS) -Wno-missing-prototypes $(2) -o $$@ $$^ $(TCZ_LDLIBS)
endef
$(eval $(call unit-variant,$(O)/host,))
$(eval $(call unit-variant,$(O)/host-asan,$(TCZ_SAN_FLAGS)))

# libFuzzer targets (clang) for the parsers of untrusted input; the fast
# suite runs each for a few seconds on a seed corpus (tests/t/fuzz.sh).
FUZZ_SRCS := $(sort $(wildcard $(TOPDIR)/tests/fuzz/*_fuzz.c))
FUZZERS := $(patsubst $(TOPDIR)/tests/fuzz/%.c,$(O)/fuzz/%,$(FUZZ_SRCS))
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1
$(O)/fuzz/%_fuzz: $(TOPDIR)/tests/fuzz/%_fuzz.c $(TCZ_LIB_SRCS) $(wildcard $(TOPDIR)/src/*.h) | $(O)/fuzz/.dir $(O)/host/.deps-test
	@$(if $(Q),echo '  FUZZ-CC $(notdir $@)')
	$(Q)clang -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -D_FILE_OFFSET_BITS=64 -I$(TOPDIR)/src \
		$(shell pkg-config --cflags $(TCZ_PKGS) 2>/dev/null) $(TCZ_SONAMES) $(FUZZ_FLAGS) -o $@ $< $(TCZ_LIB_SRCS) $(TCZ_LDLIBS)

TEST_UNITS := $(patsubst $(TOPDIR)/tests/unit/%.c,$(O)/host/tests/%,$(TEST_UNIT_SRCS))
TEST_UNITS_ASAN := $(patsubst $(TOPDIR)/tests/unit/%.c,$(O)/host-asan/tests/%,$(TEST_UNIT_SRCS))

# The fast suite builds small stand-in packages through the recipe
# infrastructure (the packages tier: zsync, ccache, graphviz) and small
# images (the image tier). Both are installed before any test starts: a
# test that installed them itself would race another test's apt-get, and a
# ccache appearing in the middle of a test changes the compiler command
# and so the package keys that test compares.
TEST_HOST_DEPS := $(O)/host/.deps-test $(O)/host/.deps-packages $(O)/host/.deps-image

.PHONY: test test-fast test-asan
test: $(TCZ) $(TCZ_ASAN) $(TEST_UNITS) $(TEST_UNITS_ASAN) $(FUZZERS) $(TEST_HOST_DEPS)
	$(Q)O=$(O) $(TOPDIR)/tests/run.sh --asan fast

# One pass only, for quick iteration: `make test-fast T=pack` runs tests/t/pack.sh.
test-fast: $(TCZ) $(TEST_UNITS) $(FUZZERS) $(TEST_HOST_DEPS)
	$(Q)O=$(O) $(TOPDIR)/tests/run.sh fast $(T)

# Slow tiers: each tests/<tier>/*.sh script brings what it needs. One script
# at a time: they build into the same $(O) (staging, toolchain link).
.PHONY: test-toolchain test-e2e
test-toolchain: $(TCZ) $(O)/host/.deps-test $(O)/host/.deps-toolchain $(O)/host/.deps-toolchain-test
	$(Q)O=$(O) $(TOPDIR)/tests/toolchain/prepare
	$(Q)O=$(O) TEST_JOBS=1 $(TOPDIR)/tests/run.sh toolchain $(T)
test-e2e: $(TCZ) $(O)/host/.deps-test $(O)/host/.deps-toolchain $(O)/host/.deps-toolchain-test \
		$(O)/host/.deps-kernel $(O)/host/.deps-kernel-test $(O)/host/.deps-packages $(O)/host/.deps-image
	$(Q)O=$(O) $(TOPDIR)/tests/toolchain/prepare
	$(Q)O=$(O) TEST_JOBS=1 $(TOPDIR)/tests/run.sh e2e $(T)

# The install steps on a fresh debootstrap bookworm root (tests/fresh-root.sh):
# slow, needs root and the Debian archive; CI runs it, `make test` does not.
# FRESH_ROOT_TIERS limits it to some tiers (default: all).
.PHONY: test-fresh-root
test-fresh-root: $(O)/host/.deps-fresh-root
	$(Q)O=$(O) $(TOPDIR)/tests/fresh-root.sh $(FRESH_ROOT_TIERS)

# Benchmarks against peer tools, one table of ratios and goals
# (tests/bench/run.sh); not part of `make test`.
.PHONY: bench
bench: $(TCZ) $(O)/host/.deps-bench $(O)/host/.deps-test
	$(Q)O=$(O) TCZ=$(TCZ) $(TOPDIR)/tests/bench/run.sh
