# make image, on a small stand-in: a microcore.gz made here with owners
# and a device node only root could give (under fakeroot), extensions on a
# mirror made here, and kernel files that carry only the headers image.sh
# checks. Nothing boots here (tests/e2e/image.sh boots); this checks what
# is written: the disk's layout (MBR, grub, ext2), the remastered
# microcore.gz, the coLinux files, the same bytes twice and without root,
# and that bad input fails by name and leaves the previous image.
. "$(dirname "$0")/../lib.sh"

GRUB=/usr/lib/grub/i386-pc

# fakeroot preloads its library; the ASan build of tcz must allow that.
fr() { ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 fakeroot "$@"; }

# The fixture: $T/f/{microcore.gz,bzImage,vmlinux,mirror}.
fixture() {
	local f=$T/f b=$T/f/base
	mkdir -p "$b"/{lib,etc,opt,home/tc,dev,sbin,usr/local/etc}
	echo 'not really ld.so' > "$b/lib/ld-linux.so.2"
	printf '#!/bin/sh\n' > "$b/init"; chmod 755 "$b/init"
	echo /usr/local/lib > "$b/etc/ld.so.conf"
	printf '#!/bin/sh\n# put other system startup commands here\n' > "$b/opt/bootlocal.sh"
	chmod 775 "$b/opt" "$b/opt/bootlocal.sh"
	SOURCE_DATE_EPOCH=1300000000 fr sh -c "chown 1001:50 '$b/home/tc' && chown 0:50 '$b/opt' '$b/opt/bootlocal.sh' &&
		mknod '$b/dev/console' c 5 1 && '$TCZ' cpio '$b' -o '$f/microcore.gz' --gzip --keep-owners" > "$T/out" 2>&1 ||
		{ cat "$T/out" >&2; fail "making the stand-in microcore.gz failed"; }
	ext hello libgreet.tcz
	ext libgreet
	mkdir -p "$T/trees/hello/usr/local/etc/init.d"
	printf '#!/bin/sh\necho started\n' > "$T/trees/hello/usr/local/etc/init.d/hello"
	chmod 755 "$T/trees/hello/usr/local/etc/init.d/hello"
	SOURCE_DATE_EPOCH=1300000000 "$TCZ" pack -q "$T/trees/hello" -o "$T/exts/hello.tcz" --dep "$T/dep.hello"
	ext "mods-2.6.33.3-tinycore" # a module extension, named for the kernel
	expect_ok "$TCZ" mirror build "$f/mirror" "$T"/exts/*.tcz
	# A bzImage's "HdrS" at 0x202; a vmlinux's ELF32 ident.
	head -c 4096 /dev/zero > "$f/bzImage"; printf HdrS | dd of="$f/bzImage" bs=1 seek=514 conv=notrunc status=none
	{ printf '\177ELF\001\001\001'; head -c 4089 /dev/zero; } > "$f/vmlinux"
}

ext() { # NAME [DEPS...]: an extension with a program and a tce.installed script
	local name=$1 t=$T/trees/$1; shift
	mkdir -p "$t/usr/local/sbin" "$t/usr/local/tce.installed" "$T/exts"
	printf '#!/bin/sh\necho %s\n' "$name" > "$t/usr/local/sbin/$name"
	printf '#!/bin/sh\nmkdir -p /var/%s\n' "$name" > "$t/usr/local/tce.installed/$name"
	chmod 755 "$t/usr/local/sbin/$name" "$t/usr/local/tce.installed/$name"
	if [ $# -gt 0 ]; then printf '%s\n' "$@" > "$T/dep.$name"; set -- --dep "$T/dep.$name"; fi
	SOURCE_DATE_EPOCH=1300000000 "$TCZ" pack -q "$t" -o "$T/exts/$name.tcz" "$@"
}

# image [VAR=VALUE...]: make image into $T/o with the fixture.
image() {
	make -s -C "$TOP" image O="$T/o" TCZ="$TCZ" SOURCE_DATE_EPOCH=1300000000 \
		IMAGE_BASE_FILE="$T/f/microcore.gz" IMAGE_KERNEL_FILE="$T/f/bzImage" \
		IMAGE_MIRROR="$T/f/mirror" IMAGE_SIZE=8M "$@"
}

fs() { debugfs -R "$1" "$2" 2> /dev/null; } # CMD IMAGE
part() { echo "$T/o/image/disk.img?offset=1048576"; }

test_vps_disk_boots_with_grub_from_an_ext2_partition() {
	fixture
	mkdir -p "$T/overlay/usr/local/lib"
	expect_ok image IMAGE_EXTENSIONS='hello mods-KERNEL' IMAGE_SERVICES=hello IMAGE_OVERLAY="$T/overlay"
	# An overlay may bring libraries: the cache is made again.
	zcat "$T/o/image/microcore.gz" | cpio -i --quiet --to-stdout etc/ld.so.cache > "$T/cache"
	expect_eq "$(head -c 20 "$T/cache")" glibc-ld.so.cache1.1 "ld.so.cache for glibc 2.11"
	local d=$T/o/image/disk.img
	expect_eq "$(stat -c %s "$d")" $((8 << 20)) "disk size"
	sfdisk -d "$d" > "$T/table"
	expect_grep '^label: dos$' "$T/table"
	expect_grep 'start= *2048, size= *14336, type=83, bootable$' "$T/table"
	expect_eq "$(od -An -tx1 -j510 -N2 "$d" | tr -d ' ')" 55aa "boot signature"
	# grub's boot.img code, with the boot-drive check jumped over by nops.
	cmp -n 102 "$GRUB/boot.img" "$d" || fail "sector 0 does not start with grub's boot.img"
	expect_eq "$(od -An -tx1 -j102 -N2 "$d" | tr -d ' ')" 9090 "drive check nopped"
	cmp -i 104 -n $((440 - 104)) "$GRUB/boot.img" "$d" || fail "boot.img's code differs after the patch"
	# core.img from sector 1: diskboot.img, which grub-mkimage gave the length.
	cmp -i 0:512 -n 500 "$GRUB/diskboot.img" "$d" || fail "sector 1 is not grub's diskboot.img"
	[ "$(od -An -tu2 -j$((512 + 508)) -N2 "$d" | tr -d ' ')" -gt 0 ] || fail "core.img's sector count is 0"
	# The partition: a clean ext2 that holds the boot files and tce/.
	e2fsck -fn "$(part)" > "$T/fsck" 2>&1 || { cat "$T/fsck" >&2; fail "e2fsck found problems"; }
	expect_eq "$(dumpe2fs -h "$(part)" 2>/dev/null | sed -n 's/^Filesystem features: *//p')" \
		"dir_index filetype sparse_super large_file" "ext2 features"
	fs 'dump /boot/bzImage '"$T/bz" "$(part)"; cmp "$T/bz" "$T/f/bzImage" || fail "boot/bzImage differs"
	fs 'dump /boot/microcore.gz '"$T/mc" "$(part)"; cmp "$T/mc" "$T/o/image/microcore.gz" || fail "boot/microcore.gz differs"
	fs 'cat /boot/grub/grub.cfg' "$(part)" > "$T/grub.cfg"
	expect_grep '^	linux /boot/bzImage quiet console=tty0 console=ttyS0,115200$' "$T/grub.cfg"
	expect_grep '^	initrd /boot/microcore.gz$' "$T/grub.cfg"
	# tce/ as tce-load -w leaves it, owned by tc:staff.
	expect_eq "$(fs 'cat /tce/onboot.lst' "$(part)" | tr '\n' ' ')" "hello.tcz mods-2.6.33.3-tinycore.tcz " "onboot.lst"
	fs 'ls -l /tce/optional' "$(part)" > "$T/tce"
	for f in hello.tcz hello.tcz.dep hello.tcz.md5.txt libgreet.tcz libgreet.tcz.md5.txt mods-2.6.33.3-tinycore.tcz; do
		expect_grep " 1001 +50 .* $f\$" "$T/tce"
		cmp "$T/o/image/tce/optional/$f" "$T/f/mirror/3.x/tcz/$f" || fail "tce/optional/$f differs from the mirror's"
	done
	(cd "$T/o/image" && sha256sum -c --quiet SHA256SUMS) || fail "SHA256SUMS does not match"
}

