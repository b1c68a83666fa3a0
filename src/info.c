/* tcz info: what an image is made of - the facts Tiny Core's rules are
 * about (compressor, block size, xattrs) and counts and sizes. */
#include "commands.h"
#include "image.h"
#include "util.h"

#include <sqfs/inode.h>

#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct counts {
	unsigned long dirs, files, symlinks, others;
	unsigned long long data_bytes;
};

static void count(const sqfs_tree_node_t *n, struct counts *c)
{
	for (const sqfs_tree_node_t *k = n->children; k; k = k->next) {
		sqfs_u16 mode = k->inode->base.mode;
		if (S_ISDIR(mode)) {
			c->dirs++;
			count(k, c);
		} else if (S_ISREG(mode)) {
			sqfs_u64 size = 0;
			sqfs_inode_get_file_size(k->inode, &size);
			c->files++;
			c->data_bytes += size;
		} else if (S_ISLNK(mode)) {
			c->symlinks++;
		} else {
			c->others++;
		}
	}
}

static void usage(FILE *out)
{
	fputs("Usage: tcz info NAME.tcz...\n"
	      "Describe each image: squashfs version, compressor, block size, xattrs,\n"
	      "time, inode and entry counts, data and image sizes.\n\n"
	      "  -h, --help  this help\n", out);
}

static int info_one(struct image *img, sqfs_tree_node_t *root, const char *path)
{
	struct counts cn = { 0 };
	count(root, &cn);
	const sqfs_super_t *s = &img->super;
	const char *comp = sqfs_compressor_name_from_id(s->compression_id);
	time_t t = s->modification_time;
	char when[32];
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	printf("%s:\n"
	       "  format       squashfs %u.%u\n"
	       "  compressor   %s\n"
	       "  block size   %u\n"
	       "  xattrs       %s\n"
	       "  time         %s\n"
	       "  inodes       %u\n"
	       "  directories  %lu (besides the root)\n"
	       "  files        %lu\n"
	       "  symlinks     %lu\n"
	       "  other        %lu\n"
	       "  data         %llu bytes\n"
	       "  image        %llu bytes used, %llu bytes on disk\n",
	       path, s->version_major, s->version_minor, comp ? comp : "unknown",
	       s->block_size,
	       (s->flags & SQFS_FLAG_NO_XATTRS) || s->xattr_id_table_start == 0xFFFFFFFFFFFFFFFFull
		       ? "none" : "present",
	       when, s->inode_count, cn.dirs, cn.files, cn.symlinks, cn.others,
	       cn.data_bytes, (unsigned long long)s->bytes_used, img->file_size);
	return TCZ_EXIT_OK;
}

int cmd_info(int argc, char **argv)
{
	return image_command(argc, argv, "info", usage, info_one);
}
