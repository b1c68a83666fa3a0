# The tcz tool: one binary, one subcommand or one format per src/*.c file.
# Built twice when testing: the normal binary in $(O)/host, and one with
# AddressSanitizer + UndefinedBehaviorSanitizer in $(O)/host-asan.

# Linked in (static archives): what every image command needs, so that
# `tcz list` of a small extension starts as fast as unsquashfs, not 6
# shared objects later. Loaded on first use, by the SONAME their -dev
# package links against (src/lazylibs.c): the large ones, which would
# otherwise cost every run ~10 ms of loading.
TCZ_LINKED_PKGS := libsquashfs1 libdeflate liblzma
TCZ_LAZY_LIBS := archive curl crypto elf capstone
TCZ_PKGS := $(TCZ_LINKED_PKGS) libarchive libcurl libcrypto libelf capstone
TCZ_SRCS := $(sort $(wildcard $(TOPDIR)/src/*.c))
HOST_CC ?= cc
TCZ_SONAMES := $(shell for l in $(TCZ_LAZY_LIBS); do \
	s=$$(objdump -p "$$($(HOST_CC) -print-file-name=lib$$l.so)" 2>/dev/null | awk '$$1 == "SONAME" { print $$2 }'); \
	echo "-DTCZ_SONAME_$$(echo $$l | tr a-z A-Z)='\"$$s\"'"; done)
TCZ_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -D_FILE_OFFSET_BITS=64 \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-O2 -g $(shell pkg-config --cflags $(TCZ_PKGS) 2>/dev/null) $(TCZ_SONAMES)
TCZ_STATIC_LIBS := $(filter-out -pthread -lpthread,$(shell pkg-config --static --libs $(TCZ_LINKED_PKGS) 2>/dev/null))
TCZ_LDLIBS := -Wl,-Bstatic $(TCZ_STATIC_LIBS) -Wl,-Bdynamic -lpthread -ldl
# A library updated by the package manager relinks tcz.
TCZ_LINKED_ARCHIVES := $(sort $(foreach l,$(patsubst -l%,%,$(filter -l%,$(TCZ_STATIC_LIBS))),\
	$(wildcard $(shell $(HOST_CC) -print-file-name=lib$(l).a))))
TCZ_SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

Q := $(if $(V),,@)

# $(call tcz-variant,OUTDIR,EXTRA_FLAGS)
define tcz-variant
$(1)/obj/%.o: $(TOPDIR)/src/%.c | $(1)/obj/.dir $(O)/host/.deps-tools
	@$$(if $(Q),echo '  CC      $$(notdir $$@)')
	$(Q)$(HOST_CC) $(TCZ_CFLAGS) $(2) -MMD -MP -c -o $$@ $$<

$(1)/bin/tcz: $(patsubst $(TOPDIR)/src/%.c,$(1)/obj/%.o,$(TCZ_SRCS)) $(TCZ_LINKED_ARCHIVES) | $(1)/bin/.dir
	@$$(if $(Q),echo '  LD      $$@')
	$(Q)$(HOST_CC) $(2) -o $$@.tmp $$(filter %.o,$$^) $(TCZ_LDLIBS) && mv -f $$@.tmp $$@

-include $(patsubst $(TOPDIR)/src/%.c,$(1)/obj/%.d,$(TCZ_SRCS))
endef

$(eval $(call tcz-variant,$(O)/host,))
$(eval $(call tcz-variant,$(O)/host-asan,$(TCZ_SAN_FLAGS)))

TCZ_ASAN := $(O)/host-asan/bin/tcz

%/.dir:
	$(Q)mkdir -p $(@D) && touch $@

# Host packages of a tier, checked once (again when the list changes); the
# script installs them as root or prints the exact command.
$(O)/host/.deps-%: $(TOPDIR)/toolchain/host-deps.sh
	$(Q)mkdir -p $(@D) && $< $* && touch $@

.PHONY: tools tools-asan
tools: $(TCZ)
tools-asan: $(TCZ_ASAN)

# Stamps and directory markers are kept, not treated as intermediate files.
.PRECIOUS: %/.dir $(O)/host/.deps-%
