/* libFuzzer target: reading a squashfs image (open, validate, walk the
 * tree, read every file's data), as list/info/check/unpack do with images
 * from anywhere. The input is written to a scratch file, since libsquashfs
 * reads files. */
#include "image.h"
#include "util.h"

#include <sqfs/inode.h>

#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void read_all(struct image *img, const sqfs_tree_node_t *n)
{
	static unsigned char buf[4096];
	for (const sqfs_tree_node_t *c = n->children; c; c = c->next) {
		if (S_ISREG(c->inode->base.mode)) {
			sqfs_u64 size = 0;
			sqfs_inode_get_file_size(c->inode, &size);
			for (sqfs_u64 off = 0; off < size && off < (1u << 20);) {
				sqfs_s32 got = sqfs_data_reader_read(img->data, c->inode, off, buf, sizeof(buf));
				if (got <= 0)
					break;
				off += (sqfs_u64)got;
			}
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
