# colinux-kernel: the coLinux guest kernel, Linux 2.6.33.7 with coLinux 0.7.9's patch
# series and config, as coLinux's own bin/build-kernel.sh builds it
# (series patch/series-2.6.33.7, config conf/linux-2.6.33.7-config,
# release 2.6.33.7-co-0.7.9; vmlinux plus vmlinux-modules.tar.gz), built
# with the tcbuild toolchain (gcc 12: patches/linux/2.6.33/) and checked
# as colinux-daemon checks it before it runs a kernel (tcz colinux).
COLINUX_KERNEL_VERSION = 2.6.33.7
COLINUX_KERNEL_SOURCE = linux-$(COLINUX_KERNEL_VERSION).tar.bz2
COLINUX_KERNEL_SITE = https://cdn.kernel.org/pub/linux/kernel/v2.6 \
	https://www.kernel.org/pub/linux/kernel/v2.6
# No sha256 was ever published for this tarball that we could find; its
# MD5 is in OpenWrt's include/kernel-version.mk of that time (OpenWrt
# downloaded kernels as .tar.bz2). Verified by it, with a warning, and its
# sha256 recorded in recipes/sources.lock on first fetch.
COLINUX_KERNEL_MD5 = 2cea51deeaa0620a07d005ec3b148f06
COLINUX_KERNEL_LICENSE = GPL-2.0
COLINUX_KERNEL_HOMEPAGE = http://www.colinux.org
COLINUX_KERNEL_DESCRIPTION = Linux kernel for coLinux guests

# coLinux 0.7.9's series and config, file by file from its public git tree
# at the 0.7.9 release commit (its tarball has no published checksum; a
# commit fixes every file's bytes): each sha256 computed from a git-archive
# of that commit.
COLINUX_KERNEL_VARIABLES = COLINUX_VERSION COLINUX_COMMIT COLINUX_SITE
COLINUX_KERNEL_COLINUX_VERSION = 0.7.9
COLINUX_KERNEL_COLINUX_COMMIT = aef3a72cb898b809962503fdfecea405672a753b
COLINUX_KERNEL_COLINUX_SITE = https://raw.githubusercontent.com/da-x/colinux/$(COLINUX_KERNEL_COLINUX_COMMIT)
COLINUX_KERNEL_EXTRA_SOURCES = \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/series-2.6.33.7@7cc8994c924b96a8d756b7aa305cd75fca1378729db3d28dd4feba769a803005 \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/coconsole-core.diff@210e9001ee33e8b97baf2bb6d6fd62032d6b000b2607fcbf1c7708d0d2f4ee4f \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/serial-core.diff@fa794189a4eaa01ca0cc897845bd6308672a3158ed44ebf68b04e7471db0d60e \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/conet-pci-core.diff@0be7fec6c3fc7b3b9f508f16e160ebf179ed45ba87bb31488ec30a63e308dc73 \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/cobd-core.diff@207942d5dda1084eedb4cbce8733655ad8d7a1b35ca38d12e2f2ea6459ffda34 \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/kbd-core.diff@dcc52621e2b7e8dcbc47ba2688c3e53b044a663703ac0b2bd17678e8ef4e5829 \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/mouse-core.diff@785751c83460747ab949d5cd57e7dd9f92ed85b03d84dcc07593c68c33447ccf \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/cofs-core.diff@ead2e5e7e93cf7fc14081dff7f7b0c4546dad83e3b2cbf2397548b5d003d7bff \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/pci-core.diff@5ba398b9a75819348336bdc730a39ecd9e1c138a1663798f7684617554cb92ac \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/scsi-core.diff@3175c2580e43e550b70534d55f404998fe43d5dcf5745419720661ab0392ad5e \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/audio-core.diff@2dede0378fc516fd7133b84f75d93d78d4f9afa42fd27986d04e9a34ca864153 \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/video-core.diff@818b7ce33fe2df3ad24a17d5caa17fa6eb10c9c74cbbe9c7369a19de5a2863ec \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/cloop-core-2.631.diff@341b6172457827ef98a8f86b19a4a368ec7de539df9a318e42009bf291358920 \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/unionfs-2.5.4_for_2.6.33.diff@0ef86988029fb9342d92e080b91d8ea4c31f5980b83b6cc256e8ccaa7875d6cb \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/tty-buffer-alloc-2.6.33.diff@a3a4ab5f74e961ad1d1849c8e0667c762e0ac67591c33e5e799210aeb849491a \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/base-2.6.33.diff@97caab48c817528961796eb350bee602e14fd4ae490c28dd21c5ef164230ad5f \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/timer-2.6.33.diff@15b78732c3f10e94e5c788379875ca27b596ed4305c1b8fd8e1da9a1c8962e95 \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/coconsole-2.6.33.diff@1188471779373fdf1ee600a2cf378eb158aeb182ccf52885151df3886ddca323 \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/serial-2.6.33.diff@fb7668011c39073d457282d8809f86d8258bed838a77cc9a4e107ae4d8aa6333 \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/conet-2.6.33.diff@c0ac6c2e9ff22805de126a8e9a145a302db3fe37c895677210dceb5ba06abd2b \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/cobd-2.6.33.diff@b72a8c3a84cdb6b3e8bd280138b51c9e7f4669cf2a39cce180dc9ba1596db0ee \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/kbd-2.6.33.diff@7b2b6e4a52bba62c4f65ccd17418416c52b901664fabf8d36fd6e9295667800e \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/mouse-2.6.33.diff@062dda85808d9ce9fa3b35cec376de52c330765f3ac466269e7dfbb0c576cd92 \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/cofs-2.6.33.diff@0bbd1a7eba8a6a38851f5cb77fdb390f1be7e3a5c4fd5193957166d56f86bded \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/cloop-2.6.33.diff@8d888857ed12331d63731c6dfd31491a6f0c1ea08ba8510509d0560cc96938de \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/pci-2.6.33.diff@74738d925a774ab6f4494966ac8df8f9b07adfc2c7d8f3d85762600b25a5afcc \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/scsi-2.6.33.diff@bac7719e339fa4c6124ba3e76723075b2c809a9ebd6a5e8ecc60bc3ff4e737bc \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/audio-2.6.33.diff@dd595b132235eedb22640a564266848cfb7fb33001abfb5ea506cf3ce49918ff \
	$(COLINUX_KERNEL_COLINUX_SITE)/patch/video-2.6.33.diff@b518696bedf49bc5e8c77f34a075bff51e2dc05b9f2048be000fdc914e46496f \
	$(COLINUX_KERNEL_COLINUX_SITE)/conf/linux-2.6.33.7-config@329e837836b81158544669dab9f835753298ea498b50d5d9e4f791ac0a03fe95
