/* tcz install: what `tce-load -wi` does, onto a disk root on the host.
 *
 * All or nothing, against bad images and against kill -9. The work lives
 * in one journal directory, ROOT/.tcz-install/:
 *   dl/     the downloads (.dep, .md5.txt, .tcz)
 *   stage/  the tree the install adds: every extension unpacked (so every
 *           data block of every image inflated and checked against its
 *           file), the markers usr/local/tce.installed/NAME, tce/onboot.lst,
 *           tce/optional/ - built as if stage/ were an empty ROOT
 *   plan    written once stage/ is complete and fits ROOT: the commit point
 * Then each entry of stage/ is renamed into ROOT (a directory ROOT lacks
 * goes in one rename), and ROOT/etc/ld.so.cache is rewritten.
 *
 * A run that dies before `plan` exists has changed nothing in ROOT; the
 * next run removes its journal. One that dies after has left stage/ with
 * what is still to be moved (a rename is atomic and takes the entry out of
 * stage/); the next run moves the rest. Every run does that first, holding
 * a lock on ROOT that a second install waits for in vain and a killed one
 * releases. Extension scripts in tce.installed are kept, not run: they are
 * i486 programs, for the target.
 *
 * Every path under ROOT is resolved beneath it (beneath.h): an extension
 * installed earlier, now or before, may have made `tce` or
 * `usr/local/tce.installed` a symlink to anywhere; it is refused, never
 * followed.
 */
#include "beneath.h"
#include "closure.h"
#include "commands.h"
#include "download.h"
#include "image.h"
#include "ldcache.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define JOURNAL ".tcz-install"
/* TCL3's rule for usr/local/tce.installed: root, group staff, 0775, so
 * that tce-load, running as the tc user, can record what it loads. */
#define TC_STAFF_GID 50

struct install_opts {
	const char *root, *mirror, *kernel;
	int onboot, keep;
	long long max_size;
};

struct target {
	const char *label; /* ROOT as given, for messages */
	int rootfd, journalfd, dlfd, stagefd;
	char *dl; /* path of the download directory, for the download engine */
	int as_root;
};

/* A marker behind a symlink is not believed: the extension is installed
 * again, and staging it says what is wrong with ROOT. */
static int installed(const struct target *t, const char *name)
{
	int dirfd = beneath_open(t->rootfd, "usr/local/tce.installed", O_RDONLY | O_DIRECTORY, 0);
	if (dirfd < 0)
		return 0;
	char *marker = xasprintf("%.*s", (int)(strlen(name) - 4), name);
	struct stat st;
	int yes = fstatat(dirfd, marker, &st, AT_SYMLINK_NOFOLLOW) == 0;
	free(marker);
	close(dirfd);
	return yes;
}

/* --- staging: everything in stage/, nothing in ROOT --------------------- */

/* The text of FILE beneath dirfd; *data NULL when there is none. */
static int read_beneath(int dirfd, const char *label, const char *file, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	int fd = beneath_open(dirfd, file, O_RDONLY, 0);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		tcz_error("%s/%s: %s", label, file, beneath_strerror(errno));
		return -1;
	}
	char *l = xasprintf("%s/%s", label, file);
	int ret = read_fd(fd, l, COMPANION_MAX, data, len);
	free(l);
	close(fd);
	return ret;
}

/* NAME.tcz was named on the command line (with or without .tcz). */
static int asked(char **names, size_t n, const char *name)
{
	size_t l = strlen(name) - 4;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name) || (strlen(names[i]) == l && !strncmp(names[i], name, l)))
			return 1;
	return 0;
}

/* NAME is a line of TEXT. */
static int listed(const char *text, size_t len, const char *name)
{
	size_t l = strlen(name);
	for (const char *p = text; p < text + len;) {
		const char *nl = memchr(p, '\n', (size_t)(text + len - p));
		const char *end = nl ? nl : text + len;
		if ((size_t)(end - p) == l && !memcmp(p, name, l))
			return 1;
		p = end + 1;
	}
	return 0;
}

