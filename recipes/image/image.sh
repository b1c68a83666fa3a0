#!/usr/bin/env bash
# image.sh check|build|clean: the work of `make image`; recipes/image/image.mk
# passes the IMAGE_* settings in the environment (make image-help lists them).
#
# build writes $IMAGE_DIR/, a link to a directory beside it that is swapped
# in whole once everything in it is written: a failed or interrupted run
# leaves the previous image as it was. In it:
#   microcore.gz   TCL3's own (IMAGE_BASE_FILE), remastered: the same root
#                  with owners, modes and device nodes kept; with
#                  IMAGE_INSTALL=root the extensions installed onto it (the
#                  seed's unsquashfs -f -d / way, by tcz install);
#                  IMAGE_OVERLAY copied over it; etc/ld.so.cache for both
#                  (tcz ldconfig -r, TCL3's glibc 2.11 format);
#                  opt/bootlocal.sh with the lines for IMAGE_SERVICES
#   tce/           onboot.lst and optional/ with the extensions, their .dep
#                  and .md5.txt (IMAGE_INSTALL=onboot: loaded at boot)
#   bzImage, disk.img             with IMAGE_KERNEL=tcl3: a raw PC disk, grub
#                  on it, /boot/{bzImage,microcore.gz,grub/grub.cfg} and /tce
#                  in an ext2 partition (mkdisk.sh); dd it to a disk
#   vmlinux, rootfs.img, tcl3.conf   with IMAGE_KERNEL=colinux: the root
#                  file system as an ext2 image for cobd0, and a coLinux
#                  0.7.9 configuration file naming them
#   SHA256SUMS     of the files above
# The same inputs give the same bytes: mtimes are clamped to
# SOURCE_DATE_EPOCH, and UUIDs and disk identifiers come from a digest of
# the content. No root: the root tree is assembled under fakeroot, which
# keeps the owners that mke2fs and tcz cpio then write.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
die() { echo "image: $*" >&2; exit 1; }
: "${SOURCE_DATE_EPOCH:?image.sh needs SOURCE_DATE_EPOCH}"
name_re='^[A-Za-z0-9][A-Za-z0-9._+-]*$'

# --- settings ------------------------------------------------------------------

size_bytes() { # 64M, 1G -> bytes
	local n=${IMAGE_SIZE%?}
	case $IMAGE_SIZE in *M) echo $((n << 20)) ;; *G) echo $((n << 30)) ;; esac
}

