# tcz extract and tcz cpio: real and hostile archives.
. "$(dirname "$0")/../lib.sh"

sentinel() { mkdir -p "$T/outside"; echo precious > "$T/outside/file"; }
sentinel_intact() {
	expect_eq "$(ls -A "$T/outside")" file "something appeared outside DIR"
	expect_grep '^precious$' "$T/outside/file"
}

# hostile KIND ARCHIVE: tar archives crafted with python's tarfile.
hostile() {
	python3 - "$1" "$2" "$T/outside" <<'PY'
import io, sys, tarfile, zipfile
kind, path, outside = sys.argv[1:]
def add(t, name, data=b'evil', **kw):
    i = tarfile.TarInfo(name); i.size = len(data)
    for k, v in kw.items(): setattr(i, k, v)
    t.addfile(i, io.BytesIO(data) if i.type == tarfile.REGTYPE else None)
if kind == 'zip':
    with zipfile.ZipFile(path, 'w') as z:
        z.writestr('top/ok', 'ok'); z.writestr('../x', 'evil')
    sys.exit()
with tarfile.open(path, 'w:gz') as t:
    add(t, 'top/ok', b'fine')
    if kind == 'dotdot': add(t, 'top/../../x')
    if kind == 'absolute': add(t, outside + '/abs')
    if kind == 'symlink':
        add(t, 'top/lnk', type=tarfile.SYMTYPE, linkname=outside)
        add(t, 'top/lnk/file')
    if kind == 'hardlink': add(t, 'top/pw', type=tarfile.LNKTYPE, linkname='/etc/passwd')
    if kind == 'longpath': add(t, 'top/' + '/'.join(['d' * 100] * 50) + '/f')
PY
}

test_hostile_archives_write_nothing_outside() {
	sentinel
	local kind
	for kind in dotdot absolute symlink hardlink zip; do
		hostile $kind "$T/$kind.tar.gz"
		expect_status 1 "$TCZ" extract "$T/$kind.tar.gz" -C "$T/dir-$kind"
		expect_grep "$kind.tar.gz: " "$T/err"
		expect_no_file "$T/dir-$kind"
		[ -z "$(ls -d "$T"/dir-$kind.tmp.* 2>/dev/null)" ] || fail "temporary left for $kind"
		sentinel_intact
	done
	expect_no_file "$T/x"
}

test_a_long_path_stays_inside() {
	sentinel
	hostile longpath "$T/long.tar.gz"
	"$TCZ" extract "$T/long.tar.gz" -C "$T/dir" >/dev/null 2>&1 || true
	sentinel_intact
	expect_eq "$(ls "$T" | grep -v '^\(dir\|long.tar.gz\|outside\|out\|err\)$' || true)" "" \
		"files appeared beside DIR"
}

test_truncated_and_garbage_archives_fail() {
	mkdir -p "$T/src/top"; seq 1 100000 > "$T/src/top/n"
	tar -C "$T/src" -czf "$T/a.tar.gz" top
	head -c 3000 "$T/a.tar.gz" > "$T/cut.tar.gz"
	expect_status 1 "$TCZ" extract "$T/cut.tar.gz" -C "$T/d"
	expect_grep 'cut.tar.gz' "$T/err"
	expect_no_file "$T/d"
	head -c 5000 /dev/urandom > "$T/junk.tar"
	expect_status 1 "$TCZ" extract "$T/junk.tar" -C "$T/d"
	expect_no_file "$T/d"
}

test_tar_formats_and_strip_components_match_gnu_tar() {
	mkdir -p "$T/src/pkg-1.0/sub"; seq 1 1000 > "$T/src/pkg-1.0/sub/n"
	ln -s sub/n "$T/src/pkg-1.0/link"; chmod 751 "$T/src/pkg-1.0/sub"
	local z
	for z in gzip bzip2 xz zstd lzip; do
		command -v $z >/dev/null || fail "$z missing: toolchain/host-deps.sh test"
		tar -C "$T/src" -cf - pkg-1.0 | $z -c > "$T/a.tar.$z"
		expect_ok "$TCZ" extract "$T/a.tar.$z" -C "$T/out-$z" --strip-components 1
		diff -r --no-dereference "$T/src/pkg-1.0" "$T/out-$z" >&2 || fail "$z differs"
		expect_eq "$(stat -c %a "$T/out-$z/sub")" 751 "mode kept"
	done
	(cd "$T/src" && zip -qry "$T/a.zip" pkg-1.0)
	expect_ok "$TCZ" extract "$T/a.zip" -C "$T/out-zip" --strip-components 1
	diff -r --no-dereference "$T/src/pkg-1.0" "$T/out-zip" >&2 || fail "zip differs"
}

