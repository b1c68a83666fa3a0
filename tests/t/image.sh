# Hostile images for the readers (list, info, check, unpack): what no
# packer makes, written by tests/sqfsgen.py, with squashfs-tools as the
# oracle where it has an answer.
. "$(dirname "$0")/../lib.sh"

gen() { python3 "$TESTS/sqfsgen.py" "$@"; }

# bounded CMD...: CMD with its memory capped (1 GB) and 30 s at most, so
# that a reader that allocates without bound fails here instead of taking
# the machine. ASan reserves terabytes of address space, so its own RSS
# limit stands in for ulimit -v there.
bounded() {
	case $TCZ in
	*/host-asan/*) ASAN_OPTIONS=$ASAN_OPTIONS:hard_rss_limit_mb=1000 timeout 30 "$@" ;;
	*) (ulimit -v 1000000 && exec timeout 30 "$@") ;;
	esac
}

readers_refuse() { # IMAGE PATTERN: every reader fails on IMAGE saying PATTERN, writes nothing
	local cmd
	mkdir -p "$T/root"
	for cmd in list info check unpack; do
		local args=("$1")
		[ $cmd = unpack ] && args+=(-C "$T/root")
		expect_status 1 bounded "$TCZ" $cmd "${args[@]}"
		expect_grep "$2" "$T/err"
	done
	expect_eq "$(ls -A "$T/root")" "" "unpack wrote into ROOT"
}

# 41 directories, each naming the next twice: 2^40 paths in 4 KB.
test_shared_directories_are_refused_at_once() {
	gen dag "$T/dag.tcz" 40
	[ "$(stat -c %s "$T/dag.tcz")" -le 5120 ] || fail "the image is not a 5 KB one"
	local start=$SECONDS
	readers_refuse "$T/dag.tcz" 'dag.tcz: directory inode [0-9]+ is reached twice \(a shared or looping directory\)'
	[ $((SECONDS - start)) -lt 10 ] || fail "refusing took $((SECONDS - start)) s"
	# squashfs-tools refuses it too.
	expect_fail timeout 30 unsquashfs -d "$T/us" "$T/dag.tcz"
}

test_a_directory_loop_is_refused() {
	gen loop "$T/loop.tcz"
	readers_refuse "$T/loop.tcz" 'loop.tcz: directory inode 1 is reached twice .* at .again. in sub'
}

# Bounded without any sharing of directories: 1000 entries naming one
# file of 4 GiB in 4 KiB blocks, each entry a 4 MiB block list to hold.
test_the_tree_a_reader_builds_is_bounded() {
	gen fanout "$T/fan.tcz" 1000
	[ "$(stat -c %s "$T/fan.tcz")" -le 65536 ] || fail "the image is not a small one"
	readers_refuse "$T/fan.tcz" 'fan.tcz: names, block lists and link targets larger than 64 MiB'
	# One inode claiming a 16 GiB block list it does not hold: refused on
	# its claim, not allocated for.
	gen claim "$T/claim.tcz"
	readers_refuse "$T/claim.tcz" 'claim.tcz: names, block lists and link targets larger than 64 MiB'
	# Three of them are an ordinary tree.
	gen fanout "$T/three.tcz" 3
	expect_ok "$TCZ" list "$T/three.tcz"
	expect_eq "$(grep -c '/f[0-9]$' "$T/out")" 3 "entries listed"
}

# "x" twice in one directory: a symlink to /tmp, then a directory with a
# file in it. The later one used to win, or unpack left the symlink and
# failed half way.
test_a_name_twice_in_a_directory_is_refused() {
	gen dup "$T/dup.tcz"
	readers_refuse "$T/dup.tcz" "dup.tcz: duplicate name 'x' in /"
	expect_fail unsquashfs -d "$T/us" "$T/dup.tcz"
}

# A 3 GB file, every block a hole, in a 4 KB image: unpacked as
# unsquashfs unpacks it, a hole taking no blocks.
test_sparse_blocks_are_written_as_holes_like_unsquashfs() {
	gen sparse "$T/sparse.tcz" 3221225472
	[ "$(stat -c %s "$T/sparse.tcz")" -le 4096 ] || fail "the image is not a 4 KB one"
	mkdir "$T/root"
	expect_ok "$TCZ" unpack "$T/sparse.tcz" -C "$T/root"
	unsquashfs -q -no-progress -d "$T/us" "$T/sparse.tcz" >/dev/null
	expect_eq "$(stat -c '%s %b' "$T/root/big")" "$(stat -c '%s %b' "$T/us/big")" "size and blocks (ours, unsquashfs's)"
	expect_eq "$(du -s "$T/root/big" | cut -f1)" "$(du -s "$T/us/big" | cut -f1)" "du"
	expect_eq "$(stat -c %s "$T/root/big")" 3221225472 "apparent size"
	cmp -n 1048576 "$T/root/big" /dev/zero || fail "the hole does not read as zeros"
}

# Holes and data mixed, from a real packer: what comes out equals the input.
test_holes_between_data_blocks_read_back_exactly() {
	mkdir -p "$T/src"
	head -c 10000 /dev/urandom > "$T/src/f"
	truncate -s 300000 "$T/src/f"
	head -c 5000 /dev/urandom >> "$T/src/f"
	truncate -s 400000 "$T/src/f"
	mksquashfs "$T/src" "$T/x.tcz" -comp gzip -b 4k -no-xattrs -all-root -quiet -no-progress >/dev/null
	mkdir "$T/root"
	expect_ok "$TCZ" unpack "$T/x.tcz" -C "$T/root"
	cmp "$T/src/f" "$T/root/f" || fail "content differs"
	[ "$(stat -c %b "$T/root/f")" -lt 100 ] || fail "holes written out: $(stat -c %b "$T/root/f") blocks"
}

test_unpack_refuses_more_than_max_size_before_writing() {
	gen sparse "$T/sparse.tcz" 3221225472
	mkdir "$T/root"
	expect_status 1 "$TCZ" unpack --max-size 1M "$T/sparse.tcz" -C "$T/root"
	expect_grep 'sparse.tcz: its files come to 3.0G \(3221225472 bytes\), more than the limit of 1.0M' "$T/err"
	expect_status 1 env TCZ_MAX_SIZE=2G "$TCZ" unpack "$T/sparse.tcz" -C "$T/root"
	expect_grep 'more than the limit of 2.0G' "$T/err"
	# The default is 4G: 5 GB of holes is refused without any option.
	gen sparse "$T/five.tcz" 5368709120
	expect_status 1 env -u TCZ_MAX_SIZE "$TCZ" unpack "$T/five.tcz" -C "$T/root"
	expect_grep 'five.tcz: its files come to 5.0G .* more than the limit of 4.0G' "$T/err"
	expect_eq "$(ls -A "$T/root")" "" "something was written"
	expect_ok "$TCZ" unpack --max-size 0 "$T/five.tcz" -C "$T/root"
	expect_status 2 "$TCZ" unpack --max-size lots "$T/sparse.tcz" -C "$T/root"
	expect_grep "max-size 'lots'" "$T/err"
	expect_ok "$TCZ" unpack --help
	expect_grep '[-]-max-size SIZE' "$T/out"
}

# What a killed unpack leaves (.NAME.tcz-unpack.PID) goes on the next run;
# a live process's temporary stays.
test_unpack_removes_temporaries_of_dead_processes() {
	mkdir -p "$T/src/usr/local/bin" "$T/root/usr/local/bin"
	echo new > "$T/src/usr/local/bin/x"
	mksquashfs "$T/src" "$T/x.tcz" -comp gzip -b 4k -no-xattrs -all-root -quiet -no-progress >/dev/null
	sh -c 'exit 0' & local dead=$!; wait $dead
	echo partial > "$T/root/usr/local/bin/.x.tcz-unpack.$dead"
	echo partial > "$T/root/.usr.tcz-unpack.$dead"
	echo live > "$T/root/usr/local/bin/.x.tcz-unpack.$$"
	expect_ok "$TCZ" unpack "$T/x.tcz" -C "$T/root"
	expect_no_file "$T/root/usr/local/bin/.x.tcz-unpack.$dead"
	expect_no_file "$T/root/.usr.tcz-unpack.$dead"
	expect_file "$T/root/usr/local/bin/.x.tcz-unpack.$$"
	expect_grep '^new$' "$T/root/usr/local/bin/x"
}

run_tests
