/* Opening a squashfs image safely; see image.h. */
#include "deflate.h"
#include "image.h"
#include "util.h"

#include <sqfs/error.h>
#include <sqfs/inode.h>

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *image_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case SQFS_ERROR_ALLOC: return "out of memory";
	case SQFS_ERROR_IO: return "input/output error";
	case SQFS_ERROR_COMPRESSOR: return "compressed data is corrupt";
	case SQFS_ERROR_INTERNAL: return "internal error in libsquashfs";
	case SQFS_ERROR_CORRUPTED: return "the image is corrupted";
	case SQFS_ERROR_UNSUPPORTED: return "unsupported feature";
	case SQFS_ERROR_OVERFLOW: return "a size or count overflows";
	case SQFS_ERROR_OUT_OF_BOUNDS: return "a reference points outside the image";
	case SFQS_ERROR_SUPER_MAGIC: return "not a squashfs image";
	case SFQS_ERROR_SUPER_VERSION: return "not squashfs version 4.0";
	case SQFS_ERROR_SUPER_BLOCK_SIZE: return "invalid block size";
	case SQFS_ERROR_NOT_DIR: return "not a directory";
	case SQFS_ERROR_NO_ENTRY: return "no such entry";
	case SQFS_ERROR_LINK_LOOP: return "a directory loop";
	case SQFS_ERROR_NOT_FILE: return "not a regular file";
	case SQFS_ERROR_ARG_INVALID: return "invalid argument";
	case SQFS_ERROR_SEQUENCE: return "calls out of sequence";
	default: return "unknown libsquashfs error";
	}
}

static int fail(struct image *img, const char *what, int err)
{
	tcz_error("%s: %s%s%s", img->path, what, err ? ": " : "", err ? image_strerror(err) : "");
	image_close(img);
	return -1;
}

int image_open(struct image *img, const char *path)
{
	memset(img, 0, sizeof(*img));
	img->path = path;
	struct stat st;
	if (stat(path, &st)) {
		tcz_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		tcz_error("%s: not a regular file", path);
		return -1;
	}
	img->file_size = (unsigned long long)st.st_size;
	img->file = sqfs_open_file(path, SQFS_FILE_OPEN_READ_ONLY);
	if (!img->file) {
		tcz_error("%s: %s", path, strerror(errno ? errno : EIO));
		return -1;
	}
	if (img->file_size < sizeof(sqfs_super_t))
		return fail(img, "not a squashfs image (shorter than a super block)", 0);
	int err = sqfs_super_read(&img->super, img->file);
	if (err)
		return fail(img, "reading the super block", err);
	if (img->super.bytes_used > img->file_size)
		return fail(img, "truncated (the super block claims more bytes than the file has)", 0);
	/* Every table must start inside the used bytes. */
	const sqfs_u64 starts[] = { img->super.inode_table_start, img->super.directory_table_start,
				    img->super.id_table_start };
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (starts[i] >= img->super.bytes_used || starts[i] < sizeof(sqfs_super_t))
			return fail(img, "corrupted (a table lies outside the image)", 0);
	/* libsquashfs allocates tables by the counts the super block claims:
	 * a forged count must not become a multi-gigabyte allocation. No
	 * table can hold more entries than the image has bytes for. */
	if ((unsigned long long)img->super.fragment_entry_count * 16 > img->super.bytes_used ||
	    (unsigned long long)img->super.id_count * 4 > img->super.bytes_used ||
	    img->super.inode_count > img->super.bytes_used)
		return fail(img, "corrupted (table sizes larger than the image)", 0);
	err = sqfs_compressor_config_init(&img->cfg, img->super.compression_id,
					  img->super.block_size, SQFS_COMP_FLAG_UNCOMPRESS);
	if (!err)
		err = tcz_compressor_create(&img->cfg, &img->cmp);
	if (err)
		return fail(img, "compressor", err);
	img->ids = sqfs_id_table_create(0);
	if (!img->ids)
		return fail(img, "id table", SQFS_ERROR_ALLOC);
	err = sqfs_id_table_read(img->ids, img->file, &img->super, img->cmp);
	if (err)
		return fail(img, "reading the id table", err);
	img->dirs = sqfs_dir_reader_create(&img->super, img->cmp, img->file, 0);
	img->data = sqfs_data_reader_create(img->file, img->super.block_size, img->cmp, 0);
	if (!img->dirs || !img->data)
		return fail(img, "setting up readers", SQFS_ERROR_ALLOC);
	err = sqfs_data_reader_load_fragment_table(img->data, &img->super);
	if (err)
		return fail(img, "reading the fragment table", err);
	return 0;
}

