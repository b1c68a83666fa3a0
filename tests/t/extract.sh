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

run_tests
