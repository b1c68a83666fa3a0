/* A decompressor for libsquashfs's metadata readers that keeps the blocks
 * it inflated last. A reader holds one 8 KiB block; walking an image's
 * tree visits the inode and directory tables in directory order, not in
 * the order they are stored, and without this inflated each block ten
 * times over (918 inflations for the 94 blocks of a 10,000-entry image). */
#ifndef TCZ_METACACHE_H
#define TCZ_METACACHE_H

#include <sqfs/compressor.h>

/* A compressor object that inflates through INNER (which must outlive it)
 * and answers a block it has seen from memory; NULL when out of memory.
 * Free with sqfs_destroy. */
sqfs_compressor_t *metacache_create(sqfs_compressor_t *inner);

#endif
