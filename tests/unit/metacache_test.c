#include "../../src/metacache.h"
#include "unit.h"

#include <sqfs/block.h>
#include <sqfs/error.h>

/* An "inflater" that counts its calls and writes a block made from the
 * input: its first byte, repeated 100 times. */
struct counter {
	sqfs_compressor_t base;
	int calls;
};

static sqfs_s32 count_block(sqfs_compressor_t *base, const sqfs_u8 *in, sqfs_u32 size, sqfs_u8 *out,
			    sqfs_u32 outsize)
{
	struct counter *c = (struct counter *)base;
	c->calls++;
	if (size == 0 || in[0] == 0xff)
		return SQFS_ERROR_COMPRESSOR;
	if (outsize < 100)
		return SQFS_ERROR_OVERFLOW;
	memset(out, in[0], 100);
	return 100;
}

static void test_a_block_seen_is_not_inflated_again(void)
{
	struct counter inner = { .base.do_block = count_block };
	sqfs_compressor_t *cache = metacache_create(&inner.base);
	sqfs_u8 a[64] = { 'a' }, b[64] = { 'b' }, out[SQFS_META_BLOCK_SIZE];
	CHECK(cache->do_block(cache, a, sizeof(a), out, sizeof(out)) == 100 && out[99] == 'a');
	CHECK(cache->do_block(cache, b, sizeof(b), out, sizeof(out)) == 100 && out[99] == 'b');
	CHECK(inner.calls == 2);
	/* Same size, other bytes: told apart by content, not size. */
	CHECK(cache->do_block(cache, a, sizeof(a), out, sizeof(out)) == 100 && out[99] == 'a');
	CHECK(inner.calls == 2);
	/* A smaller output buffer than the block needs: not answered from
	 * memory, the inflater's own error stands. */
	CHECK(cache->do_block(cache, a, sizeof(a), out, 50) == SQFS_ERROR_OVERFLOW);
	sqfs_destroy(cache);
}

static void test_errors_are_not_remembered(void)
{
	struct counter inner = { .base.do_block = count_block };
	sqfs_compressor_t *cache = metacache_create(&inner.base);
	sqfs_u8 bad[16] = { 0xff }, out[SQFS_META_BLOCK_SIZE];
	CHECK(cache->do_block(cache, bad, sizeof(bad), out, sizeof(out)) == SQFS_ERROR_COMPRESSOR);
	CHECK(cache->do_block(cache, bad, sizeof(bad), out, sizeof(out)) == SQFS_ERROR_COMPRESSOR);
	CHECK(inner.calls == 2);
	sqfs_destroy(cache);
}

/* More distinct blocks than it holds: the least recently used goes, the
 * rest keep answering. */
static void test_the_least_recently_used_block_goes(void)
{
	struct counter inner = { .base.do_block = count_block };
	sqfs_compressor_t *cache = metacache_create(&inner.base);
	sqfs_u8 in[200][8], out[SQFS_META_BLOCK_SIZE];
	for (int i = 0; i < 200; i++) {
		memset(in[i], 0, sizeof(in[i]));
		in[i][0] = 'a';
		in[i][1] = (sqfs_u8)i;
		CHECK(cache->do_block(cache, in[i], sizeof(in[i]), out, sizeof(out)) == 100);
		CHECK(cache->do_block(cache, in[0], sizeof(in[0]), out, sizeof(out)) == 100);
	}
	CHECK(inner.calls == 200); /* block 0, used all along, was never dropped */
	CHECK(cache->do_block(cache, in[199], sizeof(in[199]), out, sizeof(out)) == 100);
	CHECK(inner.calls == 200);
	CHECK(cache->do_block(cache, in[1], sizeof(in[1]), out, sizeof(out)) == 100);
	CHECK(inner.calls == 201);
	sqfs_destroy(cache);
}

int main(void)
{
	RUN(test_a_block_seen_is_not_inflated_again);
	RUN(test_errors_are_not_remembered);
	RUN(test_the_least_recently_used_block_goes);
	return 0;
}
