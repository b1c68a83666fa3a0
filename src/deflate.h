/* Squashfs's "gzip" blocks (zlib streams, RFC 1950) through libdeflate
 * instead of zlib: the same format, which every squashfs reader (2.6.33's
 * kernel included) inflates, made faster and smaller. libdeflate works on
 * whole buffers, which is what squashfs blocks are; it has no streaming
 * API and needs none here.
 *
 * Its levels are not zlib's. On the 186 MB bench tree at 4K blocks (2
 * cores): zlib 9 (mksquashfs, gensquashfs) 38.83 / 38.73 MB in ~3.1 s;
 * libdeflate 6: 38.74 MB, 1.3 s; 7: 38.67 MB, 1.5 s; 9: 38.55 MB, 2.8 s;
 * 12 is slower still. 7 is the default: smaller than zlib's best, in
 * half its time. */
#ifndef TCZ_DEFLATE_H
#define TCZ_DEFLATE_H

#include <sqfs/compressor.h>
#include <sqfs/error.h>

/* Window 32K, no compressor options in the image, cfg->level 1 to 12. */
#define TCZ_DEFLATE_LEVEL 7
#define TCZ_DEFLATE_LEVEL_MIN 1
#define TCZ_DEFLATE_LEVEL_MAX 12

/* A libsquashfs compressor object for SQFS_COMP_GZIP with default options
 * (cfg->flags may ask for SQFS_COMP_FLAG_UNCOMPRESS). Every other
 * configuration goes to libsquashfs's own compressors. */
int tcz_compressor_create(const sqfs_compressor_config_t *cfg, sqfs_compressor_t **out);

#endif
