/* Recently inflated metadata blocks; see metacache.h. */
#include "metacache.h"

#include <sqfs/block.h>
#include <sqfs/error.h>

#include <stdlib.h>
#include <string.h>

/* Enough for a walk of a 10,000-entry image to inflate each block of its
 * tables once or twice (106 inflations for 94 blocks); 1 MiB. */
#define METACACHE_BLOCKS 64

struct cached {
	sqfs_u32 insize, outsize; /* insize 0: a free slot */
	unsigned long long used;  /* when last asked for */
	sqfs_u8 in[SQFS_META_BLOCK_SIZE], out[SQFS_META_BLOCK_SIZE];
};

struct metacache {
	sqfs_compressor_t base;
	sqfs_compressor_t *inner;
	unsigned long long clock;
	struct cached blocks[METACACHE_BLOCKS];
};

static void metacache_destroy(sqfs_object_t *obj)
{
	free(obj);
}

static void metacache_config(const sqfs_compressor_t *base, sqfs_compressor_config_t *cfg)
{
	const struct metacache *c = (const struct metacache *)base;
	c->inner->get_configuration(c->inner, cfg);
}

static int metacache_options(sqfs_compressor_t *base, sqfs_file_t *file)
{
	(void)base;
	(void)file;
	return SQFS_ERROR_UNSUPPORTED; /* it only inflates */
}

/* A block is known by its compressed bytes: the same bytes inflate to the
 * same block, wherever in the image they lie. */
static sqfs_s32 metacache_do_block(sqfs_compressor_t *base, const sqfs_u8 *in, sqfs_u32 size, sqfs_u8 *out,
				   sqfs_u32 outsize)
{
	struct metacache *c = (struct metacache *)base;
	if (size == 0 || size > SQFS_META_BLOCK_SIZE)
		return c->inner->do_block(c->inner, in, size, out, outsize);
	struct cached *victim = &c->blocks[0];
	for (size_t i = 0; i < METACACHE_BLOCKS; i++) {
		struct cached *b = &c->blocks[i];
		if (b->insize == size && b->outsize <= outsize && !memcmp(b->in, in, size)) {
			memcpy(out, b->out, b->outsize);
			b->used = ++c->clock;
			return (sqfs_s32)b->outsize;
		}
		if (b->used < victim->used)
			victim = b;
	}
	sqfs_s32 got = c->inner->do_block(c->inner, in, size, out, outsize);
	if (got > 0 && got <= SQFS_META_BLOCK_SIZE) {
		memcpy(victim->in, in, size);
		memcpy(victim->out, out, (size_t)got);
		victim->insize = size;
		victim->outsize = (sqfs_u32)got;
		victim->used = ++c->clock;
	}
	return got;
}

sqfs_compressor_t *metacache_create(sqfs_compressor_t *inner)
{
	struct metacache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->inner = inner;
	c->base.base.destroy = metacache_destroy;
	c->base.get_configuration = metacache_config;
	c->base.write_options = metacache_options;
	c->base.read_options = metacache_options;
	c->base.do_block = metacache_do_block;
	return &c->base;
}
