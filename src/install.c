/* tcz install: what `tce-load -wi` does, onto a disk root on the host.
 *
 * 1. resolve the .dep closure on the mirror (KERNEL substituted);
 * 2. fetch every extension not yet installed and verify its md5;
 * 3. open every image and walk its tree (a corrupted image that happens to
 *    match its md5 is caught here);
 * 4. only then unpack, dependencies first, and record each in
 *    ROOT/usr/local/tce.installed/ (an empty marker, or the script the
 *    extension ships: it is kept, not run - it is an i486 program's job on
 *    the target), optionally list it in ROOT/tce/onboot.lst and keep the
 *    files in ROOT/tce/optional/.
 * Verifying everything before writing anything is what keeps ROOT
 * unchanged when a dependency is missing, a cycle exists, or a download or
 * image is bad: the only failures left during unpacking are the disk's.
 */
#include "closure.h"
#include "download.h"
#include "commands.h"
#include "image.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int installed(const char *root, const char *name)
{
	char *marker = xasprintf("%s/usr/local/tce.installed/%.*s", root, (int)(strlen(name) - 4), name);
	int yes = access(marker, F_OK) == 0;
	free(marker);
	return yes;
}

/* Append NAME to ROOT/tce/onboot.lst unless listed (rewritten atomically). */
static int add_onboot(const char *root, const char *name)
{
	char *path = xasprintf("%s/tce/onboot.lst", root), *data = NULL;
	size_t len = 0;
	int ret = 0;
	if (access(path, F_OK) == 0 && read_file(path, COMPANION_MAX, &data, &len)) {
		free(path);
		return -1;
	}
	int listed = 0;
	for (char *l = data; l && l < data + len;) {
		char *nl = memchr(l, '\n', (size_t)(data + len - l));
		size_t n = (size_t)((nl ? nl : data + len) - l);
		listed |= n == strlen(name) && !memcmp(l, name, n);
		l = nl ? nl + 1 : data + len;
	}
	if (!listed) {
		char *out = xasprintf("%.*s%s%s\n", (int)len, data ? data : "",
				      len && data[len - 1] != '\n' ? "\n" : "", name);
		ret = write_file_atomic(path, out, strlen(out), 0644);
		free(out);
	}
	free(data);
	free(path);
	return ret;
}

static int asked(char **names, size_t n, const char *name)
{
	size_t l = strlen(name) - 4;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name) || (strlen(names[i]) == l && !strncmp(names[i], name, l)))
			return 1;
	return 0;
}

struct install_opts {
	const char *root, *mirror, *kernel;
	int onboot, keep;
};

/* Every extension of todo into DIR, checked against its md5, 4 at once. */
static int fetch_verified(const struct mirror *m, const char *dir, const struct path_list *todo,
			  const struct path_list *md5s)
{
	struct dl_item *items = xcalloc(todo->n ? todo->n : 1, sizeof(*items));
	for (size_t i = 0; i < todo->n; i++) {
		mirror_item(m, &items[i], dir, todo->v[i]);
		dl_want(&items[i], HASH_MD5, md5s->v[i]);
	}
	int ret = dl_run(items, todo->n, 4, 1);
	for (size_t i = 0; i < todo->n; i++) {
		if (items[i].result != DL_OK)
			tcz_error("%s: download or md5 check failed: nothing was installed", todo->v[i]);
		dl_free(&items[i]);
	}
	free(items);
	return ret;
}

