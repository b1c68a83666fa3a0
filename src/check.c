/* tcz check: an extension against Tiny Core 3.x's rules (those of its
 * submitqc script, see ../shared/TINYCORE.md) and its companion files
 * against the image. Every problem is reported, not just the first; the
 * exit status is 3 when any rule fails.
 *
 *   image: squashfs 4.0, gzip, block size 4096, no xattrs, nothing
 *     appended after the image (mksquashfs pads to 4 KiB, no more)
 *   tree: owned by root, directory modes 755/775/2755/2775;
 *     usr/local/tce.installed is root:staff 0775 (tcl3.h says why) and
 *     holds exactly one executable named after the extension (group staff
 *     allowed)
 *   ELF files inside: the rules of elfrules.h (i386, /lib/ld-linux.so.2,
 *     i486 instructions, glibc and kernel versions of the target)
 *   companions: NAME.tcz.md5.txt matches the bytes, NAME.tcz.list equals the
 *     image's non-directory paths, .info (if present) has the 11 fields with
 *     Title = NAME.tcz, .dep (if present) is well formed
 */
#include "commands.h"
#include "companion.h"
#include "elfrules.h"
#include "hash.h"
#include "image.h"
#include "tcl3.h"
#include "util.h"

#include <sqfs/inode.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct checker {
	const char *image;
	const char *name; /* NAME.tcz */
	unsigned problems;
	struct path_list files;
	const struct elf_rules *rules;
};

static void problem(struct checker *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct checker *k, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "tcz: %s: ", k->image);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	k->problems++;
}

static void check_super(struct checker *k, const struct image *img)
{
	const sqfs_super_t *s = &img->super;
	if (s->compression_id != SQFS_COMP_GZIP)
		problem(k, "compressor is %s: Tiny Core 3.x's kernel reads gzip only",
			sqfs_compressor_name_from_id(s->compression_id)
				? sqfs_compressor_name_from_id(s->compression_id) : "unknown");
	if (s->block_size != TCZ_BLOCK_SIZE)
		problem(k, "block size %u: Tiny Core's extensions use %u", s->block_size, TCZ_BLOCK_SIZE);
	if (!(s->flags & SQFS_FLAG_NO_XATTRS) && s->xattr_id_table_start != 0xFFFFFFFFFFFFFFFFull)
		problem(k, "has an xattr table: 2.6.33 has no squashfs xattr support");
	unsigned long long padded = (s->bytes_used + 4095) / 4096 * 4096;
	if (img->file_size > padded)
		problem(k, "%llu bytes appended after the image", img->file_size - padded);
}

/* An ELF file inside the image: copied to a scratch file for libelf. */
static void check_elf(struct checker *k, struct image *img, const sqfs_tree_node_t *c, const char *path)
{
	unsigned char magic[4];
	if (sqfs_data_reader_read(img->data, c->inode, 0, magic, 4) != 4 || memcmp(magic, "\177ELF", 4))
		return;
	char tmp[] = "/tmp/tcz-check.XXXXXX";
	int fd = mkstemp(tmp);
	if (fd < 0) {
		tcz_error("%s: scratch file: %s", k->image, strerror(errno));
		k->problems++;
		return;
	}
	static unsigned char buf[1 << 16];
	sqfs_u64 size = 0, off = 0;
	sqfs_inode_get_file_size(c->inode, &size);
	int ok = 1;
	while (ok && off < size) {
		sqfs_s32 got = sqfs_data_reader_read(img->data, c->inode, off, buf, sizeof(buf));
		ok = got > 0 && write(fd, buf, (size_t)got) == got;
		off += got > 0 ? (sqfs_u64)got : 0;
	}
	close(fd);
	char *label = xasprintf("%s:%s", k->name, path);
	int n = ok ? elf_check(tmp, label, k->rules) : -1;
	if (n < 0)
		problem(k, "%s: cannot read as ELF", path);
	else
		k->problems += (unsigned)n;
	free(label);
	unlink(tmp);
}

/* usr/local/tce.installed: root:staff 0775 (or 2775), see tcl3.h. */
static void check_tce_installed(struct checker *k, const sqfs_tree_node_t *c)
{
	unsigned mode = c->inode->base.mode;
	const char *what = S_ISDIR(mode) ? "directory" : S_ISLNK(mode) ? "symlink" : "file";
	if (S_ISDIR(mode) && c->uid == 0 && c->gid == TCL3_STAFF_GID &&
	    ((mode & 07777) == TCL3_TCE_INSTALLED_MODE || (mode & 07777) == (02000 | TCL3_TCE_INSTALLED_MODE)))
		return;
	problem(k, "%s: %s owned by %u:%u, mode %04o; TCL3 needs a directory owned by root:staff "
		"(0:%u), mode %04o: tce-load, as user tc, records each later extension there",
		TCL3_TCE_INSTALLED, what, (unsigned)c->uid, (unsigned)c->gid, mode & 07777,
		TCL3_STAFF_GID, TCL3_TCE_INSTALLED_MODE);
}

