# The kernel recipes, proven: TCL3's Linux 2.6.33.3 and coLinux 0.7.9's
# 2.6.33.7, built offline from ../shared/sources (kernel-offline.env) with
# our toolchain. The TCL3 kernel boots in qemu-system-i386 -cpu 486 with an
# initramfs written by tcz cpio, whose /init (kernel-init.c, built by our
# toolchain) loop-mounts a .tcz made by tcz pack with the kernel's own
# squashfs driver, and loads a module from a module extension in the order
# kmod's modprobe resolves from the kernel's index. The coLinux vmlinux is
# checked as colinux-daemon checks it (it runs only under Windows).
# A second make of either kernel must do nothing.
. "$(dirname "$0")/../lib.sh"
. "$TESTS/e2e/kernel-offline.env"

TC=$O/toolchain
JOBS=${KERNEL_JOBS:-2}

kmake() { # TARGET: one kernel, its log in $T/TARGET.log, the time on stdout
	local target=$1 start=$SECONDS
	make -s -j"$JOBS" -C "$TOP" "$target" O="$O" > "$T/$target.log" 2>&1 ||
		{ tail -n 40 "$T/$target.log" >&2; fail "make $target failed"; }
	echo "make $target: $((SECONDS - start)) s"
}

# A second make does no work: no stage runs, no output is rewritten. And
# the kernel's own make, run again by PKG-rebuild, compiles and links
# nothing (2.6.33's kbuild under make 4.3 did it all again:
# patches/linux/2.6.33/0009, 0010).
expect_noop_rebuild() { # TARGET FILE
	local target=$1 file=$2 before
	before=$(stat -c %Y.%i "$file")
	kmake "$target" > /dev/null
	expect_no_grep '^\[[1-9]/9\]' "$T/$target.log"
	expect_eq "$(stat -c %Y.%i "$file")" "$before" "$file after a second make"
	kmake "$target-rebuild" > /dev/null
	awk '/^=== \[5\/9\]/ { build = "" } { build = build $0 "\n" } END { printf "%s", build }' \
		"$O/logs/$target.log" | sed '/^=== \[6\/9\]/,$d' > "$T/kbuild.log"
	expect_grep '^=== \[5/9\]' "$T/kbuild.log"
	expect_no_grep '^  (CC|LD|AS) ' "$T/kbuild.log"
}

# A module's load order, from the kernel's index as kmod's modprobe reads it
# (modules.dep.bin), as paths inside its module extension mounted at /modules.
modprobe_plan() { # ROOT KVER NAME
	modprobe -C /dev/null -d "$1" -S "$2" --show-depends "$3" > "$T/show-depends" ||
		fail "modprobe --show-depends $3 failed: $(cat "$T/show-depends")"
	sed -n "s,^insmod $1/lib/modules/$2/\(kernel/[^ ]*\.ko\) *\$,/modules/usr/local/lib/modules/$2/\1,p" "$T/show-depends"
}

