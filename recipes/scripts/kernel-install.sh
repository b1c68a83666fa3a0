#!/usr/bin/env bash
# Install a built kernel: modules into DESTDIR/lib/modules/KVER (depmod
# writes modules.dep), and OUT/{vmlinux,bzImage,config,
# vmlinux-modules.tar.gz}, the last in coLinux's format: lib/modules/KVER,
# owned by root, to unpack on the guest's root. Reproducible tarball.
# Usage: kernel-install.sh 'MAKE...' DESTDIR OUT   (in the source dir)
set -euo pipefail
make_cmd=$1 dest=$2 out=$3
kver=$($make_cmd -s kernelrelease)
$make_cmd INSTALL_MOD_PATH="$dest" DEPMOD=/sbin/depmod modules_install
rm -f "$dest/lib/modules/$kver/build" "$dest/lib/modules/$kver/source"
mkdir -p "$out"
tmp=$(mktemp -d "$out/.install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp vmlinux "$tmp/vmlinux"
cp arch/x86/boot/bzImage "$tmp/bzImage"
cp .config "$tmp/config"
echo "$kver" > "$tmp/kernelrelease"
tar -C "$dest" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@${SOURCE_DATE_EPOCH:-0}" \
	-cf - "lib/modules/$kver" | gzip -n > "$tmp/vmlinux-modules.tar.gz"
for f in vmlinux bzImage config kernelrelease vmlinux-modules.tar.gz; do mv "$tmp/$f" "$out/$f"; done
echo "kernel $kver: $out/vmlinux, $out/bzImage, $out/vmlinux-modules.tar.gz"
