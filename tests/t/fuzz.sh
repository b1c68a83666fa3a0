# A short libFuzzer run of each parser of untrusted input (tests/fuzz/),
# from seeds made here: real companion files and a real image. A crash, a
# leak or undefined behaviour fails the test.
. "$(dirname "$0")/../lib.sh"

FUZZ=$O/fuzz

seeds_companion() {
	mkdir -p "$T/seeds"
	printf 'openssl-0.9.8.tcz\nipv6-KERNEL.tcz\n' > "$T/seeds/dep"
	printf 'Title:\t\tfuzz.tcz\nDescription:\tx\nVersion:\t1\nAuthor:\t\ta\nOriginal-site:\t-\nCopying-policy:\t-\nSize:\t\t4K\nExtension_by:\t-\nComments:\t-\n\t\tmore\nChange-log:\t-\nCurrent:\t-\n' > "$T/seeds/info"
	printf 'd41d8cd98f00b204e9800998ecf8427e  fuzz.tcz\n' > "$T/seeds/md5"
}

test_companion_parsers_survive_fuzzing() {
	seeds_companion
	expect_ok "$FUZZ/companion_fuzz" -max_total_time=5 -close_fd_mask=2 "$T/seeds"
	expect_grep 'Done [0-9]+ runs' "$T/err"
}

test_image_reader_survives_fuzzing() {
	mkdir -p "$T/tree/usr/local/bin" "$T/seeds"
	echo hi > "$T/tree/usr/local/bin/x"; ln -s x "$T/tree/usr/local/bin/y"
	SOURCE_DATE_EPOCH=1 "$TCZ" pack -q "$T/tree" -o "$T/seeds/a.tcz"
	rm "$T"/seeds/a.tcz.*
	expect_ok "$FUZZ/image_fuzz" -max_total_time=5 -max_len=8192 -close_fd_mask=2 "$T/seeds"
	expect_grep 'Done [0-9]+ runs' "$T/err"
}

# Seeds whose metadata is stored uncompressed (mksquashfs -noI -noD -noF,
# tests/sqfsgen.py --raw), so that mutations reach entries and inodes: one
# entry pointed at another directory is the sharing of issue 12's item 5.
test_image_tree_reader_survives_fuzzing() {
	mkdir -p "$T/tree/a/b/c" "$T/tree/d/e" "$T/seeds"
	echo hi > "$T/tree/a/b/c/x"; echo there > "$T/tree/d/y"; ln -s ../a "$T/tree/d/e/up"
	mksquashfs "$T/tree" "$T/seeds/plain.tcz" -noI -noD -noF -noX -no-xattrs -b 4k -all-root \
		-quiet -no-progress >/dev/null
	python3 "$TESTS/sqfsgen.py" --raw dag "$T/seeds/dag.tcz" 3
	python3 "$TESTS/sqfsgen.py" --raw dup "$T/seeds/dup.tcz"
	expect_ok "$FUZZ/image_tree_fuzz" -max_total_time=5 -max_len=8192 -rss_limit_mb=1024 \
		-malloc_limit_mb=512 -close_fd_mask=2 "$T/seeds"
	expect_grep 'Done [0-9]+ runs' "$T/err"
}

run_tests
