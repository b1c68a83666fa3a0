# tcz pack / list / unpack / info / check, against squashfs-tools as oracle.
. "$(dirname "$0")/../lib.sh"

# A small tree with every kind of entry pack must keep.
make_tree() {
	local d=$1
	mkdir -p "$d/usr/local/bin" "$d/usr/local/share/empty" "$d/usr/local/lib"
	printf '#!/bin/sh\necho hello\n' > "$d/usr/local/bin/hello"
	chmod 4755 "$d/usr/local/bin/hello"
	ln -s hello "$d/usr/local/bin/hi"
	ln -s /usr/local/lib/libx.so.1 "$d/usr/local/lib/libx.so"
	head -c 200000 /dev/urandom > "$d/usr/local/lib/libx.so.1"
	ln "$d/usr/local/lib/libx.so.1" "$d/usr/local/bin/hardlink"
	seq 1 50000 > "$d/usr/local/share/numbers"
	: > "$d/usr/local/share/zero"
	chmod 0600 "$d/usr/local/share/numbers"
}

test_image_is_gzip_4k_without_xattrs() {
	make_tree "$T/src"
	expect_ok "$TCZ" pack "$T/src" -o "$T/x.tcz"
	unsquashfs -s "$T/x.tcz" > "$T/s"
	expect_grep '^Compression gzip' "$T/s"
	expect_grep '^Block size 4096' "$T/s"
	expect_grep 'Xattrs are not stored' "$T/s"
	expect_grep 'SQUASHFS 4:0' "$T/s"
}

test_owners_modes_links_as_unsquashfs_sees_them() {
	make_tree "$T/src"
	expect_ok "$TCZ" pack "$T/src" -o "$T/x.tcz"
	unsquashfs -lln "$T/x.tcz" > "$T/l"
	expect_no_grep ' [1-9][0-9]*/[0-9]+ | [0-9]+/[1-9][0-9]* ' "$T/l"
	expect_grep '^-rwsr-xr-x 0/0 .* squashfs-root/usr/local/bin/hello$' "$T/l"
	expect_grep '^lrwxrwxrwx 0/0 .* squashfs-root/usr/local/bin/hi -> hello$' "$T/l"
	expect_grep '^-rw------- 0/0 .* squashfs-root/usr/local/share/numbers$' "$T/l"
	expect_grep '^drwxr-xr-x 0/0 .* squashfs-root/usr/local/share/empty$' "$T/l"
}

test_unsquashfs_extracts_exactly_the_input() {
	make_tree "$T/src"
	expect_ok "$TCZ" pack "$T/src" -o "$T/x.tcz"
	unsquashfs -q -d "$T/ex" "$T/x.tcz" >/dev/null
	diff -r --no-dereference "$T/src" "$T/ex" >&2 || fail "unsquashfs output differs from the input"
	expect_eq "$(stat -c %i "$T/ex/usr/local/bin/hardlink")" "$(stat -c %i "$T/ex/usr/local/lib/libx.so.1")" \
		"hard link not kept"
}

test_same_bytes_across_runs_and_thread_counts() {
	make_tree "$T/src"
	export SOURCE_DATE_EPOCH=1300000000
	expect_ok "$TCZ" pack -j1 "$T/src" -o "$T/a.tcz"
	expect_ok "$TCZ" pack -j4 "$T/src" -o "$T/b.tcz"
	touch "$T/src/usr/local/bin/hello" # a newer mtime is clamped away
	expect_ok "$TCZ" pack -j4 "$T/src" -o "$T/c.tcz"
	expect_eq "$(md5sum < "$T/a.tcz")" "$(md5sum < "$T/b.tcz")" "-j1 and -j4"
	expect_eq "$(md5sum < "$T/a.tcz")" "$(md5sum < "$T/c.tcz")" "second run"
	unsquashfs -lln "$T/a.tcz" > "$T/l"
	expect_grep ' 2011-03-1[34] ..:.. squashfs-root/usr/local/bin/hello$' "$T/l"
}