/* tce/onboot.lst with the names asked for that it lacks, in stage/. As
 * tce-load -wi: the extensions asked for, not their deps, which the boot
 * loads through the .dep files. */
static int stage_onboot(const struct target *t, char **names, size_t n, const struct path_list *todo)
{
	char *data = NULL, *label = xasprintf("%s/" JOURNAL "/stage", t->label);
	size_t len = 0;
	/* An extension that shipped tce/onboot.lst itself would have replaced
	 * ROOT's: it is the one to extend, as unpacking it first would. */
	int ret = read_beneath(t->stagefd, label, "tce/onboot.lst", &data, &len);
	if (!ret && !data)
		ret = read_beneath(t->rootfd, t->label, "tce/onboot.lst", &data, &len);
	char *text = xmalloc(len + 2);
	size_t tlen = len;
	memcpy(text, data ? data : "", len);
	if (len && text[len - 1] != '\n')
		text[tlen++] = '\n';
	for (size_t i = 0; !ret && i < todo->n; i++) {
		const char *name = todo->v[i];
		size_t l = strlen(name);
		if (!asked(names, n, name) || listed(text, tlen, name))
			continue;
		text = xrealloc(text, tlen + l + 2);
		memcpy(text + tlen, name, l);
		tlen += l;
		text[tlen++] = '\n';
	}
	int fd = ret ? -1 : beneath_mkdirs(t->stagefd, label, "tce", 0755);
	if (!ret)
		ret = fd < 0 ? -1 : beneath_write_atomic(t->stagefd, label, "tce/onboot.lst", text, tlen, 0644);
	if (fd >= 0)
		close(fd);
	free(text);
	free(data);
	free(label);
	return ret;
}

