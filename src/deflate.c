/* libdeflate behind libsquashfs's compressor interface; see deflate.h. */
#include "deflate.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

struct deflater {
	sqfs_compressor_t base;
	sqfs_compressor_config_t cfg;
	struct libdeflate_compressor *c;
	struct libdeflate_decompressor *d;
};

static void deflater_destroy(sqfs_object_t *obj)
{
	struct deflater *z = (struct deflater *)obj;
	libdeflate_free_compressor(z->c);
	libdeflate_free_decompressor(z->d);
	free(z);
}

static void deflater_config(const sqfs_compressor_t *base, sqfs_compressor_config_t *cfg)
{
	*cfg = ((const struct deflater *)base)->cfg;
}

/* Default settings: nothing is written after the super block, which is
 * what 2.6.33's squashfs expects of gzip images. */
static int deflater_write_options(sqfs_compressor_t *base, sqfs_file_t *file)
{
	(void)base;
	(void)file;
	return 0;
}

/* Inflating needs none of gzip's options (level, window, strategies). */
static int deflater_read_options(sqfs_compressor_t *base, sqfs_file_t *file)
{
	(void)base;
	(void)file;
	return 0;
}

/* Compressing: the size written, or 0 when the block does not shrink (the
 * caller stores it uncompressed). Inflating: the size inflated, or an
 * error for a stream that is corrupt or does not fit. */
static sqfs_s32 deflater_do_block(sqfs_compressor_t *base, const sqfs_u8 *in, sqfs_u32 size,
				  sqfs_u8 *out, sqfs_u32 outsize)
{
	struct deflater *z = (struct deflater *)base;
	if (size >= 0x7FFFFFFF || outsize >= 0x7FFFFFFF)
		return SQFS_ERROR_ARG_INVALID;
	if (z->c) {
		size_t got = libdeflate_zlib_compress(z->c, in, size, out, outsize);
		return got == 0 || got >= size ? 0 : (sqfs_s32)got;
	}
	size_t got = 0;
	switch (libdeflate_zlib_decompress(z->d, in, size, out, outsize, &got)) {
	case LIBDEFLATE_SUCCESS: return (sqfs_s32)got;
	case LIBDEFLATE_INSUFFICIENT_SPACE: return SQFS_ERROR_OVERFLOW;
	default: return SQFS_ERROR_COMPRESSOR;
	}
}

static struct deflater *deflater_new(const sqfs_compressor_config_t *cfg)
{
	struct deflater *z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	z->cfg = *cfg;
	if (cfg->flags & SQFS_COMP_FLAG_UNCOMPRESS)
		z->d = libdeflate_alloc_decompressor();
	else
		z->c = libdeflate_alloc_compressor((int)cfg->level);
	if (!z->c && !z->d) {
		free(z);
		return NULL;
	}
	z->base.base.destroy = deflater_destroy;
	z->base.get_configuration = deflater_config;
	z->base.write_options = deflater_write_options;
	z->base.read_options = deflater_read_options;
	z->base.do_block = deflater_do_block;
	return z;
}

/* The block processor gives each worker thread its own copy. */
static sqfs_object_t *deflater_copy(const sqfs_object_t *obj)
{
	struct deflater *z = deflater_new(&((const struct deflater *)obj)->cfg);
	if (z)
		z->base.base.copy = deflater_copy;
	return z ? &z->base.base : NULL;
}

int tcz_compressor_create(const sqfs_compressor_config_t *cfg, sqfs_compressor_t **out)
{
	sqfs_compressor_config_t def;
	if (cfg->id != SQFS_COMP_GZIP || (cfg->flags & ~SQFS_COMP_FLAG_UNCOMPRESS) ||
	    sqfs_compressor_config_init(&def, SQFS_COMP_GZIP, cfg->block_size, cfg->flags) ||
	    memcmp(&def.opt, &cfg->opt, sizeof(def.opt)))
		return sqfs_compressor_create(cfg, out);
	if (!(cfg->flags & SQFS_COMP_FLAG_UNCOMPRESS) &&
	    (cfg->level < TCZ_DEFLATE_LEVEL_MIN || cfg->level > TCZ_DEFLATE_LEVEL_MAX))
		return SQFS_ERROR_UNSUPPORTED;
	struct deflater *z = deflater_new(cfg);
	if (!z)
		return SQFS_ERROR_ALLOC;
	z->base.base.copy = deflater_copy;
	*out = &z->base;
	return 0;
}