# Blocks go through libdeflate (src/deflate.c): every level must inflate
# with squashfs-tools' zlib to exactly the input; more effort, fewer bytes.
test_every_level_inflates_to_the_input_and_more_effort_packs_smaller() {
	make_tree "$T/src"
	seq 1 60000 > "$T/src/usr/local/share/numbers.txt"
	export SOURCE_DATE_EPOCH=1300000000
	local l
	for l in 1 7 12; do
		expect_ok "$TCZ" pack -l "$l" "$T/src" -o "$T/l$l.tcz"
		unsquashfs -q -d "$T/ex$l" "$T/l$l.tcz" >/dev/null
		diff -r --no-dereference "$T/src" "$T/ex$l" >&2 || fail "level $l: unsquashfs output differs"
	done
	expect_ok "$TCZ" pack "$T/src" -o "$T/default.tcz"
	expect_eq "$(md5sum < "$T/default.tcz")" "$(md5sum < "$T/l7.tcz")" "default and -l 7"
	[ "$(stat -c %s "$T/l12.tcz")" -lt "$(stat -c %s "$T/l1.tcz")" ] || fail "level 12 is not smaller than level 1"
	expect_status 2 "$TCZ" pack -l 13 "$T/src" -o "$T/x.tcz"
	expect_grep "level '13': want a number from 1 to 12" "$T/err"
}

test_companion_files_in_tiny_core_format() {
	make_tree "$T/src"
	expect_ok "$TCZ" pack "$T/src" -o "$T/x.tcz"
	(cd "$T" && md5sum x.tcz) > "$T/want.md5"
	expect_same_files "$T/want.md5" "$T/x.tcz.md5.txt"
	(cd "$T/src" && find * -not -type d | LC_ALL=C sort) > "$T/want.list"
	expect_same_files "$T/want.list" "$T/x.tcz.list"
	expect_ok "$TCZ" check "$T/x.tcz"
}

info_file() { # NAME: a valid 3.x .info
	printf 'Title:\t\t%s\nDescription:\tdemo\nVersion:\t1.0\nAuthor:\t\tme\nOriginal-site:\thttp://x\nCopying-policy:\tMIT\nSize:\t\t4K\nExtension_by:\ttcbuild\nComments:\tline one\n\t\tline two\nChange-log:\t2011/01/01 first\nCurrent:\t2011/01/01 first\n' "$1"
}

test_info_and_dep_are_validated_and_copied() {
	make_tree "$T/src"
	info_file x.tcz > "$T/info"
	printf 'openssl-0.9.8.tcz\nipv6-KERNEL.tcz\n' > "$T/dep"
	expect_ok "$TCZ" pack "$T/src" -o "$T/x.tcz" --info "$T/info" --dep "$T/dep"
	expect_same_files "$T/info" "$T/x.tcz.info"
	expect_same_files "$T/dep" "$T/x.tcz.dep"
	expect_ok "$TCZ" check "$T/x.tcz"
}

test_bad_companions_fail_with_file_and_line_and_write_nothing() {
	make_tree "$T/src"
	info_file x.tcz | sed 's/^Author:/Tags:/' > "$T/info"
	expect_status 1 "$TCZ" pack "$T/src" -o "$T/x.tcz" --info "$T/info"
	expect_grep "$T/info:4: Tags is a 4.x field" "$T/err"
	expect_no_file "$T/x.tcz"
	printf 'a.tcz\n\nb.tcz\n' > "$T/dep"
	expect_status 1 "$TCZ" pack "$T/src" -o "$T/x.tcz" --dep "$T/dep"
	expect_grep "$T/dep:2: blank line" "$T/err"
	printf 'ipv6-2.6.33.3-tinycore.tcz\n' > "$T/dep"
	expect_status 1 "$TCZ" pack "$T/src" -o "$T/x.tcz" --dep "$T/dep"
	expect_grep "dep:1: .* names a kernel version: write -KERNEL.tcz" "$T/err"
	info_file other.tcz > "$T/info"
	expect_status 1 "$TCZ" pack "$T/src" -o "$T/x.tcz" --info "$T/info"
	expect_grep "Title 'other.tcz' does not name the extension x.tcz" "$T/err"
	expect_no_file "$T/x.tcz.info"
}