/* The marker directory in stage/ (TCL3's owner and mode when made here). */
static int stage_marker_dir(const struct target *t, const char *label)
{
	int local = beneath_mkdirs(t->stagefd, label, "usr/local", 0755);
	if (local < 0)
		return -1;
	const char *dir = "tce.installed";
	int made = mkdirat(local, dir, 0775) == 0;
	if (made && (fchmodat(local, dir, 0775, 0) ||
		     (t->as_root && fchownat(local, dir, 0, TC_STAFF_GID, AT_SYMLINK_NOFOLLOW)))) {
		tcz_error("%s/usr/local/%s: %s", label, dir, strerror(errno));
		close(local);
		return -1;
	}
	int fd = beneath_open(local, dir, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		tcz_error("%s/usr/local/%s: %s", label, dir,
			  errno == ELOOP || errno == ENOTDIR ? "exists and is not a directory (a symlink is never followed)"
							     : strerror(errno));
	close(local);
	return fd;
}

/* usr/local/tce.installed/NAME: the script the extension ships, or an
 * empty file. */
static int stage_markers(const struct target *t, const struct path_list *todo)
{
	char *label = xasprintf("%s/" JOURNAL "/stage", t->label);
	int dirfd = stage_marker_dir(t, label), ret = dirfd < 0 ? -1 : 0;
	for (size_t i = 0; !ret && i < todo->n; i++) {
		char *marker = xasprintf("%.*s", (int)(strlen(todo->v[i]) - 4), todo->v[i]);
		struct stat st;
		if (fstatat(dirfd, marker, &st, AT_SYMLINK_NOFOLLOW) && errno == ENOENT)
			ret = beneath_write_atomic(dirfd, label, marker, "", 0, 0644);
		free(marker);
	}
	if (dirfd >= 0)
		close(dirfd);
	free(label);
	return ret;
}

/* --keep: the downloads move to tce/optional/ in stage/. */
static int stage_optional(const struct target *t, const struct path_list *todo)
{
	char *label = xasprintf("%s/" JOURNAL "/stage", t->label);
	int optfd = beneath_mkdirs(t->stagefd, label, "tce/optional", 0755), ret = optfd < 0 ? -1 : 0;
	static const char *const suffixes[] = { "", ".md5.txt", ".dep" };
	for (size_t i = 0; !ret && i < todo->n; i++)
		for (size_t s = 0; !ret && s < 3; s++) {
			char *file = xasprintf("%s%s", todo->v[i], suffixes[s]);
			if (renameat(t->dlfd, file, optfd, file) == 0) {
				ret = fchmodat(optfd, file, 0644, 0);
			} else if (errno != ENOENT) {
				ret = -1;
			}
			if (ret)
				tcz_error("%s/tce/optional/%s: %s", label, file, strerror(errno));
			free(file);
		}
	if (optfd >= 0)
		close(optfd);
	free(label);
	return ret;
}

/* Each image's tree, their total against --max-size, then each unpacked
 * into stage/: every block read, inflated and checked. */
static int stage_images(const struct target *t, const struct install_opts *o, const struct path_list *todo)
{
	unsigned long long total = 0;
	for (size_t i = 0; i < todo->n; i++) {
		char *path = path_join(t->dl, todo->v[i]);
		struct image img;
		sqfs_tree_node_t *tree;
		int ret = image_load(&img, path, &tree);
		if (ret) {
			tcz_error("%s: unreadable image: nothing was installed", todo->v[i]);
		} else {
			total += image_tree_bytes(tree);
			ret = image_size_check(todo->v[i], total, o->max_size);
			sqfs_dir_tree_destroy(tree);
			image_close(&img);
		}
		free(path);
		if (ret)
			return -1;
	}
	char *label = xasprintf("%s/" JOURNAL "/stage", t->label);
	int ret = 0;
	for (size_t i = 0; !ret && i < todo->n; i++) {
		char *path = path_join(t->dl, todo->v[i]);
		struct image img;
		sqfs_tree_node_t *tree;
		ret = image_load(&img, path, &tree);
		if (!ret) {
			ret = image_unpack(&img, tree, t->stagefd, label);
			sqfs_dir_tree_destroy(tree);
			image_close(&img);
		}
		if (ret)
			tcz_error("%s: unreadable image: nothing was installed", todo->v[i]);
		free(path);
	}
	free(label);
	return ret;
}

/* --- merging stage/ into ROOT: checked first, then done ------------------ */

struct merge {
	const struct target *t;
	int commit;
};

/* The names in a directory, sorted, so that a check and a commit walk alike. */
static int list_dir(int dirfd, struct path_list *out)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			path_list_add(out, de->d_name);
	closedir(d);
	path_list_sort(out);
	return 0;
}

static int merge_fail(const struct merge *m, const char *path, const char *why)
{
	tcz_error("%s/%s: %s%s", m->t->label, path, why,
		  m->commit ? "; run tcz install again to complete the install" : ": nothing was installed");
	return -1;
}

/* Is ROOT's directory one that entries can be renamed into from stage/? */
static int dir_ok(const struct merge *m, int stagefd, int rootfd, const char *path)
{
	struct stat s, r;
	if (fstat(stagefd, &s) || fstat(rootfd, &r))
		return merge_fail(m, path, strerror(errno));
	if (s.st_dev != r.st_dev)
		return merge_fail(m, path, "is on another file system than ROOT (tcz install moves by rename)");
	if (!m->t->as_root && faccessat(rootfd, ".", W_OK | X_OK, AT_EACCESS))
		return merge_fail(m, path, "not writable");
	return 0;
}

static int merge_dir(const struct merge *m, int stagefd, int rootfd, const char *dirpath);