COLINUX_KERNEL_SERIES = series-2.6.33.7
COLINUX_KERNEL_BASE_CONFIG = linux-2.6.33.7-config
COLINUX_KERNEL_LOCALVERSION = -co-$(COLINUX_KERNEL_COLINUX_VERSION)
# coLinux boots vmlinux itself; there is no bzImage of a cooperative kernel.
COLINUX_KERNEL_IMAGES = vmlinux

# The gcc ABI number of the colinux-daemon the kernel is for: the daemon
# refuses any other (co_info.compiler_abi). 1002 is the released 0.7.9
# daemon's (MinGW gcc 4.1.2); if you build your own daemon, give its gcc's
# __GXX_ABI_VERSION (gcc -dM -E -x c /dev/null | grep GXX_ABI; gcc 12: 1017).
# Why forcing it is safe: patches/colinux-kernel/0001-daemon-abi.patch.
COLINUX_DAEMON_ABI ?= 1002
COLINUX_KERNEL_VMLINUX_CHECK = $(TCZ) colinux --abi $(COLINUX_DAEMON_ABI)

# Extra config, merged onto the base: your filesystems, netfilter, drivers
# (files of CONFIG_ lines, or single CONFIG_NAME=VALUE words).
KERNEL_CONFIG_FRAGMENTS ?=
COLINUX_KERNEL_CONFIG_FRAGMENTS = CONFIG_COOPERATIVE_DAEMON_ABI=$(COLINUX_DAEMON_ABI) $(KERNEL_CONFIG_FRAGMENTS)
COLINUX_KERNEL_MODULE_GROUPS = filesystems:fs net-modules:net drivers:drivers modules:.
$(eval $(kernel-package))

# The short names the README and `make help` use.
.PHONY: kernel kernel-menuconfig kernel-savedefconfig kernel-rebuild kernel-clean
kernel: colinux-kernel
kernel-menuconfig: colinux-kernel-menuconfig
kernel-savedefconfig: colinux-kernel-savedefconfig
kernel-rebuild: colinux-kernel-rebuild
kernel-clean: colinux-kernel-clean
