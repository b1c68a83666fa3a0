# tcz mirror build/sync and tcz install, against a stand-in upstream 3.x
# mirror made here: top -> mid -> base, top -> ipv6-KERNEL, and an unrelated
# extension that must never be fetched.
. "$(dirname "$0")/../lib.sh"

KVER=2.6.33.3-tinycore

make_ext() { # NAME DEPS...: a small extension in $T/exts, with .dep
	local name=$1; shift
	mkdir -p "$T/trees/$name/usr/local/share/$name"
	echo "$name content" > "$T/trees/$name/usr/local/share/$name/file"
	seq 1 2000 > "$T/trees/$name/usr/local/share/$name/numbers"
	mkdir -p "$T/exts"
	if [ $# -gt 0 ]; then printf '%s\n' "$@" > "$T/dep.$name"; set -- --dep "$T/dep.$name"; fi
	SOURCE_DATE_EPOCH=1300000000 "$TCZ" pack -q "$T/trees/$name" -o "$T/exts/$name.tcz" "$@"
}

upstream() { # the stand-in upstream, served by the logging test server
	make_ext base
	make_ext mid base.tcz
	make_ext "ipv6-$KVER"
	make_ext top mid.tcz ipv6-KERNEL.tcz
	make_ext unrelated
	expect_ok "$TCZ" mirror build "$T/up" "$T"/exts/*.tcz
	start_bad_http "$T/up"
	UP=$BAD_URL/good
}

listing() { # DIR: every path with its type, mode and content hash
	(cd "$1" && find . -path ./proc -prune -o -printf '%y %m %p %l\n' | LC_ALL=C sort
	 find . -type f -exec md5sum {} + | LC_ALL=C sort -k2)
}

test_build_writes_the_3x_index_files() {
	upstream
	expect_eq "$(readlink "$T/up/3.x/tcz" | cut -c1-5)" ".tcz." "generation link"
	expect_eq "$(zcat "$T/up/3.x/tcz/info.lst.gz" | tr '\n' ' ')" \
		"base.tcz ipv6-$KVER.tcz mid.tcz top.tcz unrelated.tcz " "info.lst.gz"
	zcat "$T/up/3.x/tcz/sizelist.gz" > "$T/sizes"
	expect_grep "^top.tcz $(stat -c %s "$T/exts/top.tcz")\$" "$T/sizes"
	zcat "$T/up/3.x/tcz/md5.db.gz" > "$T/md5"
	(cd "$T/up/3.x/tcz" && md5sum -c --quiet "$T/md5") || fail "md5.db.gz does not match"
	expect_eq "$(od -An -tx1 -j4 -N4 "$T/up/3.x/tcz/md5.db.gz" | tr -d ' ')" 00000000 "gzip header time"
}

test_adding_one_keeps_the_others_and_removing_drops_it_everywhere() {
	make_ext base; make_ext other
	expect_ok "$TCZ" mirror build "$T/m" "$T/exts/base.tcz"
	local ino; ino=$(stat -L -c %i "$T/m/3.x/tcz/base.tcz")
	expect_ok "$TCZ" mirror build "$T/m" "$T/exts/other.tcz"
	expect_eq "$(stat -L -c %i "$T/m/3.x/tcz/base.tcz")" "$ino" "unchanged extension hard-linked, not copied"
	expect_eq "$(zcat "$T/m/3.x/tcz/md5.db.gz" | wc -l)" 2 "md5.db entries"
	expect_ok "$TCZ" mirror build "$T/m" --remove base
	expect_no_file "$T/m/3.x/tcz/base.tcz"
	expect_no_file "$T/m/3.x/tcz/base.tcz.md5.txt"
	for f in info.lst.gz sizelist.gz md5.db.gz; do
		zcat "$T/m/3.x/tcz/$f" > "$T/idx"
		expect_no_grep '^base\.tcz|  base\.tcz$' "$T/idx"
	done
	expect_eq "$(ls -a "$T/m/3.x" | grep -c '^\.tcz\.')" 1 "old generations removed"
}

# tce-load would fail on the guest with a 404: mirror build refuses first.
test_build_refuses_missing_dependencies_and_publishes_nothing() {
	make_ext base; make_ext other; make_ext "ipv6-$KVER"
	make_ext mid base.tcz
	make_ext top mid.tcz ipv6-KERNEL.tcz other.tcz
	expect_status 3 "$TCZ" mirror build "$T/m" "$T/exts/mid.tcz" "$T/exts/top.tcz"
	expect_grep "^tcz: $T/exts/mid.tcz.dep:1: base.tcz is not in the mirror\$" "$T/err"
	expect_grep "^tcz: $T/exts/top.tcz.dep:2: ipv6-KERNEL.tcz: the mirror holds it for no kernel\$" "$T/err"
	expect_grep "^tcz: $T/exts/top.tcz.dep:3: other.tcz is not in the mirror\$" "$T/err"
	expect_grep '3 dependencies missing: nothing published' "$T/err"
	expect_eq "$(ls -A "$T/m/3.x")" "" "published or left behind"
	# Layered over upstream: allowed, and said.
	expect_ok "$TCZ" mirror build --allow-missing "$T/m" "$T/exts/mid.tcz" "$T/exts/top.tcz"
	expect_grep '3 dependencies are not in this mirror \(allowed: --allow-missing\)' "$T/err"
	expect_file "$T/m/3.x/tcz/top.tcz"
	# Completed: no complaint.
	expect_ok "$TCZ" mirror build "$T/m" "$T/exts/base.tcz" "$T/exts/other.tcz" "$T/exts/ipv6-$KVER.tcz"
	expect_no_grep 'not in' "$T/err"
	# Removing a dependency others need: refused, the mirror stays.
	local gen; gen=$(readlink "$T/m/3.x/tcz")
	expect_status 3 "$TCZ" mirror build "$T/m" --remove base
	expect_grep "^tcz: $T/m/3.x/tcz/mid.tcz.dep:1: base.tcz is not in the mirror\$" "$T/err"
	expect_eq "$(readlink "$T/m/3.x/tcz")" "$gen" "generation switched"
	expect_file "$T/m/3.x/tcz/base.tcz"
	expect_eq "$(ls -a "$T/m/3.x" | grep -c '^\.tcz\.')" 1 "generations"
}

# KERNEL stands for every kernel version the mirror has extensions for.
test_build_checks_kernel_dependencies_for_every_kernel_present() {
	local co=2.6.33.7-co-0.7.9
	make_ext "ipv6-$KVER"; make_ext "fs-$KVER"; make_ext "fs-$co"; make_ext openssl-0.9.8
	make_ext modules fs-KERNEL.tcz ipv6-KERNEL.tcz openssl-0.9.8.tcz
	expect_status 3 "$TCZ" mirror build "$T/m" "$T"/exts/*.tcz
	expect_grep "^tcz: $T/exts/modules.tcz.dep:2: ipv6-$co.tcz is not in the mirror \(KERNEL = $co\)\$" "$T/err"
	expect_eq "$(grep -c 'not in the mirror' "$T/err")" 1 "missing entries (openssl-0.9.8 is no kernel)"
	make_ext "ipv6-$co"
	expect_ok "$TCZ" mirror build "$T/m" "$T"/exts/*.tcz
}

dead_pid() { sh -c 'echo $$'; } # a process that has ended

# A killed build leaves its generation; the next build removes it (and what
# any dead build left), never one of a live process, never the current one.
test_killed_build_leaves_a_generation_the_next_build_removes() {
	make_ext base
	expect_ok "$TCZ" mirror build "$T/m" "$T/exts/base.tcz"
	local cur; cur=$(readlink "$T/m/3.x/tcz")
	# Slow to add (its md5 is checked): 300 MB, sparse.
	truncate -s 300M "$T/exts/big.tcz"
	(cd "$T/exts" && md5sum big.tcz > big.tcz.md5.txt)
	"$TCZ" mirror build "$T/m" "$T/exts/big.tcz" >/dev/null 2>&1 &
	local pid=$! i
	for i in $(seq 500); do ls -d "$T"/m/3.x/.tcz.*."$pid" >/dev/null 2>&1 && break; sleep 0.01; done
	kill -9 $pid; wait $pid 2>/dev/null || true
	ls -d "$T"/m/3.x/.tcz.*."$pid" >/dev/null 2>&1 || fail "the killed build left no generation (too fast?)"
	expect_eq "$(readlink "$T/m/3.x/tcz")" "$cur" "generation switched by a killed build"
	# More of the same, by hand: a dead writer's generation and link
	# temporary, and a live one's generation.
	local dead; dead=$(dead_pid)
	mkdir -p "$T/m/3.x/.tcz.1300000000.$dead/sub" "$T/m/3.x/.tcz.1300000000.$$"
	echo x > "$T/m/3.x/.tcz.1300000000.$dead/sub/f"
	ln -s ".tcz.1300000000.$dead" "$T/m/3.x/tcz.tmp.$dead"
	make_ext other
	expect_ok "$TCZ" mirror build "$T/m" "$T/exts/other.tcz"
	ls -a "$T/m/3.x" | grep -v '^\.\.\?$' | sort > "$T/left"
	printf '%s\n' ".tcz.1300000000.$$" "$(readlink "$T/m/3.x/tcz")" tcz | sort > "$T/want"
	expect_same_files "$T/want" "$T/left"
	expect_file "$T/m/3.x/tcz/base.tcz"
	expect_file "$T/m/3.x/tcz/other.tcz"
}

test_build_refuses_an_extension_whose_md5_lies() {
	make_ext base
	printf '00000000000000000000000000000000  base.tcz\n' > "$T/exts/base.tcz.md5.txt"
	expect_status 1 "$TCZ" mirror build "$T/m" "$T/exts/base.tcz"
	expect_grep 'does not match its .md5.txt' "$T/err"
	expect_no_file "$T/m/3.x/tcz"
}

# The added extensions are hashed on every core: among many, the one whose
# md5 lies, and one that cannot be read, are each named, and nothing is
# published. Companions are linked when they are there (through a symlink,
# the file it names), skipped when not (a symlink to nothing included).
test_build_hashes_many_at_once_and_names_each_bad_one() {
	local i
	for i in $(seq 40); do make_ext "e$i"; done
	printf '00000000000000000000000000000000  e17.tcz\n' > "$T/exts/e17.tcz.md5.txt"
	expect_status 1 "$TCZ" mirror build "$T/m" "$T"/exts/*.tcz "$T/exts/gone.tcz"
	expect_grep 'gone.tcz: No such file' "$T/err"
	expect_no_file "$T/m/3.x/tcz"
	expect_status 1 "$TCZ" mirror build "$T/m" "$T"/exts/*.tcz
	expect_grep 'e17.tcz: md5 [0-9a-f]{32} does not match its .md5.txt \(0{32}\)' "$T/err"
	expect_no_file "$T/m/3.x/tcz"
	(cd "$T/exts" && md5sum e17.tcz > e17.tcz.md5.txt)
	mv "$T/exts/e3.tcz.md5.txt" "$T/md5.e3"; ln -s "$T/md5.e3" "$T/exts/e3.tcz.md5.txt"
	ln -s "$T/nowhere" "$T/exts/e4.tcz.info"
	expect_ok "$TCZ" mirror build "$T/m" "$T"/exts/*.tcz
	[ -f "$T/m/3.x/tcz/e3.tcz.md5.txt" ] && [ ! -L "$T/m/3.x/tcz/e3.tcz.md5.txt" ] || fail "e3's md5.txt not linked as a file"
	expect_no_file "$T/m/3.x/tcz/e4.tcz.info"
	expect_eq "$(ls "$T/m/3.x/tcz" | grep -c '\.tcz$')" 40 "extensions"
}

test_sync_fetches_exactly_the_closure() {
	upstream
	expect_ok "$TCZ" mirror sync --from "$UP" --to "$T/mir" top
	grep -o 'GET /good/3.x/tcz/[^ ]*\.tcz ' "$BAD_LOG" | sort -u | awk '{print $2}' > "$T/got"
	printf '/good/3.x/tcz/%s\n' base.tcz "ipv6-$KVER.tcz" mid.tcz top.tcz > "$T/want"
	expect_same_files "$T/want" "$T/got"
	expect_no_grep unrelated "$BAD_LOG"
	# Each .md5.txt once: read while resolving, not fetched again to verify.
	expect_eq "$(grep -c '\.md5\.txt ' "$BAD_LOG")" 4 "requests for .md5.txt files"
	(cd "$T/mir/3.x/tcz" && md5sum -c --quiet ./*.md5.txt) || fail "synced files do not verify"
	expect_eq "$(wc -l < "$T/mir/tcz-sha256.lock")" 4 "sha256 lock entries"
	expect_file "$T/mir/3.x/tcz/top.tcz.dep"
}

test_sync_dry_run_lists_sizes_and_fetches_no_extension() {
	upstream
	expect_ok "$TCZ" mirror sync --dry-run --from "$UP" --to "$T/mir" top
	expect_grep "^top.tcz $(stat -c %s "$T/exts/top.tcz")\$" "$T/out"
	expect_grep '^total [0-9]+ bytes$' "$T/out"
	expect_no_grep 'GET /good/3.x/tcz/[^ ]*\.tcz ' "$BAD_LOG"
}

test_sync_dry_run_says_when_sizelist_is_unreadable() {
	upstream
	# Cut short: what was inflated before the damage would give wrong
	# sizes, so none is taken.
	local f=$T/up/3.x/tcz/sizelist.gz
	head -c $(( $(stat -c %s "$f") / 2 )) "$f" > "$f.cut" && mv "$f.cut" "$f"
	expect_ok "$TCZ" mirror sync --dry-run --from "$UP" --to "$T/mir" top
	expect_grep '^top.tcz \?$' "$T/out"
	expect_grep 'sizelist.gz: .*; sizes unknown' "$T/err"
}

test_install_equals_unpacking_each_by_hand_and_is_idempotent() {
	upstream
	mkdir "$T/root" "$T/byhand"
	expect_ok "$TCZ" install top --root "$T/root" --mirror "$UP" --onboot --keep
	for e in base mid "ipv6-$KVER" top; do "$TCZ" unpack "$T/exts/$e.tcz" -C "$T/byhand"; done
	diff -r "$T/byhand/usr/local/share" "$T/root/usr/local/share" >&2 || fail "installed files differ"
	expect_eq "$(ls "$T/root/usr/local/tce.installed" | tr '\n' ' ')" "base ipv6-$KVER mid top " "markers"
	expect_eq "$(cat "$T/root/tce/onboot.lst")" "top.tcz" "onboot.lst"
	expect_file "$T/root/tce/optional/top.tcz"
	listing "$T/root" > "$T/before"
	expect_ok "$TCZ" install top --root "$T/root" --mirror "$UP" --onboot --keep
	listing "$T/root" > "$T/after"
	expect_same_files "$T/before" "$T/after"
}

test_install_aborts_with_root_unchanged() {
	upstream
	mkdir -p "$T/root/etc"; echo keep > "$T/root/etc/keep"
	listing "$T/root" > "$T/before"
	# A corrupted extension on the mirror (its .md5.txt no longer matches).
	printf 'garbage' | dd of="$T/up/3.x/tcz/mid.tcz" bs=1 seek=200 conv=notrunc 2>/dev/null
	expect_status 1 "$TCZ" install top --root "$T/root" --mirror "$T/up"
	expect_grep 'mid.tcz: download or md5 check failed: nothing was installed' "$T/err"
	listing "$T/root" > "$T/after"
	expect_same_files "$T/before" "$T/after"
	# A missing dependency.
	rm "$T/up/3.x/tcz/base.tcz.md5.txt"
	expect_status 1 "$TCZ" install top --root "$T/root" --mirror "$T/up"
	expect_grep 'base.tcz is needed by mid.tcz' "$T/err"
	listing "$T/root" > "$T/after"
	expect_same_files "$T/before" "$T/after"
}

test_dependency_cycle_is_named() {
	make_ext a b.tcz; make_ext b c.tcz; make_ext c a.tcz
	expect_ok "$TCZ" mirror build "$T/m" "$T"/exts/*.tcz
	mkdir "$T/root"
	expect_status 1 "$TCZ" install a --root "$T/root" --mirror "$T/m"
	expect_grep 'dependency cycle: a.tcz -> b.tcz -> c.tcz -> a.tcz' "$T/err"
	expect_eq "$(ls -A "$T/root")" "" "root touched"
}

test_hostile_names_are_refused() {
	upstream
	mkdir "$T/root"
	expect_status 1 "$TCZ" install ../../etc/passwd --root "$T/root" --mirror "$T/up"
	expect_grep 'is not an extension name' "$T/err"
	printf '../evil.tcz\n' > "$T/up/3.x/tcz/top.tcz.dep"
	expect_status 1 "$TCZ" install top --root "$T/root" --mirror "$T/up"
	expect_grep "top.tcz.dep:1: '../evil.tcz' is not an extension name" "$T/err"
}

# KERNEL ends up in URLs and paths: --kernel must be a kernel release.
test_kernel_option_is_validated_by_every_command() {
	upstream
	mkdir "$T/root"
	local bad
	for bad in ../../../etc/x ../x 'a/b' .hidden '' "$(printf 'k%.0s' $(seq 65))"; do
		: > "$BAD_LOG"
		expect_status 2 "$TCZ" install top --root "$T/root" --mirror "$UP" --kernel "$bad"
		expect_grep "tcz install: --kernel '.*': not a kernel release" "$T/err"
		expect_status 2 "$TCZ" mirror sync --from "$UP" --to "$T/mir" --kernel "$bad" top
		expect_grep "tcz mirror: --kernel '.*': not a kernel release" "$T/err"
		expect_eq "$(wc -l < "$BAD_LOG")" 0 "requests made with --kernel '$bad'"
		expect_eq "$(ls -A "$T/root")" "" "root touched with --kernel '$bad'"
		expect_no_file "$T/mir"
		expect_status 2 "$TCZ" check --kernel "$bad" "$T/exts/top.tcz"
		expect_grep "tcz check: --kernel '.*': want a version such as 2.6.33" "$T/err"
		expect_status 2 "$TCZ" elf --kernel "$bad" "$TCZ"
		expect_grep "tcz elf: --kernel '.*': want a version such as 2.6.33" "$T/err"
	done
	expect_status 2 "$TCZ" check --glibc 2.11x "$T/exts/top.tcz"
	# A real release still works.
	expect_ok "$TCZ" install top --root "$T/root" --mirror "$UP" --kernel "$KVER"
}

# TCL3's own client: busybox wget against `make mirror-serve`, walking .dep
# files as tce-load does.
test_busybox_wget_installs_the_closure_like_tce_load() {
	make_ext base; make_ext mid base.tcz; make_ext "ipv6-$KVER"; make_ext top mid.tcz ipv6-KERNEL.tcz
	mkdir -p "$T/o/tcz"
	cp "$T"/exts/* "$T/o/tcz/"
	local port=$((20000 + RANDOM % 20000))
	make -s -C "$TOP" mirror-serve O="$T/o" TCZ="$TCZ" MIRROR_ADDR="127.0.0.1:$port" > "$T/serve.out" 2>&1 &
	SERVE_PID=$!
	trap 'pkill -P $SERVE_PID 2>/dev/null || true; kill $SERVE_PID 2>/dev/null || true' EXIT
	local i
	for i in $(seq 100); do busybox wget -q -O /dev/null "http://127.0.0.1:$port/3.x/tcz/info.lst.gz" 2>/dev/null && break; sleep 0.1; done
	expect_grep "echo http://127.0.0.1:$port/ > /opt/tcemirror" "$T/serve.out"
	mkdir "$T/tce"
	fetch_ext() { # as tce-load: .md5.txt, .tcz, md5sum -c, then .dep recursively
		local name=${1//KERNEL/$KVER} base=http://127.0.0.1:$port/3.x/tcz
		[ -f "$T/tce/$name" ] && return 0
		(cd "$T/tce" && busybox wget -q "$base/$name.md5.txt" && busybox wget -q "$base/$name" &&
			busybox md5sum -c "$name.md5.txt" >/dev/null) || fail "tce-load-like fetch of $name failed"
		if (cd "$T/tce" && busybox wget -q "$base/$name.dep" 2>/dev/null); then
			local d; for d in $(cat "$T/tce/$name.dep"); do fetch_ext "$d"; done
		fi
	}
	fetch_ext top.tcz
	expect_eq "$(ls "$T/tce" | grep '\.tcz$' | tr '\n' ' ')" "base.tcz ipv6-$KVER.tcz mid.tcz top.tcz " "fetched"
}

# Every way mirror build can fail before it makes a generation: a clear
# error, nothing made or changed, and (under ASan) nothing leaked.
test_build_that_fails_before_a_generation_leaks_nothing() {
	make_ext base
	: > "$T/file"
	expect_status 1 "$TCZ" mirror build "$T/file" "$T/exts/base.tcz"
	expect_grep "^tcz: $T/file/3.x: Not a directory\$" "$T/err"
	expect_status 1 "$TCZ" mirror build "$T/no/such" "$T/exts/base.tcz"
	expect_grep "^tcz: $T/no/such: No such file or directory\$" "$T/err"
	expect_no_file "$T/no"
	mkdir -p "$T/m/3.x"
	echo keep > "$T/m/3.x/tcz"
	expect_status 1 "$TCZ" mirror build "$T/m" "$T/exts/base.tcz"
	expect_grep "^tcz: $T/m/3.x/tcz: exists and is not the generation link tcz mirror manages\$" "$T/err"
	expect_eq "$(ls -A "$T/m/3.x")" tcz "left in $T/m/3.x"
	expect_eq "$(cat "$T/m/3.x/tcz")" keep "$T/m/3.x/tcz"
}

# Wrong command lines, after a --remove was taken: refused, nothing made,
# nothing leaked.
test_wrong_build_command_line_leaks_nothing() {
	expect_status 2 "$TCZ" mirror build --remove base --remove ../x "$T/m"
	expect_grep "^tcz mirror: --remove ../x: not an extension name" "$T/err"
	expect_status 2 "$TCZ" mirror build --remove base
	expect_grep "^tcz mirror: build: no mirror directory given" "$T/err"
	expect_no_file "$T/m"
}

# The current generation is what an update starts from: one that cannot be
# read fails the update (it published a mirror without the unchanged
# extensions before); one removed by hand leaves nothing to keep.
test_build_refuses_a_current_generation_it_cannot_read() {
	make_ext base; make_ext other
	expect_ok "$TCZ" mirror build "$T/m" "$T/exts/base.tcz"
	local gen; gen=$(readlink "$T/m/3.x/tcz")
	rm -r "$T/m/3.x/$gen"
	echo unreadable > "$T/m/3.x/$gen"
	expect_status 1 "$TCZ" mirror build "$T/m" "$T/exts/other.tcz"
	expect_grep "^tcz: $T/m/3.x/$gen: Not a directory\$" "$T/err"
	expect_eq "$(readlink "$T/m/3.x/tcz")" "$gen" "generation link"
	expect_eq "$(ls -A "$T/m/3.x" | tr '\n' ' ')" "$gen tcz " "left in $T/m/3.x"
	expect_eq "$(cat "$T/m/3.x/$gen")" unreadable "$T/m/3.x/$gen"
	rm "$T/m/3.x/$gen"
	expect_ok "$TCZ" mirror build "$T/m" "$T/exts/other.tcz"
	expect_eq "$(zcat "$T/m/3.x/tcz/info.lst.gz")" other.tcz "info.lst.gz"
}

run_tests
