/* An archive's compression undone on a thread of its own, handed to
 * libarchive as a plain stream: decompressing then overlaps with writing
 * the files (what GNU tar gets from piping through xz), and an .xz file
 * of several blocks (xz -T, the kernel's tarballs) decodes on every core
 * through liblzma's threaded decoder (libarchive 3.6 has only the serial
 * one). Other compressions (gzip, bzip2, zstd, lzip...) are libarchive's
 * own filters, run on the decoding thread. */
#ifndef TCZ_DECODE_H
#define TCZ_DECODE_H

#include <archive.h>

struct decoder;

/* Start decoding the archive PATH. 1: it is a compressed regular file and
 * *out decodes it; 0: nothing to do here (not compressed, or not a
 * regular file, which is read once only), read PATH as it is; -1: failed,
 * with a message naming PATH. */
int decoder_start(const char *path, struct decoder **out);

/* Open A (its formats chosen) on the decoded stream: archive_read_open's
 * status. A decoding error reaches A's reader as A's error, naming the
 * compression and the cause. */
int decoder_open(struct decoder *d, struct archive *a);

/* Stop decoding (it may have run ahead of what was read) and free D. */
void decoder_free(struct decoder *d);

#endif
