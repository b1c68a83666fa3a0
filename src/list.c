/* tcz list: the paths in an image, one per line, as `unsquashfs -l` prints
 * them (squashfs-root, then squashfs-root/PATH in directory order). */
#include "commands.h"
#include "image.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* PATH holds a directory's path, LEN bytes; each child's is written after
 * it in place, so that no line is formatted or allocated on its own. */
struct path {
	char *s;
	size_t cap;
};

static void print_tree(const sqfs_tree_node_t *n, struct path *p, size_t len)
{
	for (const sqfs_tree_node_t *c = n->children; c; c = c->next) {
		size_t l = strlen((const char *)c->name);
		if (len + l + 2 > p->cap) {
			p->cap = 2 * (len + l + 2);
			p->s = xrealloc(p->s, p->cap);
		}
		p->s[len] = '/';
		memcpy(p->s + len + 1, c->name, l);
		p->s[len + 1 + l] = '\n';
		fwrite(p->s, 1, len + l + 2, stdout);
		if (c->children)
			print_tree(c, p, len + 1 + l);
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
	struct path p = { xstrdup("squashfs-root"), sizeof("squashfs-root") };
	puts(p.s);
	print_tree(root, &p, strlen(p.s));
	free(p.s);
	return TCZ_EXIT_OK;
}

int cmd_list(int argc, char **argv)
{
	/* Whole blocks to a pipe or file: tens of thousands of short lines. */
	static char buf[1 << 16];
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	return image_command(argc, argv, "list", usage, list_one);
}