void image_close(struct image *img)
{
	if (img->data)
		sqfs_destroy(img->data);
	if (img->dirs)
		sqfs_destroy(img->dirs);
	if (img->ids)
		sqfs_destroy(img->ids);
	if (img->cmp)
		sqfs_destroy(img->cmp);
	if (img->file)
		sqfs_destroy(img->file);
	img->data = NULL;
	img->dirs = NULL;
	img->ids = NULL;
	img->cmp = NULL;
	img->file = NULL;
}

static int check_names(struct image *img, const sqfs_tree_node_t *n)
{
	for (const sqfs_tree_node_t *c = n->children; c; c = c->next) {
		const char *name = (const char *)c->name;
		if (!*name || !strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/')) {
			char *parent = n->parent ? image_node_path(n) : xstrdup("/");
			tcz_error("%s: hostile entry name '%s' in %s", img->path, name, parent);
			free(parent);
			return -1;
		}
		if (c->children && check_names(img, c))
			return -1;
	}
	return 0;
}

int image_tree(struct image *img, sqfs_tree_node_t **root)
{
	int err = sqfs_dir_reader_get_full_hierarchy(img->dirs, img->ids, NULL, 0, root);
	if (err) {
		tcz_error("%s: reading the directory tree: %s", img->path, image_strerror(err));
		return -1;
	}
	if (check_names(img, *root)) {
		sqfs_dir_tree_destroy(*root);
		*root = NULL;
		return -1;
	}
	return 0;
}

int image_load(struct image *img, const char *path, sqfs_tree_node_t **root)
{
	if (image_open(img, path))
		return -1;
	if (image_tree(img, root)) {
		image_close(img);
		return -1;
	}
	return 0;
}

int image_command(int argc, char **argv, const char *cmd, void (*usage)(FILE *),
		  int (*each)(struct image *img, sqfs_tree_node_t *root, const char *path))
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return TCZ_EXIT_OK;
		}
		return tcz_usage_error(cmd, "unknown option");
	}
	if (optind >= argc)
		return tcz_usage_error(cmd, "no image given");
	int status = TCZ_EXIT_OK;
	for (int i = optind; i < argc; i++) {
		struct image img;
		sqfs_tree_node_t *root;
		int st = TCZ_EXIT_FAIL;
		if (image_load(&img, argv[i], &root) == 0) {
			st = each(&img, root, argv[i]);
			sqfs_dir_tree_destroy(root);
			image_close(&img);
		}
		if (st > status)
			status = st;
	}
	if (fflush(stdout) || ferror(stdout)) {
		tcz_perror("standard output");
		return TCZ_EXIT_FAIL;
	}
	return status;
}

char *image_node_path(const sqfs_tree_node_t *n)
{
	size_t len = 0;
	for (const sqfs_tree_node_t *it = n; it->parent; it = it->parent)
		len += strlen((const char *)it->name) + 1;
	char *path = xmalloc(len ? len : 1);
	path[len ? len - 1 : 0] = '\0';
	size_t end = len ? len - 1 : 0;
	for (const sqfs_tree_node_t *it = n; it->parent; it = it->parent) {
		size_t l = strlen((const char *)it->name);
		end -= l;
		memcpy(path + end, it->name, l);
		if (end > 0)
			path[--end] = '/';
	}
	return path;
}