static int merge_entry(const struct merge *m, int stagefd, int rootfd, const char *name, const char *path)
{
	struct stat s, r;
	if (fstatat(stagefd, name, &s, AT_SYMLINK_NOFOLLOW))
		return merge_fail(m, path, strerror(errno));
	int in_root = fstatat(rootfd, name, &r, AT_SYMLINK_NOFOLLOW) == 0;
	if (!in_root && errno != ENOENT)
		return merge_fail(m, path, strerror(errno));
	if (S_ISDIR(s.st_mode) && !m->t->as_root && !(s.st_mode & S_IWUSR))
		return merge_fail(m, path, "a directory without owner write permission: only root can install it");
	if (S_ISDIR(s.st_mode) && in_root && !S_ISDIR(r.st_mode))
		return merge_fail(m, path, "exists and is not a directory (a symlink is never followed)");
	if (!S_ISDIR(s.st_mode) && in_root && S_ISDIR(r.st_mode))
		return merge_fail(m, path, "is a directory, where an extension has a file");
	if (S_ISDIR(s.st_mode) && in_root) {
		int sfd = openat(stagefd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int rfd = sfd < 0 ? -1 : openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int ret = rfd < 0 ? merge_fail(m, path, beneath_strerror(errno)) : merge_dir(m, sfd, rfd, path);
		if (sfd >= 0)
			close(sfd);
		if (rfd >= 0)
			close(rfd);
		/* Emptied: its entries are in ROOT now. */
		if (!ret && m->commit && unlinkat(stagefd, name, AT_REMOVEDIR))
			ret = merge_fail(m, path, strerror(errno));
		return ret;
	}
	if (m->commit && renameat(stagefd, name, rootfd, name))
		return merge_fail(m, path, strerror(errno));
	return 0;
}

static int merge_dir(const struct merge *m, int stagefd, int rootfd, const char *dirpath)
{
	struct path_list names = { 0 };
	if (list_dir(stagefd, &names))
		return merge_fail(m, dirpath, strerror(errno));
	int ret = names.n ? dir_ok(m, stagefd, rootfd, *dirpath ? dirpath : ".") : 0;
	/* What an older tcz unpack or install left when it was killed. */
	if (!ret && m->commit)
		remove_stale_at(rootfd, ".", ".tcz-unpack.", 0, NULL);
	for (size_t i = 0; !ret && i < names.n; i++) {
		const char *name = names.v[i];
		char *path = *dirpath ? xasprintf("%s/%s", dirpath, name) : xstrdup(name);
		if (!*dirpath && !strncmp(name, JOURNAL, strlen(JOURNAL)))
			ret = merge_fail(m, path, "an extension has an entry of the name tcz install works in");
		else
			ret = merge_entry(m, stagefd, rootfd, name, path);
		free(path);
	}
	path_list_free(&names);
	return ret;
}

/* --- the journal ------------------------------------------------------- */

/* Move what stage/ still holds into ROOT (after `plan` exists). */
static int commit(struct target *t)
{
	struct merge m = { t, 1 };
	int stagefd = openat(t->journalfd, "stage", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (stagefd < 0 && errno == ENOENT)
		return 0;
	if (stagefd < 0)
		return merge_fail(&m, JOURNAL "/stage", strerror(errno));
	int ret = merge_dir(&m, stagefd, t->rootfd, "");
	close(stagefd);
	return ret;
}

static void close_target(struct target *t)
{
	int *fds[] = { &t->stagefd, &t->dlfd, &t->journalfd };
	for (size_t i = 0; i < 3; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* The journal's last step: renamed to a name the stale-temporary rule
 * removes (JOURNAL.PID), then deleted, so that a kill while it is deleted
 * leaves nothing that looks like an unfinished install. */
static void retire_journal(int rootfd)
{
	char *old = xasprintf(JOURNAL ".%ld", (long)getpid());
	if (renameat(rootfd, JOURNAL, rootfd, old) == 0)
		remove_tree_at(rootfd, old);
	else if (errno != ENOENT)
		remove_tree_at(rootfd, JOURNAL);
	free(old);
}

/* Finish or undo what a killed install left; then no journal remains. */
static int recover(struct target *t)
{
	/* JOURNAL.PID: journals retired by runs killed while deleting them,
	 * and the work directories of tcz versions that named them so. */
	remove_stale_at(t->rootfd, JOURNAL ".", NULL, 1, NULL);
	t->journalfd = beneath_open(t->rootfd, JOURNAL, O_RDONLY | O_DIRECTORY, 0);
	if (t->journalfd < 0) {
		if (errno == ENOENT)
			return 0;
		/* Not ours (a symlink, a file): nothing to finish, so gone. */
		retire_journal(t->rootfd);
		return 0;
	}
	struct stat st;
	int ret = 0;
	if (fstatat(t->journalfd, "plan", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		ret = commit(t);
		if (!ret)
			printf("tcz: completed the install that a killed run began on %s\n", t->label);
	} else {
		printf("tcz: removed what a killed install left in %s (it had changed nothing)\n", t->label);
	}
	close_target(t);
	if (!ret)
		retire_journal(t->rootfd);
	return ret;
}

/* A fresh journal with dl/ and stage/. */
static int open_journal(struct target *t)
{
	t->journalfd = beneath_mkdirs(t->rootfd, t->label, JOURNAL, 0700);
	if (t->journalfd < 0)
		return -1;
	char *label = xasprintf("%s/" JOURNAL, t->label);
	t->dlfd = beneath_mkdirs(t->journalfd, label, "dl", 0755);
	t->stagefd = t->dlfd < 0 ? -1 : beneath_mkdirs(t->journalfd, label, "stage", 0755);
	free(label);
	t->dl = xasprintf("%s/" JOURNAL "/dl", t->label);
	return t->stagefd < 0 ? -1 : 0;
}

/* The commit point: stage/ on disk, then `plan`. */
static int write_plan(struct target *t)
{
	/* syncfs(2) (glibc declares it for _GNU_SOURCE only): one call
	 * puts everything staged on disk before the commit point. */
	if (syscall(SYS_syncfs, t->stagefd)) {
		tcz_error("%s: syncing: %s", t->label, strerror(errno));
		return -1;
	}
	char *label = xasprintf("%s/" JOURNAL, t->label);
	static const char plan[] = "tcz install: stage/ is complete; move it into ROOT\n";
	int ret = beneath_write_atomic(t->journalfd, label, "plan", plan, sizeof(plan) - 1, 0644);
	free(label);
	return ret;
}

/* --- the command --------------------------------------------------------- */

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

static int install_all(struct target *t, const struct install_opts *o, char **names, size_t n)
{
	struct mirror m;
	mirror_init(&m, o->mirror, t->dl);
	struct path_list order = { 0 }, md5s = { 0 }, todo = { 0 }, todo_md5s = { 0 };
	int ret = closure_resolve(&m, o->kernel, names, n, &order, &md5s);
	for (size_t i = 0; !ret && i < order.n; i++)
		if (!installed(t, order.v[i])) {
			path_list_add(&todo, order.v[i]);
			path_list_add(&todo_md5s, md5s.v[i]);
		}
	if (!ret && !todo.n)
		printf("tcz: already installed: %s\n", order.n == 1 ? order.v[0] : "everything asked for");
	if (!ret && todo.n) {
		struct merge check = { t, 0 };
		ret = fetch_verified(&m, t->dl, &todo, &todo_md5s);
		if (!ret)
			ret = stage_images(t, o, &todo);
		int staged = ret;
		if (!ret)
			ret = stage_markers(t, &todo);
		if (!ret && o->onboot)
			ret = stage_onboot(t, names, n, &todo);
		if (!ret && o->keep)
			ret = stage_optional(t, &todo);
		if (ret && !staged)
			tcz_error("%s: nothing was installed", t->label);
		if (!ret)
			ret = merge_dir(&check, t->stagefd, t->rootfd, "");
		if (!ret)
			ret = write_plan(t);
		/* From here on, a failure is finished by the next run. */
		if (!ret)
			ret = commit(t);
		for (size_t i = 0; !ret && i < todo.n; i++)
			printf("tcz: installed %s\n", todo.v[i]);
	}
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
	      "skipped. Scripts an extension ships in tce.installed are kept, not run.\n"
	      "Then ROOT/etc/ld.so.cache lists the libraries of /lib, /usr/lib and the\n"
	      "directories of ROOT/etc/ld.so.conf, for TCL3's glibc 2.11.\n\n"
	      "All or nothing: everything is downloaded, md5-verified and unpacked, every\n"
	      "block of every image inflated and checked, into ROOT/.tcz-install/ before\n"
	      "anything in ROOT changes; then it is moved in. A missing dependency, a\n"
	      "cycle, a bad image or a file where ROOT has a directory leaves ROOT as it\n"
	      "was. An install that is killed is finished (or, if it had not begun to\n"
	      "move, undone) by the next `tcz install` on ROOT, before anything else.\n"
	      "One install at a time on a ROOT: a second one fails at once. Nothing is\n"
	      "written through a symlink in ROOT; ROOT must be one file system.\n\n"
	      "Options:\n"
	      "      --root ROOT       the target's root directory (required; must exist)\n"
	      "      --mirror M        mirror base URL or directory (required)\n"
	      "      --kernel VER      replaces KERNEL in dependency names (default " TCZ_DEFAULT_KERNEL ")\n"
	      "      --onboot          also list each in ROOT/tce/onboot.lst\n"
	      "      --keep            also keep the .tcz files in ROOT/tce/optional/\n"
	      "      --max-size SIZE   refuse, before writing, extensions whose files come to\n"
	      "                        more than SIZE bytes in all (K, M, G; holes count;\n"
	      "                        0: no limit; default $TCZ_MAX_SIZE, else " TCZ_DEFAULT_MAX_SIZE ")\n"
	      "  -h, --help            this help\n", out);
}

static int run(struct target *t, const struct install_opts *o, char **names, size_t n)
{
	if (flock(t->rootfd, LOCK_EX | LOCK_NB)) {
		tcz_error("%s: %s", t->label, errno == EWOULDBLOCK ? "another tcz install is working on it"
								   : strerror(errno));
		return -1;
	}
	if (recover(t))
		return -1;
	int ret = open_journal(t);
	if (!ret)
		ret = install_all(t, o, names, n);
	close_target(t);
	/* Before plan: nothing in ROOT changed, so this undoes it; after a
	 * failed commit the journal stays for the next run to finish. */
	struct stat st;
	if (!ret || fstatat(t->rootfd, JOURNAL "/plan", &st, AT_SYMLINK_NOFOLLOW))
		retire_journal(t->rootfd);
	if (!ret)
		ret = ldcache_write(t->rootfd, t->label);
	return ret;
}

int cmd_install(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "onboot", no_argument, NULL, 'o' },
		{ "keep", no_argument, NULL, 'K' },
		{ "max-size", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct install_opts o = { .kernel = TCZ_DEFAULT_KERNEL };
	const char *max_arg = NULL;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o.root = optarg; break;
		case 'm': o.mirror = optarg; break;
		case 'k': o.kernel = optarg; break;
		case 'o': o.onboot = 1; break;
		case 'K': o.keep = 1; break;
		case 'M': max_arg = optarg; break;
		case 'h': usage(stdout); return TCZ_EXIT_OK;
		default: return tcz_usage_error("install", "unknown option");
		}
	}
	int st = size_limit("install", max_arg, &o.max_size);
	if (st)
		return st;
	if (!o.root || !o.mirror)
		return tcz_usage_error("install", "--root and --mirror are required");
	if (!kernel_release_valid(o.kernel))
		return tcz_usage_error("install", "--kernel '%.*s': not a kernel release (letters, digits, "
				       "._+-, not starting with . or -, at most %d bytes)",
				       TCZ_KERNEL_RELEASE_MAX, o.kernel, TCZ_KERNEL_RELEASE_MAX);
	if (optind >= argc)
		return tcz_usage_error("install", "no extension named");
	struct target t = { .label = o.root, .journalfd = -1, .dlfd = -1, .stagefd = -1,
			    .as_root = geteuid() == 0 };
	t.rootfd = open(o.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t.rootfd < 0) {
		tcz_error("%s: %s", o.root, errno == ENOTDIR ? "not a directory" : strerror(errno));
		return TCZ_EXIT_FAIL;
	}
	int ret = run(&t, &o, argv + optind, (size_t)(argc - optind));
	close(t.rootfd);
	free(t.dl);
	return ret ? TCZ_EXIT_FAIL : TCZ_EXIT_OK;
}