test_list_equals_unsquashfs_on_a_mksquashfs_image() {
	make_tree "$T/src"
	mksquashfs "$T/src" "$T/m.tcz" -comp gzip -b 4k -no-xattrs -all-root -quiet -no-progress >/dev/null
	expect_ok "$TCZ" list "$T/m.tcz"
	unsquashfs -l "$T/m.tcz" | grep '^squashfs-root' > "$T/want"
	expect_same_files "$T/want" "$T/out"
}

test_unpack_overlays_like_unsquashfs_f() {
	make_tree "$T/src"
	expect_ok "$TCZ" pack "$T/src" -o "$T/x.tcz"
	mkdir -p "$T/root/usr/local/bin" "$T/root/etc"
	echo old > "$T/root/usr/local/bin/hello"
	echo keep > "$T/root/etc/keep"
	expect_ok "$TCZ" unpack "$T/x.tcz" -C "$T/root"
	expect_grep '^keep$' "$T/root/etc/keep"
	rm -r "$T/root/etc"
	diff -r --no-dereference "$T/src" "$T/root" >&2 || fail "unpacked tree differs"
	expect_eq "$(stat -c %a "$T/root/usr/local/bin/hello")" 4755 "setuid mode"
}

test_check_catches_rule_breakers() {
	make_tree "$T/src"
	mksquashfs "$T/src" "$T/big.tcz" -comp gzip -b 128k -all-root -quiet -no-progress >/dev/null
	(cd "$T" && md5sum big.tcz > big.tcz.md5.txt)
	(cd "$T/src" && find * -not -type d | LC_ALL=C sort) > "$T/big.tcz.list"
	expect_status 3 "$TCZ" check "$T/big.tcz"
	expect_grep 'block size 131072' "$T/err"
	expect_ok "$TCZ" pack "$T/src" -o "$T/x.tcz"
	echo junk >> "$T/x.tcz.list"
	printf '00000000000000000000000000000000  x.tcz\n' > "$T/x.tcz.md5.txt"
	expect_status 3 "$TCZ" check "$T/x.tcz"
	expect_grep 'x.tcz.md5.txt is stale: it says 0{32}, the image.s md5 is [0-9a-f]{32}' "$T/err"
	expect_grep 'x.tcz.list is stale: (it ends|line [0-9]+ is .junk)' "$T/err"
	chmod 0700 "$T/src/usr/local/share/empty"
	expect_ok "$TCZ" pack "$T/src" -o "$T/y.tcz"
	expect_status 3 "$TCZ" check "$T/y.tcz"
	expect_grep 'usr/local/share/empty: directory mode 0700' "$T/err"
}

# TCL3's tce-load copies the image onto / as root: the guest's
# usr/local/tce.installed takes the image's owner and mode, and user tc
# (group staff, 50) must still be able to write there.
tce_tree() { # DIR: an extension that ships its tce.installed script
	mkdir -p "$1/usr/local/tce.installed" "$1/usr/local/bin"
	printf '#!/bin/sh\necho installed\n' > "$1/usr/local/tce.installed/x"
	chmod 0755 "$1/usr/local/tce.installed/x" "$1/usr/local/tce.installed"
	echo hi > "$1/usr/local/bin/x"
}

