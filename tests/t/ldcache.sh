# tcz install writes ROOT/etc/ld.so.cache for TCL3's glibc 2.11.1 (src/ldcache.c).
# Oracles: Debian's ldconfig reading it (-p -C), Debian's ldconfig writing
# one for the same root (-r, as root), and the 2.11.1 loader's lookup
# (elf/dl-cache.c SEARCH_CACHE and _dl_cache_libcmp) redone in Python.
. "$(dirname "$0")/../lib.sh"

mklib() { # PATH [SONAME] [EMULATION]: a shared object with only a soname
	ld -m "${3:-elf_i386}" -shared ${2:+-soname "$2"} -o "$1" "$T/empty-${3:-elf_i386}.o"
}

# The 2.11.1 lookup of every name in the cache, and of names not in it.
lookup_check() { # CACHE
	python3 - "$1" <<'PY'
import re, struct, sys
data = open(sys.argv[1], 'rb').read()
assert data[:20] == b'glibc-ld.so.cache1.1', data[:20]
nlibs, len_strings = struct.unpack_from('<II', data, 20)
assert 48 + 24 * nlibs + len_strings == len(data)
def s(off):
    return data[off:data.index(b'\0', off)].decode()
libs = [struct.unpack_from('<iIIIQ', data, 48 + 24 * i) for i in range(nlibs)]
def libcmp(a, b):  # _dl_cache_libcmp, on strings
    i = j = 0
    while i < len(a):
        if a[i].isdigit():
            if j < len(b) and b[j].isdigit():
                m = re.match(r'\d+', a[i:]).group(); n = re.match(r'\d+', b[j:]).group()
                if int(m) != int(n): return int(m) - int(n)
                i += len(m); j += len(n)
            else: return 1
        elif j < len(b) and b[j].isdigit(): return -1
        elif j >= len(b) or a[i] != b[j]: return ord(a[i]) - (ord(b[j]) if j < len(b) else 0)
        else: i += 1; j += 1
    return 0 - (ord(b[j]) if j < len(b) else 0)
def lookup(name):  # SEARCH_CACHE: binary search, then the first of equal names
    left, right = 0, nlibs - 1
    while left <= right:
        middle = (left + right) // 2
        c = libcmp(name, s(libs[middle][1]))
        if c == 0:
            while middle > 0 and libcmp(name, s(libs[middle - 1][1])) == 0: middle -= 1
            return s(libs[middle][2]) if libs[middle][0] in (1, 3) else None
        if c < 0: left = middle + 1
        else: right = middle - 1
    return None
first = {}
for flags, key, value, osv, hwcap in libs:
    assert flags == 3 and osv == 0 and hwcap == 0
    first.setdefault(s(key), s(value))
for name, path in first.items():
    assert lookup(name) == path, (name, lookup(name), path)
for name in ('libzz.so.1', 'liba.so.1', 'libv.so.11', 'libz.so.2', 'libc.so.5'):
    assert lookup(name) is None, name
print('%d names found as 2.11.1 looks them up' % len(first))
PY
}

