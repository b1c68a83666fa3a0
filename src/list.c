/* tcz list: the paths in an image, one per line, as `unsquashfs -l` prints
 * them (squashfs-root, then squashfs-root/PATH in directory order). */
#include "commands.h"
#include "image.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static void print_tree(const sqfs_tree_node_t *n, const char *prefix)
{
	for (const sqfs_tree_node_t *c = n->children; c; c = c->next) {
		char *path = xasprintf("%s/%s", prefix, (const char *)c->name);
		puts(path);
		if (c->children)
			print_tree(c, path);
		free(path);
	}
}

static void usage(FILE *out)
{
	fputs("Usage: tcz list NAME.tcz...\n"
	      "Print every path in each image, one per line, prefixed with squashfs-root\n"
	      "as `unsquashfs -l` does, in the order the image stores them.\n\n"
	      "  -h, --help  this help\n", out);
}

static int list_one(struct image *img, sqfs_tree_node_t *root, const char *path)
{
	(void)img;
	(void)path;
	puts("squashfs-root");
	print_tree(root, "squashfs-root");
	return TCZ_EXIT_OK;
}

int cmd_list(int argc, char **argv)
{
	return image_command(argc, argv, "list", usage, list_one);
}