static void check_tree(struct checker *k, struct image *img, const sqfs_tree_node_t *n, const char *path)
{
	for (const sqfs_tree_node_t *c = n->children; c; c = c->next) {
		char *p = *path ? xasprintf("%s/%s", path, (const char *)c->name)
				: xstrdup((const char *)c->name);
		sqfs_u16 mode = c->inode->base.mode;
		size_t tl = strlen(TCL3_TCE_INSTALLED);
		int is_tce = !strcmp(p, TCL3_TCE_INSTALLED);
		int in_tce = !strncmp(p, TCL3_TCE_INSTALLED, tl) && p[tl] == '/';
		if (is_tce)
			check_tce_installed(k, c);
		else if (c->uid != 0 || (c->gid != 0 && !(in_tce && c->gid == TCL3_STAFF_GID)))
			problem(k, "%s: owned by %u:%u, not root", p, (unsigned)c->uid, (unsigned)c->gid);
		if (S_ISDIR(mode)) {
			unsigned perm = mode & 07777;
			if (perm != 0755 && perm != 0775 && perm != 02755 && perm != 02775)
				problem(k, "%s: directory mode %04o (Tiny Core allows 755, 775, 2755, 2775)", p, perm);
			if (!strcmp(p, "usr/local/tce.installed")) {
				unsigned count = 0;
				for (const sqfs_tree_node_t *s = c->children; s; s = s->next, count++) {
					size_t nl = strlen(k->name) - 4;
					if (strlen((const char *)s->name) != nl || memcmp(s->name, k->name, nl))
						problem(k, "%s/%s: tce.installed may hold only a script named %.*s",
							p, (const char *)s->name, (int)nl, k->name);
					else if (!S_ISREG(s->inode->base.mode) || !(s->inode->base.mode & 0100))
						problem(k, "%s/%s: not an executable file", p, (const char *)s->name);
				}
				if (count > 1)
					problem(k, "%s: %u entries; Tiny Core runs exactly one script", p, count);
			}
			check_tree(k, img, c, p);
		} else {
			path_list_add(&k->files, p);
			if (S_ISREG(mode))
				check_elf(k, img, c, p);
		}
		free(p);
	}
}

static int load_companion(struct checker *k, const char *suffix, int required, char **data, size_t *len)
{
	char *path = xasprintf("%s%s", k->image, suffix);
	int ret = 0;
	if (access(path, F_OK) != 0) {
		if (required && !strcmp(suffix, ".md5.txt"))
			problem(k, "%s missing (tcz pack writes it last: an interrupted pack? pack again)",
				path_base(path));
		else if (required)
			problem(k, "%s missing", path_base(path));
		ret = -1;
	} else if (read_file(path, COMPANION_MAX, data, len)) {
		k->problems++;
		ret = -1;
	}
	free(path);
	return ret;
}

static void check_companions(struct checker *k)
{
	char *data, hex[33], actual[HASH_HEX_MAX];
	size_t len;
	char *label;
	if (!load_companion(k, ".md5.txt", 1, &data, &len)) {
		label = xasprintf("%s.md5.txt", k->image);
		if (md5txt_parse(label, data, len, k->name, hex))
			k->problems++;
		else if (hash_file_hex(k->image, HASH_MD5, actual))
			k->problems++;
		else if (strcmp(hex, actual))
			problem(k, "%s is stale: it says %s, the image's md5 is %s", path_base(label), hex,
				actual);
		free(label);
		free(data);
	}
	if (!load_companion(k, ".list", 1, &data, &len)) {
		path_list_sort(&k->files);
		size_t i = 0;
		unsigned line = 0;
		for (char *p = data, *end = data + len; p < end; ) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t l = (size_t)((nl ? nl : end) - p);
			line++;
			if (i >= k->files.n || strlen(k->files.v[i]) != l || memcmp(k->files.v[i], p, l)) {
				problem(k, "%s.list is stale: line %u is '%.*s' where the image has '%s'", k->name,
					line, (int)(l > 200 ? 200 : l), p, i < k->files.n ? k->files.v[i] : "(end)");
				break;
			}
			i++;
			p = nl ? nl + 1 : end;
			if (p == end && i < k->files.n)
				problem(k, "%s.list is stale: it ends before '%s'", k->name, k->files.v[i]);
		}
		if (!len && k->files.n)
			problem(k, "%s.list is stale: empty, and the image has files", k->name);
		free(data);
	}
	if (!load_companion(k, ".info", 0, &data, &len)) {
		label = xasprintf("%s.info", k->image);
		if (info_validate(label, data, len, k->name))
			k->problems++;
		free(label);
		free(data);
	}
	if (!load_companion(k, ".dep", 0, &data, &len)) {
		label = xasprintf("%s.dep", k->image);
		if (dep_validate(label, data, len))
			k->problems++;
		free(label);
		free(data);
	}
}