test_existing_dir_is_refused() {
	mkdir -p "$T/src/top"; echo x > "$T/src/top/f"; tar -C "$T/src" -czf "$T/a.tar.gz" top
	mkdir "$T/d"; echo keep > "$T/d/keep"
	expect_status 1 "$TCZ" extract "$T/a.tar.gz" -C "$T/d"
	expect_grep 'already exists' "$T/err"
	expect_grep keep "$T/d/keep"
}

test_cpio_is_reproducible_and_round_trips() {
	mkdir -p "$T/root/bin" "$T/root/etc"
	printf '#!/bin/sh\n' > "$T/root/init"; chmod 755 "$T/root/init"
	ln -s ../init "$T/root/bin/sh"; echo tc > "$T/root/etc/hostname"
	export SOURCE_DATE_EPOCH=1300000000
	expect_ok "$TCZ" cpio "$T/root" -o "$T/a.gz" --gzip
	touch "$T/root/etc/hostname"
	expect_ok "$TCZ" cpio "$T/root" -o "$T/b.gz" --gzip
	expect_eq "$(md5sum < "$T/a.gz")" "$(md5sum < "$T/b.gz")" "same bytes"
	zcat "$T/a.gz" | cpio -it --quiet > "$T/names"
	printf 'bin\nbin/sh\netc\netc/hostname\ninit\n' > "$T/want"
	expect_same_files "$T/want" "$T/names"
	zcat "$T/a.gz" | cpio -itv --quiet | awk '{print $3, $4}' | sort -u > "$T/owners"
	expect_eq "$(cat "$T/owners")" "root root" "owners"
	expect_ok "$TCZ" extract "$T/a.gz" -C "$T/back"
	diff -r --no-dereference "$T/root" "$T/back" >&2 || fail "round trip differs"
}

# A real archive: Debian's nginx_1.22.1.orig.tar.gz, byte-identical to
# nginx.org's nginx-1.22.1.tar.gz, served here, fetched against the
# upstream sha256, extracted; the result is what GNU tar extracts.
test_real_nginx_source_fetches_and_extracts_like_gnu_tar() {
	local orig
	orig=$("$TOP/tests/debian-source.sh" nginx) || fail "apt-get source nginx failed"
	mkdir -p "$T/www"
	cp "$orig" "$T/www/nginx-1.22.1.tar.gz"
	start_http "$T/www"
	expect_ok "$TCZ" fetch -q -o "$T/nginx-1.22.1.tar.gz" \
		--sha256 9ebb333a9e82b952acd3e2b4aeb1d4ff6406f72491bab6cd9fe69f0dea737f31 "$HTTP_URL/nginx-1.22.1.tar.gz"
	expect_ok "$TCZ" extract "$T/nginx-1.22.1.tar.gz" -C "$T/ours"
	mkdir "$T/gnu"
	tar -xzf "$T/nginx-1.22.1.tar.gz" -C "$T/gnu"
	diff -r --no-dereference "$T/gnu" "$T/ours" >&2 || fail "tcz extract and GNU tar differ"
	expect_eq "$(find "$T/ours" -type f | wc -l)" "$(find "$T/gnu" -type f | wc -l)" "file count"
}

