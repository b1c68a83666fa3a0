/* Reading squashfs images (Tiny Core extensions, ours or anyone's) through
 * libsquashfs, with the checks an untrusted image needs before its tree is
 * walked: magic, version 4.0, a compressor we can decode, a sane block size,
 * tables inside the file. */
#ifndef TCZ_IMAGE_H
#define TCZ_IMAGE_H

#include <sqfs/compressor.h>
#include <sqfs/data_reader.h>
#include <sqfs/dir_reader.h>
#include <sqfs/id_table.h>
#include <sqfs/io.h>
#include <sqfs/super.h>

#include <stdio.h>

/* Tiny Core's block size for extensions: its own squashfs-tools default
 * since 2009, the "-b 4k" of the corebook, and submitqc's "Block size 4096". */
#define TCZ_BLOCK_SIZE 4096

struct image {
	const char *path;
	sqfs_file_t *file;
	sqfs_super_t super;
	sqfs_compressor_config_t cfg;
	sqfs_compressor_t *cmp;
	sqfs_id_table_t *ids;
	sqfs_data_reader_t *data;
	unsigned long long file_size;
};

/* Open and validate; -1 with a message naming the image and the cause. */
int image_open(struct image *img, const char *path);
void image_close(struct image *img);

/* Bounds on the tree a reader builds from an image, far above any real
 * extension (TCL3's largest hold tens of thousands of entries): entries;
 * their names plus their inodes' block lists and link targets, in bytes;
 * directory levels (unpack holds one descriptor per level). */
#define TCZ_TREE_MAX_ENTRIES 1000000u
#define TCZ_TREE_MAX_BYTES (64u << 20)
#define TCZ_TREE_MAX_DEPTH 256u

/* The whole tree, every name checked: no "", ".", ".." or '/' in a name,
 * no name twice in one directory, no directory reached twice (a shared
 * subdirectory would expand without bound), within the bounds above.
 * Free with sqfs_dir_tree_destroy. */
int image_tree(struct image *img, sqfs_tree_node_t **root);

/* image_open and image_tree in one; on failure nothing stays open. */
int image_load(struct image *img, const char *path, sqfs_tree_node_t **root);

/* The body of a subcommand whose only option is --help and whose arguments
 * are images: each is loaded and handed to `each` (which returns a
 * TCZ_EXIT_ status); the worst status wins. */
int image_command(int argc, char **argv, const char *cmd, void (*usage)(FILE *),
		  int (*each)(struct image *img, sqfs_tree_node_t *root, const char *path));

/* Every byte of a regular file, in order, to sink(ctx, data, len); data
 * NULL means a hole of len zero bytes (a sparse block, never stored).
 * Each block is checked to inflate to exactly its share of the file, so
 * a damaged block that still inflates is caught too. -1 with a message
 * naming the image and PATH, or what sink returned if it failed. */
int image_read_file(struct image *img, const sqfs_inode_generic_t *in, const char *path,
		    int (*sink)(void *ctx, const void *data, size_t len), void *ctx);

/* The apparent size of the regular files in a tree (holes count, each
 * hard-linked file once): what unpacking it would write. */
unsigned long long image_tree_bytes(const sqfs_tree_node_t *root);

/* "usr/local/bin/x" for a node (not the root); caller frees. */
char *image_node_path(const sqfs_tree_node_t *n);

/* Unpack the image's tree over the directory rootfd (LABEL in messages),
 * never writing outside it (unpack.c). */
int image_unpack(struct image *img, const sqfs_tree_node_t *tree, int rootfd, const char *label);
/* -1 with a message naming WHAT when BYTES exceeds MAX (unpack.c). */
int image_size_check(const char *what, unsigned long long bytes, long long max);

/* A readable message for a libsquashfs error code. */
const char *image_strerror(int err);

#endif
