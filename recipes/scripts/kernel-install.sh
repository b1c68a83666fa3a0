#!/usr/bin/env bash
# Install a built kernel: the modules into DESTDIR/lib/modules/KVER with
# depmod's index for that release (modules.dep, modules.dep.bin, ...: what
# modprobe reads; coLinux 0.7.9 shipped without modules.dep.bin and
# `modprobe tun` failed), then OUT/{IMAGE...,config,kernelrelease,
# vmlinux-modules.tar.gz}, the last in coLinux's format: lib/modules/KVER,
# owned by root, to unpack on the guest's root. Reproducible tarball; each
# file appears whole (written aside, then renamed).
# Usage: kernel-install.sh 'MAKE...' DEPMOD DESTDIR OUT IMAGE...   (in the source dir)
set -euo pipefail
make_cmd=$1 depmod=$2 dest=$3 out=$4; shift 4
[ -x "$depmod" ] || { echo "kernel-install.sh: $depmod: no depmod (Debian: apt-get install kmod)" >&2; exit 1; }
kver=$($make_cmd -s --no-print-directory kernelrelease)
# The kernel's own modules_install would run depmod only if it finds one.
$make_cmd INSTALL_MOD_PATH="$dest" DEPMOD=/bin/true modules_install
mods=$dest/lib/modules/$kver
rm -f "$mods/build" "$mods/source"
# -e -F: every symbol a module needs must come from the kernel or a module.
"$depmod" -b "$dest" -e -F System.map "$kver" 2> depmod.log || { cat depmod.log >&2; exit 1; }
if grep -q 'unknown symbol' depmod.log; then
	cat depmod.log >&2
	echo "kernel-install.sh: modules need symbols nothing provides: modprobe would fail" >&2
	exit 1
fi
for f in modules.dep modules.dep.bin; do
	[ -f "$mods/$f" ] || { echo "kernel-install.sh: depmod made no $mods/$f" >&2; exit 1; }
done
mkdir -p "$out"
tmp=$(mktemp -d "$out/.install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
files=()
for image; do
	case $image in
	vmlinux) cp vmlinux "$tmp/vmlinux" ;;
	bzImage) cp arch/x86/boot/bzImage "$tmp/bzImage" ;;
	*) echo "kernel-install.sh: $image: not an image this knows" >&2; exit 1 ;;
	esac
	files+=("$image")
done
cp .config "$tmp/config"
echo "$kver" > "$tmp/kernelrelease"
tar -C "$dest" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@${SOURCE_DATE_EPOCH:-0}" \
	-cf - "lib/modules/$kver" | gzip -n > "$tmp/vmlinux-modules.tar.gz"
for f in "${files[@]}" config kernelrelease vmlinux-modules.tar.gz; do mv "$tmp/$f" "$out/$f"; done
echo "kernel $kver: ${files[*]/#/$out/}, $out/vmlinux-modules.tar.gz"
