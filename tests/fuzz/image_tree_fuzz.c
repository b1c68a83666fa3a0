/* libFuzzer target: the directory tree of an image, as image_tree builds
 * it for list, info, check, unpack and install. Besides crashes, leaks and
 * undefined behaviour, it fails (abort) when a tree it was given breaks
 * what image_tree promises every reader:
 *   - no directory listing is reached twice (shared subdirectories: the
 *     DAG that made a 4 KB image expand to 2^40 paths),
 *   - no name is twice in one directory,
 *   - the entries stay within TCZ_TREE_MAX_ENTRIES.
 * Seeds (tests/t/fuzz.sh) are small images with their metadata stored
 * uncompressed, so that mutations land in directory entries and inodes;
 * pointing one entry at another directory's inode is a single mutation.
 * A tree that grows without bound shows as libFuzzer's out-of-memory. */
#include "image.h"
#include "util.h"

#include <sqfs/inode.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct seen {
	sqfs_u64 *v;
	size_t n;
	unsigned long entries;
};

/* The listing a directory inode names, or 0 for one never read (empty). */
static sqfs_u64 listing_of(const sqfs_inode_generic_t *in)
{
	if (in->base.type == SQFS_INODE_EXT_DIR)
		return in->data.dir_ext.size > 12
			       ? ((sqfs_u64)in->data.dir_ext.start_block << 16 | in->data.dir_ext.offset) + 1
			       : 0;
	return in->data.dir.size > 12 ? ((sqfs_u64)in->data.dir.start_block << 16 | in->data.dir.offset) + 1 : 0;
}

static void promise(int kept, const char *what)
{
	if (!kept) {
		fprintf(stderr, "image_tree broke its promise: %s\n", what);
		abort();
	}
}

static void check_dir(const sqfs_tree_node_t *dir, struct seen *s)
{
	sqfs_u64 key = listing_of(dir->inode);
	for (size_t i = 0; key && i < s->n; i++)
		promise(s->v[i] != key, "a directory listing reached twice");
	if (key) {
		s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
		s->v[s->n++] = key;
	}
	for (const sqfs_tree_node_t *c = dir->children; c; c = c->next) {
		promise(++s->entries <= TCZ_TREE_MAX_ENTRIES, "more entries than the bound");
		for (const sqfs_tree_node_t *d = c->next; d; d = d->next)
			promise(strcmp((const char *)c->name, (const char *)d->name), "a name twice in a directory");
		if (S_ISDIR(c->inode->base.mode))
			check_dir(c, s);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/tcz-fuzz-tree.%ld.tcz", (long)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct image img;
	sqfs_tree_node_t *root;
	if (image_load(&img, path, &root) == 0) {
		struct seen s = { 0 };
		check_dir(root, &s);
		free(s.v);
		sqfs_dir_tree_destroy(root);
		image_close(&img);
	}
	unlink(path);
	return 0;
}
