#!/usr/bin/env python3
"""sqfsgen.py [--raw] KIND OUT [ARG]: write a small squashfs 4.0 image that
no packer makes, for tests of the readers (the directory table is stored
uncompressed, the inode table zlib-compressed where that is smaller, or
stored too with --raw: seeds for a fuzzer, whose mutations then land in
inodes and entries):

  dag DEPTH    DEPTH directories, each with entries "a" and "b" naming the
               same next directory: 2^DEPTH paths from a few KB
  loop         a subdirectory whose entry names the root directory again
  dup          the root holds "x" twice: a symlink to /tmp, then a
               directory with a file in it
  sparse SIZE  one file "big" of SIZE bytes, every block a hole (block size
               1 MiB, as squashfs-tools writes an all-zero block)
  fanout N     N entries f0..fN-1 naming one file of 4 GiB - 1 in 4 KiB holes:
               each entry's inode carries a 4 MiB block list
  claim        one file "huge" whose inode claims 16 TiB (a 16 GiB block
               list) and holds none of it

Format (squashfs 4.0, little-endian): super block (96 bytes), inode table,
directory table, id table (one metadata block, then its index), each
metadata block a 2-byte header (length | 0x8000: stored) and up to 8 KiB.
"""
import struct
import sys
import zlib

META = 8192


