/* libFuzzer target: reading a squashfs image (open, validate, walk the
 * tree, read every file's data through image_read_file), as list, info,
 * check, unpack and install do with images from anywhere. The input is
 * written to a scratch file, since libsquashfs reads files. */
#include "image.h"
#include "util.h"

#include <sqfs/inode.h>

#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Reads on through holes and data, up to 1 MiB of each file. */
static int discard(void *ctx, const void *data, size_t len)
{
	size_t *left = ctx;
	(void)data;
	if (len > *left)
		return -1;
	*left -= len;
	return 0;
}

static void read_all(struct image *img, const sqfs_tree_node_t *n)
{
	for (const sqfs_tree_node_t *c = n->children; c; c = c->next) {
		if (S_ISREG(c->inode->base.mode)) {
			size_t left = 1u << 20;
			image_read_file(img, c->inode, (const char *)c->name, discard, &left);
		}
		read_all(img, c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/tcz-fuzz-image.%ld.tcz", (long)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct image img;
	sqfs_tree_node_t *root;
	if (image_open(&img, path) == 0) {
		if (image_tree(&img, &root) == 0) {
			read_all(&img, root);
			sqfs_dir_tree_destroy(root);
		}
		image_close(&img);
	}
	unlink(path);
	return 0;
}
