/* tcz list: the paths in an image, one per line, as `unsquashfs -l` prints
 * them (squashfs-root, then squashfs-root/PATH in directory order). */
#include "commands.h"
#include "image.h"
#include "util.h"

#include <getopt.h>
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

int cmd_list(int argc, char **argv)
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
		return tcz_usage_error("list", "unknown option");
	}
	if (optind >= argc)
		return tcz_usage_error("list", "no image given");
	int status = TCZ_EXIT_OK;
	for (int i = optind; i < argc; i++) {
		struct image img;
		sqfs_tree_node_t *root;
		if (image_open(&img, argv[i])) {
			status = TCZ_EXIT_FAIL;
			continue;
		}
		if (image_tree(&img, &root) == 0) {
			puts("squashfs-root");
			print_tree(root, "squashfs-root");
			sqfs_dir_tree_destroy(root);
		} else {
			status = TCZ_EXIT_FAIL;
		}
		image_close(&img);
	}
	if (fflush(stdout) || ferror(stdout)) {
		tcz_perror("standard output");
		return TCZ_EXIT_FAIL;
	}
	return status;
}