test_install_leaves_an_ld_so_cache_that_glibc_2_11_reads() {
	echo | as --32 -o "$T/empty-elf_i386.o"
	echo | as --64 -o "$T/empty-elf_x86_64.o"
	# TCL3's base: the loader and libc in /lib, /usr/local/lib configured.
	mkdir -p "$T/root/lib" "$T/root/usr/lib" "$T/root/etc"
	mklib "$T/root/lib/ld-linux.so.2"
	mklib "$T/root/lib/libc-2.11.1.so" libc.so.6; ln -s libc-2.11.1.so "$T/root/lib/libc.so.6"
	mklib "$T/root/usr/lib/libz.so.1.2.3" libz.so.1
	ln -s libz.so.1.2.3 "$T/root/usr/lib/libz.so.1"; ln -s libz.so.1 "$T/root/usr/lib/libz.so"
	mklib "$T/root/usr/lib/libv.so.9" libv.so.9; mklib "$T/root/usr/lib/libv.so.10" libv.so.10
	mklib "$T/root/usr/lib/libold.so.1.0" libold.so.1      # no soname link: the loader could not open it
	mklib "$T/root/usr/lib/libx64.so.1" libx64.so.1 elf_x86_64   # not TCL3's
	echo '/* GNU ld script */' > "$T/root/usr/lib/libc.so"
	printf '# TCL3 lists one directory\n/usr/local/lib/\n' > "$T/root/etc/ld.so.conf"
	# The extension: a new library, and a libz that the configured
	# directory puts before /usr/lib's.
	mkdir -p "$T/tree/usr/local/lib"
	mklib "$T/tree/usr/local/lib/libnew.so.1.0" libnew.so.1; ln -s libnew.so.1.0 "$T/tree/usr/local/lib/libnew.so.1"
	mklib "$T/tree/usr/local/lib/libz.so.1" libz.so.1
	mkdir "$T/exts"; "$TCZ" pack -q "$T/tree" -o "$T/exts/new.tcz"
	"$TCZ" mirror build "$T/m" "$T/exts/new.tcz" >/dev/null
	expect_ok "$TCZ" install new --root "$T/root" --mirror "$T/m"
	/sbin/ldconfig -p -C "$T/root/etc/ld.so.cache" > "$T/listing"
	printf '%s\n' '8 libs found in cache `'"$T/root/etc/ld.so.cache'" \
		'	libz.so.1 (libc6) => /usr/local/lib/libz.so.1' \
		'	libz.so.1 (libc6) => /usr/lib/libz.so.1' \
		'	libz.so (libc6) => /usr/lib/libz.so' \
		'	libv.so.10 (libc6) => /usr/lib/libv.so.10' \
		'	libv.so.9 (libc6) => /usr/lib/libv.so.9' \
		'	libnew.so.1 (libc6) => /usr/local/lib/libnew.so.1' \
		'	libc.so.6 (libc6) => /lib/libc.so.6' \
		'	ld-linux.so.2 (libc6) => /lib/ld-linux.so.2' > "$T/want"
	expect_same_files "$T/want" "$T/listing"
	lookup_check "$T/root/etc/ld.so.cache" || fail "a name is not found as glibc 2.11.1 looks it up"
	expect_eq "$(stat -c %a "$T/root/etc/ld.so.cache")" 644 "mode"
	expect_eq "$(ls -A "$T/root/etc" | tr '\n' ' ')" "ld.so.cache ld.so.conf " "files in etc"
	# Debian's ldconfig on the same root lists the same names and paths,
	# less what only its link making adds (libold.so.1) and the x86-64
	# library; it needs chroot, so root.
	if [ "$(id -u)" = 0 ]; then
		cp -a "$T/root" "$T/debian"
		/sbin/ldconfig -r "$T/debian" -X -C /etc/debian.cache
		/sbin/ldconfig -p -C "$T/debian/etc/debian.cache" | grep '=>' | grep -v 'x86-64\|libold' |
			sed 's/ (ELF)/ (libc6)/' > "$T/debian.listing"
		grep '=>' "$T/listing" > "$T/ours"
		expect_same_files "$T/debian.listing" "$T/ours"
	fi
	# Installing nothing new writes the same bytes.
	local sum; sum=$(md5sum < "$T/root/etc/ld.so.cache")
	expect_ok "$TCZ" install new --root "$T/root" --mirror "$T/m"
	expect_eq "$(md5sum < "$T/root/etc/ld.so.cache")" "$sum" "cache rewritten differently"
}

# tcz ldconfig: the same cache for a root tcbuild assembles itself, which
# installs nothing (a stand-in system, a tree programs run in under qemu).
test_ldconfig_writes_the_cache_of_a_root() {
	echo | as --32 -o "$T/empty-elf_i386.o"
	mkdir -p "$T/root/lib" "$T/root/usr/local/lib" "$T/root/etc"
	mklib "$T/root/lib/ld-linux.so.2"
	mklib "$T/root/lib/libc.so.6" libc.so.6
	mklib "$T/root/usr/local/lib/libpcre2-8.so.0" libpcre2-8.so.0
	echo /usr/local/lib > "$T/root/etc/ld.so.conf"
	expect_ok "$TCZ" ldconfig -r "$T/root"
	/sbin/ldconfig -p -C "$T/root/etc/ld.so.cache" > "$T/listing"
	expect_grep '^	libpcre2-8.so.0 \(libc6\) => /usr/local/lib/libpcre2-8.so.0$' "$T/listing"
	expect_grep '^	libc.so.6 \(libc6\) => /lib/libc.so.6$' "$T/listing"
	expect_grep '^3 libs found' "$T/listing"
	lookup_check "$T/root/etc/ld.so.cache" > /dev/null || fail "a name is not found as glibc 2.11.1 looks it up"
	expect_status 2 "$TCZ" ldconfig
	expect_grep 'ldconfig: -r ROOT is required' "$T/err"
	expect_status 2 "$TCZ" ldconfig -r "$T/root" extra
	expect_status 1 "$TCZ" ldconfig -r "$T/nonesuch"
	expect_grep 'nonesuch: No such file or directory' "$T/err"
}

# A root whose etc is a symlink out of it: the cache is not written there.
test_the_cache_is_never_written_through_a_symlink() {
	mkdir -p "$T/outside" "$T/root" "$T/tree/usr/local/share"
	echo x > "$T/tree/usr/local/share/x"
	ln -s "$T/outside" "$T/root/etc"
	mkdir "$T/exts"; "$TCZ" pack -q "$T/tree" -o "$T/exts/x.tcz"
	"$TCZ" mirror build "$T/m" "$T/exts/x.tcz" >/dev/null
	expect_status 1 "$TCZ" install x --root "$T/root" --mirror "$T/m"
	expect_grep 'root/etc: exists and is not a directory \(a symlink is never followed\)' "$T/err"
	expect_eq "$(ls -A "$T/outside")" "" "written outside ROOT"
	expect_status 1 "$TCZ" ldconfig -r "$T/root"
	expect_eq "$(ls -A "$T/outside")" "" "tcz ldconfig wrote outside ROOT"
}

run_tests
