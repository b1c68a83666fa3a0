#!/usr/bin/env bash
# mkext2.sh TREE FILE OFFSET SIZE UUID LABEL: write an ext2 file system
# holding TREE into FILE (which must exist), SIZE bytes of it starting at
# byte OFFSET, without root and without a loop device (mke2fs -d).
#
# What reads it: TCL3's 2.6.33 kernel and grub's ext2 driver, so plain ext2
# with the features both have known for years (no extents, no checksums,
# no 64bit), 1 KiB blocks (small images), 128-byte inodes (2.6.33 needs no
# more; mke2fs then warns about 2038, which is filtered).
#
# Same TREE, same bytes: the host's /etc/mke2fs.conf is not read, the UUID
# and the directory hash seed are given, E2FSPROGS_FAKE_TIME fixes the
# times mke2fs stamps itself (superblock, root, lost+found), and debugfs
# then sets every inode's atime and ctime to SOURCE_DATE_EPOCH: mke2fs -d
# copies them from the tree, where the ctime is whenever the file was made.
# Owners, modes and device nodes are the tree's as lstat reports them: run
# under fakeroot to give them TCL3's.
#
# A tree too big for SIZE fails with exit status 3 and a message that
# says how much it needs.
set -euo pipefail

tree=${1:?usage: mkext2.sh TREE FILE OFFSET SIZE UUID LABEL} file=${2:?} offset=${3:?} size=${4:?}
uuid=${5:?} label=${6:?}
: "${SOURCE_DATE_EPOCH:?mkext2.sh needs SOURCE_DATE_EPOCH}"
die() { echo "mkext2.sh: $*" >&2; exit 1; }
[ -d "$tree" ] || die "$tree: not a directory"
[ -f "$file" ] || die "$file: no such file"
block=1024
[ $((size % block)) = 0 ] || die "size $size is not a multiple of $block"

log=$(mktemp)
trap 'rm -f "$log" "$log.cmds"' EXIT
fs="$file?offset=$offset"
if ! MKE2FS_CONFIG=/dev/null E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mke2fs -q -F -t ext2 -r 1 \
	-O none,filetype,sparse_super,large_file,dir_index -b $block -I 128 -i 4096 -m 0 \
	-U "$uuid" -L "$label" -E "hash_seed=$uuid,offset=$offset,nodiscard,root_owner=0:0" \
	-d "$tree" "$file" $((size / block)) > "$log" 2>&1; then
	grep -v 'cannot handle dates beyond 2038\|fs_type .* is not defined' "$log" >&2 || true
	if grep -q 'Could not allocate\|No space left' "$log"; then
		echo "mkext2.sh: $tree: $(du -sk "$tree" | cut -f1) KiB in $(find "$tree" | wc -l) files do not fit in $((size / 1024)) KiB" >&2
		exit 3
	fi
	die "mke2fs failed on $file"
fi

# Every inode in use (the root, 2, and those from the first ordinary one,
# 11, on), from the free ranges dumpe2fs prints per group.
dumpe2fs "$fs" 2>/dev/null | awk -v t="$SOURCE_DATE_EPOCH" '
	/^Inode count:/ { total = $3 }
	/^Inodes per group:/ { ipg = $4 }
	/^Group [0-9]+:/ { g = substr($2, 1, length($2) - 1) + 0 }
	/^  Free inodes: / {
		for (i = g * ipg + 1; i <= (g + 1) * ipg; i++) used[i] = 1
		n = split(substr($0, 16), r, ", ")
		for (k = 1; k <= n; k++) {
			if (r[k] == "") continue
			split(r[k], ab, "-"); lo = ab[1] + 0; hi = (2 in ab) ? ab[2] + 0 : lo
			for (i = lo; i <= hi; i++) delete used[i]
			delete ab
		}
	}
	END {
		for (i = 1; i <= total; i++)
			if ((i in used) && (i == 2 || i >= 11))
				printf "sif <%d> atime @%s\nsif <%d> ctime @%s\n", i, t, i, t
	}' > "$log.cmds"
[ -s "$log.cmds" ] || die "$file: no inodes found in the new file system"
debugfs -w -f "$log.cmds" "$fs" > "$log" 2>&1 || { cat "$log" >&2; die "debugfs failed on $file"; }
if grep -v '^debugfs' "$log" | grep . > /dev/null; then
	grep -v '^debugfs' "$log" >&2
	die "debugfs could not set the times in $file"
fi