check() {
	case $IMAGE_KERNEL in
	tcl3 | colinux) ;;
	*) die "IMAGE_KERNEL='$IMAGE_KERNEL': want tcl3 (a PC or VPS disk) or colinux (a coLinux guest)" ;;
	esac
	case $IMAGE_INSTALL in
	onboot | root) ;;
	*) die "IMAGE_INSTALL='$IMAGE_INSTALL': want onboot (tce/optional and onboot.lst, loaded at boot) or root (installed into microcore.gz)" ;;
	esac
	[[ $IMAGE_SIZE =~ ^[1-9][0-9]{0,5}[MG]$ ]] ||
		die "IMAGE_SIZE='$IMAGE_SIZE': want a whole number of MiB or GiB, such as 64M or 1G"
	# The first MiB of a disk holds the partition table and grub.
	[ "$(size_bytes)" -ge $((4 << 20)) ] || die "IMAGE_SIZE=$IMAGE_SIZE is too small: 4M at least"
	local n
	for n in $IMAGE_EXTENSIONS; do
		[[ $n =~ $name_re ]] || die "IMAGE_EXTENSIONS: '$n' is not an extension name"
	done
	for n in $IMAGE_SERVICES; do
		[[ $n =~ $name_re ]] || die "IMAGE_SERVICES: '$n' is not a service name"
	done
	[ -z "$IMAGE_OVERLAY" ] || [ -d "$IMAGE_OVERLAY" ] || die "IMAGE_OVERLAY=$IMAGE_OVERLAY: not a directory"
	[ -z "$IMAGE_BOOTLOCAL" ] || [ -f "$IMAGE_BOOTLOCAL" ] || die "IMAGE_BOOTLOCAL=$IMAGE_BOOTLOCAL: no such file"
	# Words for grub.cfg and the coLinux file: nothing either would read
	# as syntax (quotes, $, ;, # and the like).
	[[ $IMAGE_CMDLINE =~ ^[A-Za-z0-9\ ._,:=/@+-]*$ ]] ||
		die "IMAGE_CMDLINE='$IMAGE_CMDLINE': only letters, digits, spaces and . _ , : = / @ + - are allowed"
	[[ $IMAGE_GRUB_TIMEOUT =~ ^[0-9]{1,4}$ ]] || die "IMAGE_GRUB_TIMEOUT='$IMAGE_GRUB_TIMEOUT': want seconds"
	[[ $IMAGE_COLINUX_MEM =~ ^[1-9][0-9]{0,5}$ ]] || die "IMAGE_COLINUX_MEM='$IMAGE_COLINUX_MEM': want MB"
	# coLinux's parser ends a setting at a '#' and at a control character.
	[[ $IMAGE_COLINUX_ETH0 =~ ^[^#[:cntrl:]]+$ ]] ||
		die "IMAGE_COLINUX_ETH0='$IMAGE_COLINUX_ETH0': no '#' or control characters"
	[ -z "${IMAGE_KERNEL_GIVEN:-}" ] || kernel_check
	[ -z "${IMAGE_BASE_GIVEN:-}" ] || [ -f "$IMAGE_BASE_FILE" ] || die "IMAGE_BASE_FILE=$IMAGE_BASE_FILE: no such file"
}

# The kernel file exists and is what the choice boots.
kernel_check() {
	local f=$IMAGE_KERNEL_FILE
	[ -f "$f" ] || die "no kernel at $f: build it (make ${IMAGE_KERNEL}-kernel) or name one with IMAGE_KERNEL_FILE"
	case $IMAGE_KERNEL in
	tcl3)
		[ "$(dd if="$f" bs=1 skip=514 count=4 status=none)" = HdrS ] ||
			die "$f: not a bzImage (no Linux boot header): IMAGE_KERNEL=tcl3 boots a PC kernel" ;;
	colinux)
		[ "$(od -An -tx1 -N5 "$f" | tr -d ' ')" = 7f454c4601 ] ||
			die "$f: not a 32-bit ELF vmlinux: IMAGE_KERNEL=colinux boots coLinux's vmlinux" ;;
	esac
}

# The kernel's release, for KERNEL in .dep names: beside the file when the
# recipe wrote it there, else the choice's own.
kernel_release() {
	local f
	f=$(dirname "$IMAGE_KERNEL_FILE")/kernelrelease
	if [ -s "$f" ]; then head -n 1 "$f"
	elif [ "$IMAGE_KERNEL" = colinux ]; then echo 2.6.33.7-co-0.7.9
	else echo "${TCL3_KERNEL:-2.6.33.3-tinycore}"
	fi
}

# Extensions that are not on a directory mirror fail here, by name.
mirror_check() {
	[ -n "$IMAGE_EXTENSIONS" ] || return 0
	case $IMAGE_MIRROR in *://*) return 0 ;; esac
	[ -d "$IMAGE_MIRROR/3.x/tcz" ] || die "IMAGE_MIRROR=$IMAGE_MIRROR: no 3.x/tcz/ there (make mirror makes $IMAGE_MIRROR)"
	local n
	for n in $IMAGE_EXTENSIONS; do
		[ -f "$IMAGE_MIRROR/3.x/tcz/$n.tcz" ] ||
			die "IMAGE_EXTENSIONS: '$n': no recipe builds it and $IMAGE_MIRROR/3.x/tcz/ has no $n.tcz"
	done
}

# --- the root tree, under fakeroot ---------------------------------------------

# Extract TCL3's microcore.gz as root would: owners, modes, device nodes.
unpack_base() {
	bsdtar -xpf "$IMAGE_BASE_FILE" -C "$1" --no-xattrs --no-acls --no-fflags ||
		die "$IMAGE_BASE_FILE: cannot unpack it (a microcore.gz is a gzip'd cpio archive)"
	[ -e "$1/lib/ld-linux.so.2" ] && { [ -e "$1/init" ] || [ -e "$1/sbin/init" ]; } ||
		die "$IMAGE_BASE_FILE: no lib/ld-linux.so.2 and init in it: not a Tiny Core root"
}