class Image:
    raw = False  # store the inode table uncompressed too

    def __init__(self, block_size=4096):
        self.block_size = block_size
        self.inodes = []  # (kind, fields) in table order

    # Inodes are added first; their records are laid out in build().
    def dir(self, entries=None):
        """entries: list of (name, inode index); filled in later is fine."""
        self.inodes.append(['dir', entries if entries is not None else []])
        return len(self.inodes) - 1

    def file(self, size, listed=True):
        """listed=False: the inode claims SIZE but carries no block list."""
        self.inodes.append(['file' if listed else 'claim', size])
        return len(self.inodes) - 1

    def symlink(self, target):
        self.inodes.append(['symlink', target.encode()])
        return len(self.inodes) - 1

    def _inode_size(self, i):
        kind, val = self.inodes[i]
        if kind == 'dir':
            return 32
        if kind == 'symlink':
            return 24 + len(val)
        if kind == 'claim':
            return 56
        blocks = (val + self.block_size - 1) // self.block_size
        return 56 + 4 * blocks

    @staticmethod
    def _ref(pos):
        """(metadata block start << 16 | offset) in a table stored as is."""
        return (pos // META * (META + 2)) << 16 | pos % META

    @staticmethod
    def _meta(data, compress):
        """The table as metadata blocks, and where each block starts."""
        out, starts = b'', []
        for i in range(0, len(data), META):
            chunk = data[i:i + META]
            z = zlib.compress(chunk, 9) if compress else chunk
            starts.append(len(out))
            if len(z) < len(chunk):
                out += struct.pack('<H', len(z)) + z
            else:
                out += struct.pack('<H', len(chunk) | 0x8000) + chunk
        return out, starts

    def build(self, root):
        n = len(self.inodes)
        ipos, pos = [], 0
        for i in range(n):
            ipos.append(pos)
            pos += self._inode_size(i)
        # Listing sizes do not depend on the inode references in them, so
        # the directory table's layout is known before the inode table is
        # compressed, and the inode references after. One header per entry:
        # simple, and valid.
        dpos, dsize, pos = {}, {}, 0
        for i, (kind, val) in enumerate(self.inodes):
            if kind == 'dir':
                dpos[i] = pos
                dsize[i] = sum(20 + len(name.encode()) for name, _ in val)
                pos += dsize[i]
        itab = b''
        for i, (kind, val) in enumerate(self.inodes):
            if kind == 'dir':
                parent = n + 1 if i == root else 1
                ref = self._ref(dpos[i])
                itab += struct.pack('<HHHHII', 1, 0o755, 0, 0, 0, i + 1)
                itab += struct.pack('<IIHHI', ref >> 16, 2, dsize[i] + 3, ref & 0xFFFF, parent)
            elif kind == 'symlink':
                itab += struct.pack('<HHHHII', 3, 0o777, 0, 0, 0, i + 1)
                itab += struct.pack('<II', 1, len(val)) + val
            elif kind == 'claim':
                itab += struct.pack('<HHHHII', 9, 0o644, 0, 0, 0, i + 1)
                itab += struct.pack('<QQQIIII', 96, val, val, 1, 0xFFFFFFFF, 0, 0xFFFFFFFF)
            else:
                # Extended, as mksquashfs writes a file with holes: its
                # "sparse" field (bytes in holes) is what tells unsquashfs
                # to leave holes rather than write zeros.
                blocks = (val + self.block_size - 1) // self.block_size
                itab += struct.pack('<HHHHII', 9, 0o644, 0, 0, 0, i + 1)
                itab += struct.pack('<QQQIIII', 96, val, val, 1, 0xFFFFFFFF, 0, 0xFFFFFFFF)
                itab += b'\0' * (4 * blocks)
        inode_table, istarts = self._meta(itab, not Image.raw)

        def iref(child):
            return istarts[ipos[child] // META] << 16 | ipos[child] % META
        dtab = b''
        for i, (kind, val) in enumerate(self.inodes):
            if kind != 'dir':
                continue
            for name, child in val:
                name = name.encode()
                ctype = {'dir': 1, 'file': 2, 'claim': 2, 'symlink': 3}[self.inodes[child][0]]
                dtab += struct.pack('<III', 0, iref(child) >> 16, child + 1)
                dtab += struct.pack('<HhHH', iref(child) & 0xFFFF, 0, ctype, len(name) - 1) + name
        inode_start = 96
        dir_start = inode_start + len(inode_table)
        dir_table, _ = self._meta(dtab, False)
        ids_block = dir_start + len(dir_table)
        ids, _ = self._meta(struct.pack('<I', 0), False)
        id_start = ids_block + len(ids)
        end = id_start + 8
        log = self.block_size.bit_length() - 1
        flags = 0x0002 | 0x0008 | 0x0010 | 0x0200  # data/fragments stored, none; no xattrs
        sb = struct.pack('<IIIIIHHHHHHQQQQQQQQ', 0x73717368, n, 0, self.block_size, 0, 1, log,
                         flags, 1, 4, 0, iref(root), end, id_start,
                         0xFFFFFFFFFFFFFFFF, inode_start, dir_start,
                         0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF)
        image = sb + inode_table + dir_table + ids + struct.pack('<Q', ids_block)
        return image + b'\0' * (-len(image) % 4096)


def main():
    if sys.argv[1] == '--raw':
        Image.raw = True
        del sys.argv[1]
    kind, out = sys.argv[1], sys.argv[2]
    if kind == 'dag':
        img = Image()
        depth = int(sys.argv[3])
        dirs = [img.dir() for _ in range(depth + 1)]
        for i in range(depth):
            img.inodes[dirs[i]][1] += [('a', dirs[i + 1]), ('b', dirs[i + 1])]
        data = img.build(dirs[0])
    elif kind == 'loop':
        img = Image()
        root, sub = img.dir(), img.dir()
        img.inodes[root][1].append(('sub', sub))
        img.inodes[sub][1].append(('again', root))
        data = img.build(root)
    elif kind == 'dup':
        img = Image()
        link, f = img.symlink('/tmp'), img.file(0)
        d = img.dir([('f', f)])
        root = img.dir([('x', link), ('x', d)])
        data = img.build(root)
    elif kind == 'fanout':
        img = Image()
        big = img.file((1 << 32) - 1)
        data = img.build(img.dir([('f%d' % i, big) for i in range(int(sys.argv[3]))]))
    elif kind == 'claim':
        img = Image()
        data = img.build(img.dir([('huge', img.file(1 << 44, listed=False))]))
    elif kind == 'sparse':
        img = Image(block_size=1 << 20)
        big = img.file(int(sys.argv[3]))
        data = img.build(img.dir([('big', big)]))
    else:
        sys.exit('sqfsgen.py: unknown kind ' + kind)
    with open(out, 'wb') as f:
        f.write(data)


if __name__ == '__main__':
    main()