test_microcore_keeps_tcl3s_owners_and_gets_the_extensions() {
	fixture
	mkdir -p "$T/overlay/usr/local/etc"; echo 'overlay' > "$T/overlay/usr/local/etc/hello.conf"
	echo 'echo from IMAGE_BOOTLOCAL' > "$T/bootlocal"
	expect_ok image IMAGE_EXTENSIONS=hello IMAGE_INSTALL=root IMAGE_SERVICES=hello \
		IMAGE_OVERLAY="$T/overlay" IMAGE_BOOTLOCAL="$T/bootlocal"
	zcat "$T/o/image/microcore.gz" | cpio -itvn --quiet > "$T/list"
	expect_grep '^crw-r--r-- +1 0 +0 +5, +1 .* dev/console$' "$T/list"
	expect_grep '^drwxr-xr-x +2 1001 +50 .* home/tc$' "$T/list"
	expect_grep '^drwxrwxr-x +2 0 +50 .* opt$' "$T/list"
	expect_grep '^-rwxrwxr-x +1 0 +50 .* opt/bootlocal.sh$' "$T/list"
	expect_grep ' usr/local/sbin/hello$' "$T/list"
	expect_grep ' usr/local/sbin/libgreet$' "$T/list"
	expect_grep ' usr/local/etc/hello.conf$' "$T/list"
	mkdir "$T/mc"
	(cd "$T/mc" && zcat "$T/o/image/microcore.gz" | cpio -id --quiet 2>/dev/null)
	# Dependencies first, then the services, then the user's lines.
	cat > "$T/want" <<'EOF'
#!/bin/sh
# put other system startup commands here
# Installed onto the root by make image: what tce-load runs after an install.
[ -x /usr/local/tce.installed/libgreet ] && /usr/local/tce.installed/libgreet
[ -x /usr/local/tce.installed/hello ] && /usr/local/tce.installed/hello
# IMAGE_SERVICES
/usr/local/etc/init.d/hello start
# IMAGE_BOOTLOCAL
echo from IMAGE_BOOTLOCAL
EOF
	expect_same_files "$T/want" "$T/mc/opt/bootlocal.sh"
	expect_eq "$(cat "$T/mc/usr/local/etc/hello.conf")" overlay "overlay file"
	expect_eq "$(head -c 20 "$T/mc/etc/ld.so.cache")" glibc-ld.so.cache1.1 "ld.so.cache for glibc 2.11"
	# Root mode: nothing waits in tce/ for the boot.
	expect_eq "$(cat "$T/o/image/tce/onboot.lst")" "" "onboot.lst"
	expect_eq "$(ls "$T/o/image/tce/optional")" "" "tce/optional"
}