# install_extensions ROOT WORK: per IMAGE_INSTALL, onto ROOT or into
# WORK/tce; WORK/order lists the extensions in the order they went in.
install_extensions() {
	local root=$1 work=$2 target log=$2/install.log
	: > "$work/order"
	set -- $IMAGE_EXTENSIONS
	[ $# -gt 0 ] || return 0
	if [ "$IMAGE_INSTALL" = root ]; then
		target=$root
		"$TCZ" install "$@" --root "$target" --mirror "$IMAGE_MIRROR" --kernel "$(kernel_release)" > "$log" ||
			die "installing $* from $IMAGE_MIRROR onto the root failed"
	else
		# tce-load -w: the closure fetched into tce/optional; a scratch
		# root takes what install also unpacks.
		target=$work/fetch
		mkdir -p "$target"
		"$TCZ" install "$@" --root "$target" --mirror "$IMAGE_MIRROR" --kernel "$(kernel_release)" \
			--onboot --keep > "$log" || die "fetching $* from $IMAGE_MIRROR failed"
		cp -a "$target/tce/." "$work/tce/"
		rm -rf "$target"
	fi
	sed -n 's/^tcz: installed \(.*\)\.tcz$/\1/p' "$log" > "$work/order"
}

# provides ROOT WORK PATH: PATH (relative) is on the root or in one of
# the extensions waiting in tce/optional.
provides() {
	[ -e "$1/$3" ] || [ -L "$1/$3" ] || grep -qxF "squashfs-root/$3" "$2/tcz-paths"
}

# The line of opt/bootlocal.sh that starts service NAME: Tiny Core's
# init.d script if it has one, else the daemon itself.
service_line() {
	local root=$1 work=$2 name=$3 p
	if provides "$root" "$work" "usr/local/etc/init.d/$name"; then
		echo "/usr/local/etc/init.d/$name start"
		return
	fi
	for p in "usr/local/sbin/$name" "usr/local/bin/$name" "usr/sbin/$name" "sbin/$name"; do
		if provides "$root" "$work" "$p"; then echo "/$p"; return; fi
	done
	die "IMAGE_SERVICES: '$name': nothing in the image is usr/local/etc/init.d/$name or a $name program in usr/local/sbin, usr/local/bin, usr/sbin or sbin"
}

# opt/bootlocal.sh, run by TCL3 at the end of its boot: TCL3's own lines,
# then the extension scripts tce-load would have run (IMAGE_INSTALL=root),
# the services, and IMAGE_BOOTLOCAL.
write_bootlocal() {
	local root=$1 work=$2 f=$1/opt/bootlocal.sh e s
	shift 2
	if [ ! -e "$f" ]; then
		mkdir -p "$root/opt"
		printf '#!/bin/sh\n# put other system startup commands here\n' > "$f"
		chown 0:50 "$root/opt" "$f"
		chmod 775 "$root/opt" "$f"
	fi
	: > "$work/tcz-paths"
	for e in "$work"/tce/optional/*.tcz; do
		[ -e "$e" ] && "$TCZ" list "$e" | tail -n +2 >> "$work/tcz-paths"
	done
	{
		[ $# -eq 0 ] || echo "# Installed onto the root by make image: what tce-load runs after an install."
		for e; do
			echo "[ -x /usr/local/tce.installed/$e ] && /usr/local/tce.installed/$e"
		done
		[ -z "$IMAGE_SERVICES" ] || echo "# IMAGE_SERVICES"
		for s in $IMAGE_SERVICES; do service_line "$root" "$work" "$s"; done
		[ -z "$IMAGE_BOOTLOCAL" ] || { echo "# IMAGE_BOOTLOCAL"; cat "$IMAGE_BOOTLOCAL"; }
	} > "$work/bootlocal.add"
	cat "$work/bootlocal.add" >> "$f"
}

# run_fs WHAT CMD...: make a file system; one that does not fit names
# IMAGE_SIZE and a size that would do.
run_fs() {
	local what=$1 rc=0 need
	shift
	"$@" 2> "$WORK/fs.err" || rc=$?
	[ $rc = 0 ] && return 0
	if [ $rc = 3 ]; then
		need=$(sed -n 's/.*: \([0-9]*\) KiB in .*/\1/p' "$WORK/fs.err")
		die "IMAGE_SIZE=$IMAGE_SIZE is too small for $what: its files take ${need:-more than that} KiB (try IMAGE_SIZE=$(( (${need:-0} * 5 / 4 + 2048) / 1024 + 1 ))M)"
	fi
	cat "$WORK/fs.err" >&2
	die "could not make $what"
}

clamp_mtimes() { # DIR: nothing newer than SOURCE_DATE_EPOCH
	find "$1" -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

# A digest of a tree's names, types, modes, owners and contents.
tree_digest() {
	(cd "$1" && find . -printf '%P\t%y\t%m\t%U\t%G\t%s\t%l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum | cut -c1-64
}

grub_cfg() {
	cat <<EOF
# Tiny Core Linux 3.x, from partition 1 of this disk (tcbuild's make image).
# Boot options follow "linux /boot/bzImage": TCL3's boot codes (tce=,
# opt=, nodhcp, ...) and the kernel's. grub talks on the screen and on
# the first serial port (115200 baud).
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=$IMAGE_GRUB_TIMEOUT
set default=0
menuentry "Tiny Core Linux 3.x (tcbuild)" {
	linux /boot/bzImage $IMAGE_CMDLINE
	initrd /boot/microcore.gz
}
EOF
}

colinux_conf() {
	cat <<EOF
# A coLinux 0.7.9 guest running Tiny Core Linux 3.x, written by tcbuild's
# make image. Start it from this directory, which relative paths are
# taken from (or make them absolute, C:\\coLinux\\rootfs.img):
#     colinux-daemon @tcl3.conf
# Settings the daemon does not know (root=, rw, ...) go to the kernel as
# boot options. doc/colinux-daemon of coLinux describes every setting.

# The coLinux kernel, $(kernel_release).
kernel=vmlinux

# The root file system (ext2): TCL3's root with the chosen extensions.
cobd0="rootfs.img"

# The kernel mounts it as its root, read-write.
root=/dev/cobd0
rw

# Memory of the guest, in MB.
mem=$IMAGE_COLINUX_MEM

# The network: slirp needs nothing on the host and hands out 10.0.2.15
# by DHCP; forward host ports with eth0=slirp,,tcp:8080:80/tcp:8443:443,
# or use eth0=tuntap for a private host network.
eth0=$IMAGE_COLINUX_ETH0

# More boot options (TCL3's boot codes, the kernel's).
$IMAGE_CMDLINE
EOF
}

# assemble WORK: everything of the image into WORK/out. Runs under fakeroot.
assemble() {
	WORK=$1
	local work=$1 root=$1/root out=$1/out size order=() id
	size=$(size_bytes)
	mkdir -p "$root" "$out" "$work/tce/optional"
	unpack_base "$root"
	install_extensions "$root" "$work"
	mapfile -t order < "$work/order"
	[ -e "$work/tce/onboot.lst" ] || : > "$work/tce/onboot.lst"
	[ -z "$IMAGE_OVERLAY" ] || cp -a "$IMAGE_OVERLAY/." "$root/"
	# ldconfig for what came onto the root (tcz install wrote a cache
	# before the overlay, which may bring libraries of its own).
	if [ "$IMAGE_INSTALL" = root ] || [ -n "$IMAGE_OVERLAY" ]; then
		"$TCZ" ldconfig -r "$root" > /dev/null || die "tcz ldconfig -r failed on the image's root"
	fi
	if [ "$IMAGE_INSTALL" = root ]; then
		write_bootlocal "$root" "$work" "${order[@]}"
	else
		write_bootlocal "$root" "$work"
	fi
	# The tce directory belongs to tc:staff (1001:50), whose tce-load
	# writes there.
	chown -R 1001:50 "$work/tce"
	chmod -R u+rwX,g+rwX,o+rX "$work/tce"

	clamp_mtimes "$root"
	"$TCZ" cpio "$root" -o "$out/microcore.gz" --gzip --keep-owners > /dev/null
	cp -a "$work/tce" "$out/tce"

	local disk=$work/disk
	case $IMAGE_KERNEL in
	tcl3)
		cp "$IMAGE_KERNEL_FILE" "$out/bzImage"
		mkdir -p "$disk/boot/grub"
		cp "$out/bzImage" "$out/microcore.gz" "$disk/boot/"
		grub_cfg > "$disk/boot/grub/grub.cfg"
		cp -a "$work/tce" "$disk/tce"
		clamp_mtimes "$disk"
		id=$({ echo "$size"; tree_digest "$disk"; } | sha256sum | cut -c1-64)
		run_fs disk.img "$here/mkdisk.sh" "$disk" "$out/disk.img" "$size" "$id" ;;
	colinux)
		cp "$IMAGE_KERNEL_FILE" "$out/vmlinux"
		cp -a "$work/tce" "$root/tce"
		clamp_mtimes "$root"
		id=$({ echo "$size"; tree_digest "$root"; } | sha256sum | cut -c1-64)
		truncate -s "$size" "$out/rootfs.img"
		run_fs rootfs.img "$here/mkext2.sh" "$root" "$out/rootfs.img" 0 "$size" \
			"${id:0:8}-${id:8:4}-4${id:13:3}-8${id:17:3}-${id:20:12}" tcl3
		colinux_conf > "$out/tcl3.conf" ;;
	esac
	clamp_mtimes "$out"
	(cd "$out" && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -r sha256sum) > "$work/SHA256SUMS"
	mv "$work/SHA256SUMS" "$out/SHA256SUMS"
	touch -d "@$SOURCE_DATE_EPOCH" "$out/SHA256SUMS"
}

# --- publishing ------------------------------------------------------------------

parent=$(dirname "$IMAGE_DIR")
base=$(basename "$IMAGE_DIR")

alive() { # PID: a process that is not a zombie
	[ -r "/proc/$1/stat" ] || { kill -0 "$1" 2>/dev/null; return; }
	[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ] && kill -0 "$1" 2>/dev/null
}

# What runs whose process is gone left (work directories, unpublished
# images, link temporaries); never the published image.
remove_stale() {
	local d pid current
	current=$(readlink "$IMAGE_DIR" 2>/dev/null || true)
	for d in "$parent/.$base".* "$parent/.$base-work".* "$IMAGE_DIR.tmp".*; do
		[ -e "$d" ] || [ -L "$d" ] || continue
		pid=${d##*.}
		[[ $pid =~ ^[0-9]+$ ]] || continue
		[ "$(basename "$d")" = "$current" ] && continue
		alive "$pid" && continue
		chmod -R u+rwX "$d" 2>/dev/null || true
		rm -rf "$d"
	done
}

publish() { # WORK: its out/ becomes IMAGE_DIR
	local gen=$parent/.$base.$$ old
	old=$(readlink "$IMAGE_DIR" 2>/dev/null || true)
	mv "$1/out" "$gen"
	ln -sfn ".$base.$$" "$IMAGE_DIR.tmp.$$"
	mv -T "$IMAGE_DIR.tmp.$$" "$IMAGE_DIR"
	[ -z "$old" ] || [ "$old" = ".$base.$$" ] || rm -rf "${parent:?}/$old"
}

build() {
	# The kernel and the base exist by now, whoever made them: checked too.
	IMAGE_KERNEL_GIVEN=1 IMAGE_BASE_GIVEN=1 check
	# TCL3's placeholder in extension names (ipv6-KERNEL): this kernel's release.
	IMAGE_EXTENSIONS=$(echo "$IMAGE_EXTENSIONS" | sed "s/KERNEL/$(kernel_release)/g")
	export IMAGE_EXTENSIONS
	mirror_check
	command -v fakeroot > /dev/null || die "fakeroot is missing (toolchain/host-deps.sh image)"
	mkdir -p "$parent"
	[ ! -e "$IMAGE_DIR" ] || [ -L "$IMAGE_DIR" ] ||
		die "$IMAGE_DIR exists and is not the link make image keeps: move it away"
	# One build of an IMAGE_DIR at a time.
	exec 9> "$parent/.$base.lock"
	flock -n 9 || { echo "image: another make image is writing $IMAGE_DIR; waiting"; flock 9; }
	remove_stale
	WORK=$parent/.$base-work.$$
	trap 'chmod -R u+rwX "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
	rm -rf "$WORK" && mkdir -p "$WORK"
	# The ASan build of tcz (the tests) must tolerate fakeroot's preload.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		fakeroot -- "$0" assemble "$WORK"
	publish "$WORK"
	echo "image: $IMAGE_DIR/"
	(cd "$IMAGE_DIR" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%s\t%f\n' | LC_ALL=C sort -k2 |
		numfmt --to=iec-i --suffix=B --field=1 --padding=8 | sed 's/^/  /')
}

case ${1:-} in
check) check ;;
build) build ;;
assemble) assemble "${2:?}" ;;
clean)
	old=$(readlink "$IMAGE_DIR" 2>/dev/null || true)
	rm -f "$IMAGE_DIR"
	[ -z "$old" ] || rm -rf "${parent:?}/$old"
	remove_stale ;;
*) die "usage: image.sh check|build|clean" ;;
esac