test_tce_installed_is_packed_root_staff_0775() {
	tce_tree "$T/src"
	expect_ok "$TCZ" pack "$T/src" -o "$T/x.tcz"
	unsquashfs -lln "$T/x.tcz" > "$T/l"
	expect_grep '^drwxrwxr-x 0/50 .* squashfs-root/usr/local/tce.installed$' "$T/l"
	expect_grep '^-rwxr-xr-x 0/0 .* squashfs-root/usr/local/tce.installed/x$' "$T/l"
	expect_grep '^drwxr-xr-x 0/0 .* squashfs-root/usr/local$' "$T/l"
	expect_ok "$TCZ" check "$T/x.tcz"
	# Whatever the source's mode: 0700 too becomes 0775.
	chmod 0700 "$T/src/usr/local/tce.installed"
	expect_ok "$TCZ" pack "$T/src" -o "$T/y.tcz"
	unsquashfs -lln "$T/y.tcz" > "$T/l"
	expect_grep '^drwxrwxr-x 0/50 .* squashfs-root/usr/local/tce.installed$' "$T/l"
	# A tce.installed that is not a directory is not packed.
	rm -r "$T/src/usr/local/tce.installed"; ln -s /tmp "$T/src/usr/local/tce.installed"
	expect_status 1 "$TCZ" pack "$T/src" -o "$T/z.tcz"
	expect_grep 'usr/local/tce.installed: not a directory' "$T/err"
	expect_no_file "$T/z.tcz"
}

test_check_rejects_tce_installed_not_root_staff_0775() {
	tce_tree "$T/src"
	local how
	for how in all-root '755 0 50' '775 0 0' '775 1001 50' '777 0 50'; do
		case $how in
		all-root) set -- -all-root ;;
		*) set -- -p "usr/local/tce.installed m $how" -p "usr m 755 0 0" -p "usr/local m 755 0 0" \
			-p "usr/local/bin m 755 0 0" -p "usr/local/bin/x m 644 0 0" -p "usr/local/tce.installed/x m 755 0 0" ;;
		esac
		rm -f "$T/x.tcz"
		mksquashfs "$T/src" "$T/x.tcz" -comp gzip -b 4k -no-xattrs -quiet -no-progress "$@" >/dev/null
		(cd "$T" && md5sum x.tcz > x.tcz.md5.txt)
		printf 'usr/local/bin/x\nusr/local/tce.installed/x\n' > "$T/x.tcz.list"
		expect_status 3 "$TCZ" check "$T/x.tcz"
		expect_grep "x.tcz: usr/local/tce.installed: directory owned by [0-9]+:[0-9]+, mode 0[0-7]{3}; TCL3 needs a directory owned by root:staff \(0:50\), mode 0775" "$T/err"
	done
	expect_grep 'owned by 0:50, mode 0777' "$T/err"
	# The right owner and mode, as mksquashfs writes them: accepted.
	rm -f "$T/x.tcz"
	mksquashfs "$T/src" "$T/x.tcz" -comp gzip -b 4k -no-xattrs -quiet -no-progress -p "usr/local/tce.installed m 775 0 50" \
		-p "usr m 755 0 0" -p "usr/local m 755 0 0" -p "usr/local/bin m 755 0 0" -p "usr/local/bin/x m 644 0 0" \
		-p "usr/local/tce.installed/x m 755 0 0" >/dev/null
	(cd "$T" && md5sum x.tcz > x.tcz.md5.txt)
	expect_ok "$TCZ" check "$T/x.tcz"
}

# --- hostile and broken images: clear errors, nothing outside ROOT --------

sentinel() { mkdir -p "$T/outside"; echo precious > "$T/outside/file"; }
sentinel_intact() {
	expect_eq "$(ls -A "$T/outside")" file "something appeared outside ROOT"
	expect_grep '^precious$' "$T/outside/file"
}