test_colinux_gets_a_root_disk_and_a_conf_naming_it() {
	fixture
	expect_ok image IMAGE_KERNEL=colinux IMAGE_KERNEL_FILE="$T/f/vmlinux" IMAGE_EXTENSIONS=hello \
		IMAGE_INSTALL=root IMAGE_COLINUX_MEM=64 IMAGE_COLINUX_ETH0=slirp,,tcp:8080:80
	local o=$T/o/image
	expect_eq "$(cd "$o" && ls | tr '\n' ' ')" "SHA256SUMS microcore.gz rootfs.img tce tcl3.conf vmlinux " "files"
	cmp "$o/vmlinux" "$T/f/vmlinux" || fail "vmlinux differs"
	# The settings, as the daemon splits them (whitespace, # comments).
	sed 's/#.*//' "$o/tcl3.conf" | tr -s ' \t' '\n\n' | grep . > "$T/params"
	expect_eq "$(tr '\n' ' ' < "$T/params")" \
		'kernel=vmlinux cobd0="rootfs.img" root=/dev/cobd0 rw mem=64 eth0=slirp,,tcp:8080:80 quiet ' "settings"
	e2fsck -fn "$o/rootfs.img" > "$T/fsck" 2>&1 || { cat "$T/fsck" >&2; fail "e2fsck found problems"; }
	fs 'stat /dev/console' "$o/rootfs.img" > "$T/console"
	expect_grep 'Type: character special' "$T/console"
	expect_grep 'Device major/minor number: 05:01' "$T/console"
	fs 'ls -l /home' "$o/rootfs.img" > "$T/home"
	expect_grep '1001 +50 .* tc$' "$T/home"
	fs 'cat /usr/local/sbin/hello' "$o/rootfs.img" > "$T/hello"
	expect_grep '^echo hello$' "$T/hello"
}