static void usage(FILE *out)
{
	fputs("Usage: tcz check NAME.tcz...\n"
	      "Check each extension against Tiny Core 3.x's rules: squashfs 4.0, gzip,\n"
	      "block size 4096, no xattrs, nothing appended; owned by root; directory\n"
	      "modes 755/775/2755/2775; usr/local/tce.installed is root:staff (0:50) 0775\n"
	      "(or 2775) and holds only NAME's script;\n"
	      "NAME.tcz.md5.txt and NAME.tcz.list present and matching the image;\n"
	      ".info (11 fields of 3.x, Title = NAME.tcz) and .dep well formed if present;\n"
	      "every ELF file inside: 32-bit i386, /lib/ld-linux.so.2, nothing newer than\n"
	      "the i486, no GLIBC_x.y or ABI-note kernel newer than the target's.\n"
	      "Every problem is printed. Exit status 3 if any rule fails, 1 if an image\n"
	      "cannot be read at all.\n\n"
	      "      --glibc X.Y      the target's glibc (default 2.11, TCL3's)\n"
	      "      --kernel X.Y.Z   the target's kernel (default 2.6.33)\n"
	      "      --build-dir DIR  no RPATH/RUNPATH may point under DIR\n"
	      "      --waive i486     skip the instruction check (a recipe's waiver)\n"
	      "  -h, --help           this help\n", out);
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "glibc", required_argument, NULL, 'g' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "build-dir", required_argument, NULL, 'b' },
		{ "waive", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* TCL3's own glibc and kernel unless told otherwise. */
	struct elf_rules rules = { .glibc = "2.11", .kernel = "2.6.33" };
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'g': rules.glibc = optarg; break;
		case 'k': rules.kernel = optarg; break;
		case 'b': rules.build_dir = optarg; break;
		case 'w':
			if (strcmp(optarg, "i486"))
				return tcz_usage_error("check", "--waive %s: only the i486 check can be waived", optarg);
			rules.skip_i486 = 1;
			break;
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		default: return tcz_usage_error("check", "unknown option");
		}
	}
	if (!version_number_valid(rules.glibc))
		return tcz_usage_error("check", "--glibc '%s': want a version such as 2.11", rules.glibc);
	if (!version_number_valid(rules.kernel))
		return tcz_usage_error("check", "--kernel '%s': want a version such as 2.6.33", rules.kernel);
	if (optind >= argc)
		return tcz_usage_error("check", "no image given");
	int status = TCZ_EXIT_OK;
	for (int i = optind; i < argc; i++) {
		struct checker k = { .image = argv[i], .name = path_base(argv[i]), .rules = &rules };
		size_t nl = strlen(k.name);
		if (nl < 5 || strcmp(k.name + nl - 4, ".tcz")) {
			tcz_error("%s: not named NAME.tcz", argv[i]);
			status = TCZ_EXIT_CHECK;
			continue;
		}
		struct image img;
		sqfs_tree_node_t *root;
		if (image_load(&img, argv[i], &root)) {
			status = TCZ_EXIT_FAIL;
			continue;
		}
		check_super(&k, &img);
		if (root->uid || root->gid)
			problem(&k, "/: owned by %u:%u, not root", (unsigned)root->uid, (unsigned)root->gid);
		check_tree(&k, &img, root, "");
		sqfs_dir_tree_destroy(root);
		image_close(&img);
		check_companions(&k);
		path_list_free(&k.files);
		if (k.problems) {
			fprintf(stderr, "tcz: %s: %u problem%s\n", argv[i], k.problems, k.problems == 1 ? "" : "s");
			if (status == TCZ_EXIT_OK)
				status = TCZ_EXIT_CHECK;
		} else {
			printf("%s: ok\n", argv[i]);
		}
	}
	return status;
}
