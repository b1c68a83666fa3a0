#!/usr/bin/env bash
# mkdisk.sh TREE FILE SIZE ID: a raw PC disk image of SIZE bytes that a BIOS
# boots with grub, holding TREE in one ext2 partition; writable to a real
# disk with dd. No root, no loop device: the image is an ordinary file
# written piece by piece, in the layout grub-install would leave:
#
#   sector 0        grub's boot.img (its first 440 bytes: the code) + the
#                   MBR's disk identifier and partition table (sfdisk, from ID)
#   sectors 1-2047  grub's core.img (grub-mkimage: diskboot.img, which
#                   loads the rest from sector 2 on, as it expects)
#   sector 2048-    partition 1, type 83, bootable: ext2 (mkext2.sh)
#
# grub then reads /boot/grub/grub.cfg from partition 1 of the disk it
# booted from, "(,msdos1)", whichever BIOS drive that is. Its modules are
# built into core.img, so the partition needs no /boot/grub/i386-pc.
#
# Why grub and ext2: TCL3's kernel reads ext2 without a module (vfat is a
# module there); grub's i386-pc images install with dd, while extlinux
# needs the file system mounted and syslinux wants FAT.
#
# ID: 40 hex digits or more (a digest of the content): the partition
# table's disk identifier and the file system's UUID come from it, so the
# same content gives the same bytes. FILE is written whole or not at all.
set -euo pipefail

tree=${1:?usage: mkdisk.sh TREE FILE SIZE ID} file=${2:?} size=${3:?} id=${4:?}
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "mkdisk.sh: $*" >&2; exit 1; }
GRUB_DIR=${GRUB_DIR:-/usr/lib/grub/i386-pc}
for f in boot.img diskboot.img kernel.img; do
	[ -f "$GRUB_DIR/$f" ] || die "$GRUB_DIR/$f: missing (Debian package grub-pc-bin: toolchain/host-deps.sh image)"
done
[[ $id =~ ^[0-9a-f]{40,}$ ]] || die "ID '$id': want at least 40 lowercase hex digits"
[ -f "$tree/boot/grub/grub.cfg" ] || die "$tree/boot/grub/grub.cfg: missing"

gap=$((2048 * 512))
[ $((size % gap)) = 0 ] || die "size $size is not a whole number of MiB"
[ "$size" -gt "$gap" ] || die "size $size leaves no room for the partition after the first MiB"

tmp="$(dirname "$file")/.$(basename "$file").tmp.$$"
trap 'rm -f "$tmp" "$tmp.core" "$tmp.log"' EXIT
rm -f "$tmp"
truncate -s "$size" "$tmp"

# The file system first: mke2fs clears the start of what it is given.
uuid=${id:0:8}-${id:8:4}-4${id:13:3}-8${id:17:3}-${id:20:12}
"$here/mkext2.sh" "$tree" "$tmp" "$gap" $((size - gap)) "$uuid" tcl3

# The partition table. A zero disk identifier means "none" to some tools.
label_id=${id:32:8}
[ "$label_id" != 00000000 ] || label_id=00000001
printf 'label: dos\nlabel-id: 0x%s\nunit: sectors\n\nstart=2048, type=83, bootable\n' "$label_id" |
	sfdisk -q --no-reread --no-tell-kernel --wipe-partitions never "$tmp" > "$tmp.log" 2>&1 ||
	{ cat "$tmp.log" >&2; die "sfdisk could not write the partition table of $file"; }

# grub's core image, with what it needs to reach grub.cfg and boot Linux.
grub-mkimage -O i386-pc -d "$GRUB_DIR" -o "$tmp.core" -p '(,msdos1)/boot/grub' \
	biosdisk part_msdos ext2 normal linux serial terminal echo test ||
	die "grub-mkimage failed"
core_sectors=$(( ($(stat -c %s "$tmp.core") + 511) / 512 ))
[ "$core_sectors" -le 2047 ] || die "grub's core image ($core_sectors sectors) does not fit before the partition"
dd if="$tmp.core" of="$tmp" bs=512 seek=1 conv=notrunc status=none

# boot.img's code, leaving the identifier and table (bytes 440 on) alone; as
# grub-setup does for a hard disk, the jump over the boot-drive check
# (offset 0x66) becomes two nops, for BIOSes that pass a wrong drive
# number. boot.img already points at sector 1 and takes the BIOS drive.
dd if="$GRUB_DIR/boot.img" of="$tmp" bs=440 count=1 conv=notrunc status=none
printf '\220\220' | dd of="$tmp" bs=1 seek=$((0x66)) conv=notrunc status=none

mv -f "$tmp" "$file"