# The whole image twice, the second time as an ordinary user when this
# runs as root: the same bytes, and no root needed.
test_same_inputs_give_the_same_bytes_without_root() {
	fixture
	expect_ok image IMAGE_EXTENSIONS=hello IMAGE_SERVICES=hello
	cp "$T/o/image/SHA256SUMS" "$T/first"
	local as=()
	if [ "$(id -u)" = 0 ]; then
		chmod -R a+rwX "$T"; chmod a+x "$(dirname "$T")"
		as=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$T")
	fi
	sleep 1 # a clock that moved on must not show
	expect_ok "${as[@]}" make -s -C "$TOP" image O="$T/o2" TCZ="$TCZ" SOURCE_DATE_EPOCH=1300000000 \
		IMAGE_BASE_FILE="$T/f/microcore.gz" IMAGE_KERNEL_FILE="$T/f/bzImage" \
		IMAGE_MIRROR="$T/f/mirror" IMAGE_SIZE=8M IMAGE_EXTENSIONS=hello IMAGE_SERVICES=hello
	expect_same_files "$T/first" "$T/o2/image/SHA256SUMS"
	[ -z "${as[*]}" ] || expect_eq "$(stat -c %u "$T/o2/image/disk.img")" 65534 "built by nobody"
	local f
	for f in disk.img microcore.gz; do cmp "$T/o/image/$f" "$T/o2/image/$f" || fail "$f differs"; done
}

# Each bad setting: a message naming it, no image change, nothing left.
test_bad_input_fails_by_name_and_keeps_the_previous_image() {
	fixture
	expect_ok image IMAGE_EXTENSIONS=hello
	cp "$T/o/image/SHA256SUMS" "$T/good"
	local gen; gen=$(readlink "$T/o/image")
	bad() { # PATTERN VAR=VALUE...
		local want=$1; shift
		expect_fail image IMAGE_EXTENSIONS=hello "$@"
		expect_grep "$want" "$T/err"
		expect_eq "$(readlink "$T/o/image")" "$gen" "image link after $*"
		expect_same_files "$T/good" "$T/o/image/SHA256SUMS"
		expect_eq "$(cd "$T/o" && ls -A | grep -v '^\.image\.lock$' | grep -c '^\.image')" 1 "leftovers after $*"
	}
	bad "IMAGE_EXTENSIONS: 'nosuch': no recipe builds it and .* has no nosuch.tcz" IMAGE_EXTENSIONS='hello nosuch'
	bad "no kernel at $T/f/missing: build it" IMAGE_KERNEL_FILE="$T/f/missing"
	bad "$T/f/vmlinux: not a bzImage" IMAGE_KERNEL_FILE="$T/f/vmlinux"
	bad "$T/f/bzImage: not a 32-bit ELF vmlinux" IMAGE_KERNEL=colinux
	bad "IMAGE_KERNEL='vps': want tcl3" IMAGE_KERNEL=vps
	bad "IMAGE_INSTALL='disk': want onboot" IMAGE_INSTALL=disk
	bad "IMAGE_SIZE='64MB': want a whole number" IMAGE_SIZE=64MB
	bad "IMAGE_SIZE=2M is too small: 4M at least" IMAGE_SIZE=2M
	bad "IMAGE_SERVICES: 'nginx': nothing in the image is usr/local/etc/init.d/nginx" IMAGE_SERVICES=nginx
	bad "IMAGE_CMDLINE='quiet; reboot': only letters" IMAGE_CMDLINE='quiet; reboot'
	bad "IMAGE_CMDLINE='it's': only letters" IMAGE_CMDLINE="it's"
	bad "IMAGE_OVERLAY=$T/none: not a directory" IMAGE_OVERLAY="$T/none"
	echo 'not a cpio archive' | gzip > "$T/f/junk.gz"
	bad "$T/f/junk.gz: cannot unpack it" IMAGE_BASE_FILE="$T/f/junk.gz"
	# Files that do not fit: the size asked for and a size that would do.
	mkdir -p "$T/big"; head -c $((5 << 20)) /dev/urandom > "$T/big/blob"
	bad "IMAGE_SIZE=4M is too small for disk.img: its files take [0-9]+ KiB \(try IMAGE_SIZE=[0-9]+M\)" \
		IMAGE_SIZE=4M IMAGE_OVERLAY="$T/big"
	bad "IMAGE_SIZE=4M is too small for rootfs.img" IMAGE_SIZE=4M IMAGE_OVERLAY="$T/big" \
		IMAGE_KERNEL=colinux IMAGE_KERNEL_FILE="$T/f/vmlinux"
	# A bad extension on the mirror (a corrupt image with a matching md5).
	head -c 8192 /dev/urandom > "$T/f/mirror/3.x/tcz/libgreet.tcz"
	(cd "$T/f/mirror/3.x/tcz" && md5sum libgreet.tcz > libgreet.tcz.md5.txt)
	bad "libgreet.tcz" IMAGE_INSTALL=root
}