static int install_all(const struct install_opts *o, char **names, size_t n, const char *work)
{
	struct mirror m;
	mirror_init(&m, o->mirror, work);
	struct path_list order = { 0 }, md5s = { 0 }, todo = { 0 }, todo_md5s = { 0 };
	int ret = closure_resolve(&m, o->kernel, names, n, &order, &md5s);
	for (size_t i = 0; !ret && i < order.n; i++)
		if (!installed(o->root, order.v[i])) {
			path_list_add(&todo, order.v[i]);
			path_list_add(&todo_md5s, md5s.v[i]);
		}
	if (!ret && !todo.n)
		printf("tcz: already installed: %s\n", order.n == 1 ? order.v[0] : "everything asked for");

	/* Everything fetched and verified before ROOT is touched. */
	if (!ret && todo.n)
		ret = fetch_verified(&m, work, &todo, &todo_md5s);
	for (size_t i = 0; !ret && i < todo.n; i++) {
		char *path = path_join(work, todo.v[i]);
		struct image img;
		sqfs_tree_node_t *tree;
		ret = image_load(&img, path, &tree);
		if (!ret) {
			sqfs_dir_tree_destroy(tree);
			image_close(&img);
		}
		if (ret)
			tcz_error("%s: unreadable image: nothing was installed", todo.v[i]);
		free(path);
	}

	char *markers = xasprintf("%s/usr/local/tce.installed", o->root);
	char *optional = xasprintf("%s/tce/optional", o->root);
	for (size_t i = 0; !ret && i < todo.n; i++) {
		const char *name = todo.v[i];
		char *path = path_join(work, name);
		struct image img;
		ret = image_open(&img, path);
		if (!ret) {
			ret = image_unpack(&img, o->root);
			image_close(&img);
		}
		char *marker = xasprintf("%s/%.*s", markers, (int)(strlen(name) - 4), name);
		if (!ret)
			ret = mkdirs(markers, 0775);
		if (!ret && access(marker, F_OK) != 0)
			ret = write_file_atomic(marker, "", 0, 0644);
		if (!ret && (o->onboot || o->keep))
			ret = mkdirs(optional, 0755);
		/* As tce-load -wi: the extensions asked for, not their deps,
		 * which the boot loads through the .dep files. */
		if (!ret && o->onboot && asked(names, n, name))
			ret = add_onboot(o->root, name);
		if (!ret && o->keep) {
			const char *suffixes[] = { "", ".md5.txt", ".dep" };
			for (size_t s = 0; !ret && s < 3; s++) {
				char *from = xasprintf("%s/%s%s", work, name, suffixes[s]);
				char *to = xasprintf("%s/tce/optional/%s%s", o->root, name, suffixes[s]);
				if (access(from, F_OK) == 0)
					ret = copy_file(from, to, 0644);
				free(from);
				free(to);
			}
		}
		if (!ret)
			printf("tcz: installed %s\n", name);
		free(marker);
		free(path);
	}
	free(markers);
	free(optional);
	path_list_free(&order);
	path_list_free(&md5s);
	path_list_free(&todo);
	path_list_free(&todo_md5s);
	mirror_free(&m);
	return ret;
}

static void usage(FILE *out)
{
	fputs("Usage: tcz install NAME... --root ROOT --mirror URL|DIR [OPTION]...\n"
	      "Install extensions and their .dep closure from a Tiny Core 3.x mirror\n"
	      "(URL or directory; extensions in <mirror>/3.x/tcz/) onto the disk root ROOT,\n"
	      "dependencies first, as `tce-load -wi` and the seed's `unsquashfs -f -d /`\n"
	      "do. Each is recorded in ROOT/usr/local/tce.installed/; installed ones are\n"
	      "skipped. Everything is downloaded, md5-verified and read before anything\n"
	      "is unpacked: a missing dependency, a cycle or a bad file leaves ROOT as it\n"
	      "was. Scripts an extension ships in tce.installed are kept, not run.\n\n"
	      "Options:\n"
	      "      --root ROOT     the target's root directory (required; must exist)\n"
	      "      --mirror M      mirror base URL or directory (required)\n"
	      "      --kernel VER    replaces KERNEL in dependency names (default " TCZ_DEFAULT_KERNEL ")\n"
	      "      --onboot        also list each in ROOT/tce/onboot.lst\n"
	      "      --keep          also keep the .tcz files in ROOT/tce/optional/\n"
	      "  -h, --help          this help\n", out);
}

int cmd_install(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "onboot", no_argument, NULL, 'o' },
		{ "keep", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct install_opts o = { .kernel = TCZ_DEFAULT_KERNEL };
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o.root = optarg; break;
		case 'm': o.mirror = optarg; break;
		case 'k': o.kernel = optarg; break;
		case 'o': o.onboot = 1; break;
		case 'K': o.keep = 1; break;
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		default: return tcz_usage_error("install", "unknown option");
		}
	}
	if (!o.root || !o.mirror)
		return tcz_usage_error("install", "--root and --mirror are required");
	if (!kernel_release_valid(o.kernel))
		return tcz_usage_error("install", "--kernel '%.*s': not a kernel release (letters, digits, "
				       "._+-, not starting with . or -, at most %d bytes)",
				       TCZ_KERNEL_RELEASE_MAX, o.kernel, TCZ_KERNEL_RELEASE_MAX);
	if (optind >= argc)
		return tcz_usage_error("install", "no extension named");
	struct stat st;
	if (stat(o.root, &st) || !S_ISDIR(st.st_mode)) {
		tcz_error("%s: not a directory", o.root);
		return TCZ_EXIT_FAIL;
	}
	/* Downloads wait beside ROOT's content, on its file system, and go
	 * away at the end; --keep copies them to tce/optional once installed. */
	char *work = xasprintf("%s/.tcz-install.%ld", o.root, (long)getpid());
	int ret = mkdirs(work, 0755);
	if (!ret)
		ret = install_all(&o, argv + optind, (size_t)(argc - optind), work);
	remove_tree(work);
	free(work);
	return ret ? TCZ_EXIT_FAIL : TCZ_EXIT_OK;
}
