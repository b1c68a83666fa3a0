# The kernel recipe, proven by booting: Debian's linux-source-6.1 through
# the coLinux kernel recipe (a local source override, tinyconfig plus an
# i486 fragment), built with our toolchain, booted in qemu-system-i386
# -cpu 486 with an initramfs written by tcz cpio whose /init (built by our
# toolchain) loop-mounts a .tcz made by tcz pack and prints its marker.
. "$(dirname "$0")/../lib.sh"

TC=$O/toolchain
KERNEL_VARS=(COLINUX_KERNEL_VERSION=6.1 COLINUX_KERNEL_SOURCE_FILE=/usr/src/linux-source-6.1.tar.xz
	COLINUX_KERNEL_PATCH_SOURCE= COLINUX_KERNEL_SERIES= COLINUX_KERNEL_BASE_CONFIG=tinyconfig
	KERNEL_CONFIG_FRAGMENTS="$TOP/tests/e2e/kernel-i486.config" COLINUX_KERNEL_LOCALVERSION=-tcbuild
	COLINUX_KERNEL_MODULE_GROUPS=filesystems:fs)

test_kernel_boots_on_a_486_and_mounts_a_tcz() {
	[ -x "$TC/bin/i486-tcl3-linux-gnu-gcc" ] || fail "no toolchain: run make test-toolchain first"
	make -s -j"$(nproc)" -C "$TOP" kernel O="$O" "${KERNEL_VARS[@]}" > "$T/build.log" 2>&1 ||
		{ tail -n 40 "$T/build.log" >&2; fail "make kernel failed"; }
	local kver; kver=$(cat "$O/kernel/kernelrelease")
	expect_grep 'CONFIG_M486=y' "$O/kernel/config"
	tar tzf "$O/kernel/vmlinux-modules.tar.gz" > "$T/mods"
	expect_grep "^lib/modules/$kver/modules.dep\$" "$T/mods"
	expect_grep "^lib/modules/$kver/kernel/fs/ext2/ext2.ko\$" "$T/mods"
	expect_ok "$TCZ" check "$O/tcz/filesystems-$kver.tcz"
	expect_ok "$TCZ" list "$O/tcz/filesystems-$kver.tcz"
	expect_grep "usr/local/lib/modules/$kver/kernel/fs/ext2/ext2.ko\$" "$T/out"

	# The initramfs: /init, the marker extension, the module.
	local marker="tcbuild-$$-$RANDOM"
	mkdir -p "$T/ext/usr/local/share/tcbuild" "$T/initramfs"
	echo "$marker" > "$T/ext/usr/local/share/tcbuild/marker"
	expect_ok "$TCZ" pack "$T/ext" -o "$T/initramfs/marker.tcz"
	rm "$T"/initramfs/marker.tcz.*
	expect_ok "$TC/bin/i486-tcl3-linux-gnu-gcc" -static -nostdlib -ffreestanding -fno-pic -O2 -e start \
		-o "$T/initramfs/init" "$TOP/tests/e2e/kernel-init.c"
	expect_ok "$TCZ" elf "$T/initramfs/init"
	tar xzf "$O/kernel/vmlinux-modules.tar.gz" -C "$T" "lib/modules/$kver/kernel/fs/ext2/ext2.ko"
	cp "$T/lib/modules/$kver/kernel/fs/ext2/ext2.ko" "$T/initramfs/ext2.ko"
	expect_ok "$TCZ" cpio "$T/initramfs" -o "$T/initramfs.gz" --gzip

	timeout 300 qemu-system-i386 -cpu 486 -m 64 -nographic -no-reboot -monitor none \
		-kernel "$O/kernel/bzImage" -initrd "$T/initramfs.gz" \
		-append "console=ttyS0 panic=-1 rdinit=/init" > "$T/console" 2>&1 || true
	expect_grep "^tcbuild-marker: $marker" "$T/console"
	expect_grep 'tcbuild-init: module ext2 loaded' "$T/console"
	expect_no_grep 'FAILED' "$T/console"
}

run_tests