# 20 MB of zeros in 20 KB of zip, written as a stream (sizes only after
# the data, so nothing but the data tells): stopped at the limit, nothing
# kept.
test_a_zip_bomb_stops_at_the_limit_and_leaves_nothing() {
	python3 - <<'PY' | cat > "$T/bomb.zip"
import sys, zipfile
with zipfile.ZipFile(sys.stdout.buffer, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('top/small', b'fine')
    with z.open('top/zeros', 'w') as f:
        for _ in range(20):
            f.write(bytes(1 << 20))
PY
	[ "$(stat -c %s "$T/bomb.zip")" -lt 100000 ] || fail "not a small archive"
	# Read from a pipe, libarchive cannot look the sizes up at the end.
	expect_status 1 sh -c '"$1" extract --max-size 1M /dev/stdin -C "$2" < "$3"' - "$TCZ" "$T/d" "$T/bomb.zip"
	expect_grep '/dev/stdin: top/zeros: the files would come to more than 1.0M' "$T/err"
	expect_eq "$(ls "$T" | grep '^d' || true)" "" "DIR or its temporary left behind"
	expect_status 1 "$TCZ" extract --max-size 1M "$T/bomb.zip" -C "$T/d"
	expect_grep 'bomb.zip: top/zeros: the files would come to more than 1.0M \(--max-size or TCZ_MAX_SIZE\): stopped, nothing kept' "$T/err"
	expect_status 1 env TCZ_MAX_SIZE=10M "$TCZ" extract "$T/bomb.zip" -C "$T/d"
	expect_grep 'more than 10M' "$T/err"
	expect_eq "$(ls "$T" | grep '^d' || true)" "" "DIR or its temporary left behind"
	expect_ok "$TCZ" extract --max-size 21M "$T/bomb.zip" -C "$T/d"
	expect_eq "$(stat -c %s "$T/d/top/zeros")" $((20 << 20)) "extracted under a higher limit"
	# Streamed, the data used to be dropped: sizes come after it.
	expect_ok sh -c '"$1" extract /dev/stdin -C "$2" < "$3"' - "$TCZ" "$T/s" "$T/bomb.zip"
	expect_eq "$(stat -c %s "$T/s/top/zeros") $(cat "$T/s/top/small")" "$((20 << 20)) fine" "streamed zip content"
}

# An entry that claims 5 GB is refused by the default limit (4G) before a
# byte of it is read.
test_the_default_limit_refuses_what_a_header_declares() {
	python3 - "$T/big.tar" <<'PY'
import sys, tarfile
i = tarfile.TarInfo('top/huge'); i.size = 5 << 30
open(sys.argv[1], 'wb').write(i.tobuf(tarfile.GNU_FORMAT))
PY
	expect_status 1 env -u TCZ_MAX_SIZE "$TCZ" extract "$T/big.tar" -C "$T/d"
	expect_grep 'big.tar: top/huge: the files would come to more than 4.0G' "$T/err"
	expect_no_file "$T/d"
	expect_status 2 "$TCZ" extract --max-size 4X "$T/big.tar" -C "$T/d"
	expect_ok "$TCZ" extract --help
	expect_grep '[-]-max-size SIZE' "$T/out"
}

# Sources never need device nodes or setuid bits; as root, an untrusted
# tarball would make them. Dropped, counted in one warning.
test_device_nodes_and_setuid_bits_are_dropped_and_counted() {
	python3 - "$T/special.tar.gz" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w:gz') as t:
    def add(name, **kw):
        i = tarfile.TarInfo(name)
        for k, v in kw.items(): setattr(i, k, v)
        t.addfile(i, io.BytesIO(b'x' * i.size) if i.type == tarfile.REGTYPE else None)
    add('top/g', type=tarfile.DIRTYPE, mode=0o2755)
    add('top/su', size=1, mode=0o4755)
    add('top/plain', size=1, mode=0o755)
    add('top/null', type=tarfile.CHRTYPE, devmajor=1, devminor=3, mode=0o666)
    add('top/disk', type=tarfile.BLKTYPE, devmajor=8, devminor=0, mode=0o660)
PY
	expect_ok "$TCZ" extract "$T/special.tar.gz" -C "$T/d"
	expect_no_file "$T/d/top/null"
	expect_no_file "$T/d/top/disk"
	expect_eq "$(stat -c %a "$T/d/top/su") $(stat -c %a "$T/d/top/g") $(stat -c %a "$T/d/top/plain")" "755 755 755" "modes"
	expect_eq "$(grep -c . "$T/err")" 1 "warnings"
	expect_grep 'warning: .*special.tar.gz: dropped 2 device nodes and cleared setuid/setgid bits on 2 entries \(sources need neither; --keep-special keeps them\)' "$T/err"
	if [ "$(id -u)" = 0 ]; then
		expect_ok "$TCZ" extract --keep-special "$T/special.tar.gz" -C "$T/k"
		[ -c "$T/k/top/null" ] || fail "--keep-special dropped the device"
		expect_eq "$(stat -c %a "$T/k/top/su")" 4755 "--keep-special mode"
		expect_eq "$(cat "$T/err")" "" "warnings with --keep-special"
	fi
}

# A killed extract leaves DIR.tmp.PID; the next extract into DIR removes it
# (another DIR's, or a live process's, stays).
test_a_killed_extract_leaves_nothing_the_next_run_keeps() {
	mkdir -p "$T/src/top"; head -c 40000000 /dev/urandom > "$T/src/top/big"
	tar -C "$T/src" -czf "$T/a.tar.gz" top
	"$TCZ" extract "$T/a.tar.gz" -C "$T/d" >/dev/null 2>&1 &
	local pid=$! i
	for i in $(seq 1000); do ls -d "$T"/d.tmp.* >/dev/null 2>&1 && break; sleep 0.01; done
	kill -9 $pid; wait $pid 2>/dev/null || true
	ls -d "$T"/d.tmp.* >/dev/null 2>&1 || fail "the killed extract left no temporary (too fast?)"
	mkdir "$T/d.tmp.$$" "$T/other.tmp.$pid"
	expect_ok "$TCZ" extract "$T/a.tar.gz" -C "$T/d/"
	cmp "$T/src/top/big" "$T/d/top/big" || fail "extracted file differs"
	expect_eq "$(cd "$T" && ls -d d.tmp.* other.tmp.* | tr '\n' ' ')" "d.tmp.$$ other.tmp.$pid " "temporaries"
}

run_tests