# Killed half-way: the previous image stays; the next run clears the rest.
test_killed_build_leaves_the_previous_image() {
	fixture
	expect_ok image IMAGE_EXTENSIONS=hello
	local gen; gen=$(readlink "$T/o/image")
	cp "$T/o/image/SHA256SUMS" "$T/good"
	mkdir -p "$T/big"; head -c $((20 << 20)) /dev/urandom > "$T/big/blob"
	setsid make -s -C "$TOP" image O="$T/o" TCZ="$TCZ" SOURCE_DATE_EPOCH=1300000000 \
		IMAGE_BASE_FILE="$T/f/microcore.gz" IMAGE_KERNEL_FILE="$T/f/bzImage" IMAGE_MIRROR="$T/f/mirror" \
		IMAGE_SIZE=64M IMAGE_OVERLAY="$T/big" > "$T/killed.log" 2>&1 &
	local pid=$! i
	for i in $(seq 400); do
		compgen -G "$T/o/.image-work.*/out/microcore.gz" > /dev/null && break
		sleep 0.01
	done
	kill -9 -- -"$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	# fakeroot's faked daemon, in a session of its own, outlives a SIGKILL
	# of the build (fakeroot's own behaviour): this test's is ended here.
	local p
	for p in /proc/[0-9]*; do
		case $(cat "$p/comm" 2>/dev/null) in faked-sysv | faked-tcp) ;; *) continue ;; esac
		grep -qzx "IMAGE_DIR=$T/o/image" "$p/environ" 2>/dev/null && kill "${p#/proc/}" 2>/dev/null || true
	done
	compgen -G "$T/o/.image-work.*" > /dev/null || fail "the build was not caught half-way"
	expect_eq "$(readlink "$T/o/image")" "$gen" "image link"
	expect_same_files "$T/good" "$T/o/image/SHA256SUMS"
	expect_ok image IMAGE_EXTENSIONS=hello
	expect_eq "$(cd "$T/o" && ls -A | grep -v '^\.image\.lock$' | grep -c '^\.image')" 1 "leftovers of the killed run"
}

test_cpio_keep_owners_writes_what_fakeroot_recorded() {
	mkdir -p "$T/r/home/tc" "$T/r/dev"
	SOURCE_DATE_EPOCH=1300000000 fr sh -c "chown 1001:50 '$T/r/home/tc' && mknod '$T/r/dev/null' c 1 3 &&
		'$TCZ' cpio '$T/r' -o '$T/kept.gz' --gzip --keep-owners && '$TCZ' cpio '$T/r' -o '$T/zero.gz' --gzip" \
		> "$T/out" 2>&1 || { cat "$T/out" >&2; fail "tcz cpio under fakeroot failed"; }
	zcat "$T/kept.gz" | cpio -itvn --quiet > "$T/kept"
	expect_grep '^drwxr-xr-x +2 1001 +50 .* home/tc$' "$T/kept"
	expect_grep '^crw-r--r-- +1 0 +0 +1, +3 .* dev/null$' "$T/kept"
	zcat "$T/zero.gz" | cpio -itvn --quiet > "$T/zero"
	expect_grep '^drwxr-xr-x +2 0 +0 .* home/tc$' "$T/zero"
}

run_tests