test_unpack_never_follows_a_symlink_out_of_root() {
	sentinel
	mkdir -p "$T/a" "$T/b/lnk"
	ln -s ../outside "$T/a/lnk"
	echo evil > "$T/b/lnk/file"
	mksquashfs "$T/a" "$T/a.tcz" -comp gzip -b 4k -no-xattrs -all-root -quiet -no-progress >/dev/null
	mksquashfs "$T/b" "$T/b.tcz" -comp gzip -b 4k -no-xattrs -all-root -quiet -no-progress >/dev/null
	mkdir "$T/root"
	expect_ok "$TCZ" unpack "$T/a.tcz" -C "$T/root"
	expect_status 1 "$TCZ" unpack "$T/b.tcz" -C "$T/root"
	expect_grep "root/lnk: exists and is not a directory \(a symlink is never followed\)" "$T/err"
	sentinel_intact
	# An absolute symlink to / in ROOT, the same.
	rm "$T/root/lnk"; ln -s / "$T/root/lnk"
	expect_status 1 "$TCZ" unpack "$T/b.tcz" -C "$T/root"
	sentinel_intact
}

test_dotdot_name_in_an_image_is_refused() {
	sentinel
	mkdir -p "$T/src/d"
	echo evil > "$T/src/d/QQ"
	# Uncompressed metadata, so that the name can be rewritten in place.
	mksquashfs "$T/src" "$T/e.tcz" -noI -noD -noF -noX -b 4k -no-xattrs -all-root -quiet -no-progress >/dev/null
	python3 - "$T/e.tcz" <<'PY'
import sys
p = sys.argv[1]; b = open(p, 'rb').read()
assert b.count(b'QQ') == 1, b.count(b'QQ')
open(p, 'wb').write(b.replace(b'QQ', b'..'))
PY
	mkdir "$T/root"
	expect_status 1 "$TCZ" unpack "$T/e.tcz" -C "$T/root/"
	expect_grep 'e.tcz: ' "$T/err"
	expect_no_file "$T/root/d"
	expect_no_file "$T/evil"
	expect_status 1 "$TCZ" list "$T/e.tcz"
	sentinel_intact
}

test_truncated_corrupted_and_foreign_images_fail_clearly() {
	make_tree "$T/src"
	expect_ok "$TCZ" pack "$T/src" -o "$T/x.tcz"
	mkdir "$T/root"
	head -c 100000 "$T/x.tcz" > "$T/trunc.tcz"
	expect_status 1 "$TCZ" unpack "$T/trunc.tcz" -C "$T/root"
	expect_grep 'trunc.tcz: truncated' "$T/err"
	cp "$T/x.tcz" "$T/bad.tcz"
	printf 'XXXX' | dd of="$T/bad.tcz" conv=notrunc 2>/dev/null
	expect_status 1 "$TCZ" info "$T/bad.tcz"
	expect_grep 'bad.tcz: reading the super block: not a squashfs image' "$T/err"
	# Garbage over the first data block (compressible data, so it is
	# stored compressed: squashfs has no checksums, zlib notices).
	mkdir "$T/text"; seq 1 100000 > "$T/text/numbers"
	expect_ok "$TCZ" pack "$T/text" -o "$T/corrupt.tcz"
	head -c 2000 /dev/zero | tr '\0' 'Z' | dd of="$T/corrupt.tcz" bs=1 seek=200 conv=notrunc 2>/dev/null
	expect_status 1 "$TCZ" unpack "$T/corrupt.tcz" -C "$T/root"
	expect_grep 'corrupt.tcz: ' "$T/err"
	: > "$T/empty.tcz"
	expect_status 1 "$TCZ" check "$T/empty.tcz"
	expect_grep 'empty.tcz: not a squashfs image' "$T/err"
}

test_interrupted_pack_leaves_the_old_image() {
	mkdir -p "$T/src"
	head -c 40000000 /dev/urandom > "$T/src/big"
	mkdir "$T/small"; echo small > "$T/small/f"
	expect_ok "$TCZ" pack "$T/small" -o "$T/x.tcz"
	local before; before=$(md5sum < "$T/x.tcz")
	"$TCZ" pack -j1 "$T/src" -o "$T/x.tcz" >/dev/null 2>&1 &
	local pid=$! i
	# Killed as soon as its temporary appears: well before 40 MB are packed.
	for i in $(seq 1000); do ls "$T"/.x.tcz.tmp.* >/dev/null 2>&1 && break; sleep 0.01; done
	kill -9 $pid; wait $pid 2>/dev/null || true
	expect_eq "$(ls -A "$T" | grep -c '\.tmp\.')" 1 "the killed pack's temporary"
	expect_eq "$(md5sum < "$T/x.tcz")" "$before" "old image replaced by a partial one"
	expect_ok "$TCZ" pack "$T/small" -o "$T/x.tcz"
	expect_eq "$(ls -A "$T" | grep -c '\.tmp\.')" 0 "stale temporary left behind"
}