test_tcl3_kernel_boots_on_a_486_mounts_a_tcz_and_loads_a_module() {
	[ -x "$TC/bin/i486-tcl3-linux-gnu-gcc" ] || fail "no toolchain: run make test-toolchain first"
	kmake tcl3-kernel
	local out=$O/kernel/tcl3-kernel kver=2.6.33.3-tinycore
	expect_eq "$(cat "$out/kernelrelease")" "$kver" "kernel release"
	for c in M486 MODULES BLK_DEV_INITRD DEVTMPFS TMPFS SERIAL_8250_CONSOLE BLK_DEV_LOOP SQUASHFS \
		EXT2_FS EXT3_FS VIRTIO_PCI VIRTIO_BLK VIRTIO_NET; do
		expect_grep "^CONFIG_$c=y\$" "$out/config"
	done
	tar tzf "$out/vmlinux-modules.tar.gz" > "$T/mods"
	expect_grep "^lib/modules/$kver/modules.dep\$" "$T/mods"
	expect_grep "^lib/modules/$kver/modules.dep.bin\$" "$T/mods"
	expect_grep "^lib/modules/$kver/kernel/fs/fat/vfat.ko\$" "$T/mods"
	local ext=$O/tcz/filesystems-$kver.tcz
	expect_ok "$TCZ" check "$ext"
	expect_grep "^usr/local/lib/modules/$kver/kernel/fs/fat/vfat.ko\$" "$ext.list"

	# The initramfs: /init, the marker extension, the module extension and
	# the load order modprobe reads from the index.
	local marker="tcbuild-$$-$RANDOM"
	mkdir -p "$T/ext/usr/local/share/tcbuild" "$T/initramfs" "$T/root"
	echo "$marker" > "$T/ext/usr/local/share/tcbuild/marker"
	expect_ok "$TCZ" pack "$T/ext" -o "$T/initramfs/marker.tcz"
	rm "$T"/initramfs/marker.tcz.*
	cp "$ext" "$T/initramfs/modules.tcz"
	tar xzf "$out/vmlinux-modules.tar.gz" -C "$T/root"
	modprobe_plan "$T/root" "$kver" vfat > "$T/initramfs/modprobe.plan"
	expect_eq "$(wc -l < "$T/initramfs/modprobe.plan")" 3 "modules in vfat's plan (nls_base, fat, vfat)"
	expect_ok "$TC/bin/i486-tcl3-linux-gnu-gcc" -static -nostdlib -ffreestanding -fno-pic -O2 -e start \
		-o "$T/initramfs/init" "$TOP/tests/e2e/kernel-init.c"
	expect_ok "$TCZ" elf "$T/initramfs/init"
	expect_ok "$TCZ" cpio "$T/initramfs" -o "$T/initramfs.gz" --gzip

	timeout 300 qemu-system-i386 -cpu 486 -m 64 -nographic -no-reboot -monitor none \
		-kernel "$out/bzImage" -initrd "$T/initramfs.gz" \
		-append "console=ttyS0 panic=-1 rdinit=/init" > "$T/console" 2>&1 || true
	expect_grep "Linux version $kver \(tcbuild@tcbuild\) \(gcc version 12\.[0-9.]+ " "$T/console"
	expect_grep "^tcbuild-init: mounted /marker.tcz" "$T/console"
	expect_grep "^tcbuild-marker: $marker" "$T/console"
	expect_grep "^tcbuild-init: loaded /modules/usr/local/lib/modules/$kver/kernel/fs/fat/vfat.ko" "$T/console"
	expect_grep '^vfat [0-9]+ 0 - Live' "$T/console"
	expect_grep '^tcbuild-init: done' "$T/console"
	expect_no_grep 'FAILED' "$T/console"

	expect_noop_rebuild tcl3-kernel "$out/bzImage"
}

test_colinux_kernel_passes_the_daemon_check() {
	[ -x "$TC/bin/i486-tcl3-linux-gnu-gcc" ] || fail "no toolchain: run make test-toolchain first"
	# coLinux's own config, over 300 modules: about 9 CPU-minutes.
	kmake colinux-kernel
	local out=$O/kernel/colinux-kernel kver=2.6.33.7-co-0.7.9
	expect_eq "$(cat "$out/kernelrelease")" "$kver" "kernel release"
	expect_grep '^CONFIG_COOPERATIVE=y$' "$out/config"
	expect_grep '^CONFIG_COOPERATIVE_DAEMON_ABI=1002$' "$out/config"
	# What the released daemon (API 14, gcc 4.1.2: ABI 1002) reads, from a
	# kernel built by gcc 12.
	expect_ok "$TCZ" colinux "$out/vmlinux"
	expect_grep '^  co_info: api_version 14, compiler 12\.[0-9]+, compiler_abi 1002$' "$T/out"
	for s in _kernel_start _end init_thread_union co_start swapper_pg_dir idt_table per_cpu__gdt_page \
		co_info co_arch_info; do
		expect_grep "^  $s +0xc[0-9a-f]{7}\$" "$T/out"
	done
	expect_grep "colinux-daemon \(API 14, gcc ABI 1002\) accepts it" "$T/out"
	# A daemon built with gcc 12 (ABI 1017) refuses it, as the released one
	# refuses a kernel built without patches/colinux-kernel/0001-daemon-abi.patch.
	expect_status 3 "$TCZ" colinux --abi 1017 "$out/vmlinux"
	expect_grep 'co_info.compiler_abi is 1002 \(gcc 12\.[0-9]+\), the daemon expects 1017' "$T/err"

	tar tzf "$out/vmlinux-modules.tar.gz" > "$T/mods"
	expect_grep "^lib/modules/$kver/modules.dep\$" "$T/mods"
	expect_grep "^lib/modules/$kver/modules.dep.bin\$" "$T/mods"
	expect_grep "^lib/modules/$kver/kernel/drivers/net/tun.ko\$" "$T/mods"
	ls "$O/tcz" | grep -E "^[a-z-]+-$kver\.tcz\$" > "$T/exts" || fail "no module extension NAME-$kver.tcz"
	while read -r e; do expect_ok "$TCZ" check "$O/tcz/$e"; done < "$T/exts"
	# The index finds tun, as `modprobe tun` in a guest will.
	mkdir "$T/root"
	tar xzf "$out/vmlinux-modules.tar.gz" -C "$T/root"
	expect_ok modprobe -C /dev/null -d "$T/root" -S "$kver" --show-depends tun
	expect_grep "kernel/drivers/net/tun.ko" "$T/out"

	expect_noop_rebuild colinux-kernel "$out/vmlinux"
}

run_tests