# kill -9 at random moments while a new version is packed over an old one:
# the .md5.txt (what tce-load and tcz install verify) is the set's commit
# record. Whenever it is there, it and the .list describe the image beside
# them; when it is not, tcz check says so.
test_killed_pack_never_shows_a_new_image_with_old_companions() {
	local v
	for v in 1 2; do
		mkdir -p "$T/v$v/usr/local/share/v$v"
		head -c 3000000 /dev/urandom > "$T/v$v/usr/local/share/v$v/data"
		seq 1 200000 > "$T/v$v/usr/local/share/v$v/numbers"
	done
	printf 'a.tcz\n' > "$T/dep"
	mkdir "$T/old"
	expect_ok "$TCZ" pack -j1 "$T/v1" -o "$T/old/x.tcz" --dep "$T/dep"
	local start end ms
	start=$(date +%s%N)
	expect_ok "$TCZ" pack -j1 "$T/v2" -o "$T/full.tcz"
	end=$(date +%s%N)
	ms=$(( (end - start) / 1000000 ))
	local i pid delay mixed=0
	for i in $(seq 40); do
		rm -f "$T"/x.tcz* "$T"/.x.tcz*
		cp -p "$T"/old/x.tcz* "$T/"
		"$TCZ" pack -j1 "$T/v2" -o "$T/x.tcz" --dep "$T/dep" >/dev/null 2>&1 &
		pid=$!
		# Anywhere in the run, more often near its end, where the renames are.
		delay=$(( RANDOM % 2 ? RANDOM % (ms + 20) : ms * 3 / 4 + RANDOM % (ms / 2 + 20) ))
		sleep "$(printf '0.%03d' "$delay")"
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		if [ -e "$T/x.tcz.md5.txt" ]; then
			(cd "$T" && md5sum -c --quiet x.tcz.md5.txt) >/dev/null 2>&1 ||
				fail "kill $i after ${delay} ms: x.tcz.md5.txt does not describe x.tcz"
			"$TCZ" check "$T/x.tcz" >"$T/check.out" 2>&1 ||
				{ cat "$T/check.out" >&2; fail "kill $i after ${delay} ms: an md5-verified set that check refuses"; }
		else
			mixed=$((mixed + 1))
			expect_status 3 "$TCZ" check "$T/x.tcz"
			expect_grep "x.tcz.md5.txt missing" "$T/err"
		fi
	done
	echo "40 kills, $mixed between the first and the last rename" >&2
	# The next pack completes the set and removes what the killed ones left.
	expect_ok "$TCZ" pack -j1 "$T/v2" -o "$T/x.tcz" --dep "$T/dep"
	expect_ok "$TCZ" check "$T/x.tcz"
	expect_eq "$(ls -A "$T" | grep -c '\.tmp\.')" 0 "temporaries left behind"
}

test_usage_errors() {
	expect_status 2 "$TCZ" pack "$T"
	expect_grep '\-o NAME.tcz is required' "$T/err"
	expect_status 2 "$TCZ" pack "$T" -o "$T/x.img"
	expect_status 2 "$TCZ" pack -b 3000 "$T" -o "$T/x.tcz"
	expect_status 1 "$TCZ" pack "$T/nonexistent" -o "$T/x.tcz"
	expect_grep 'nonexistent: No such file' "$T/err"
	expect_no_file "$T/x.tcz"
}

run_tests
