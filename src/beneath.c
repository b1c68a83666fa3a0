/* Paths beneath a root directory; see beneath.h. */
#include "beneath.h"
#include "util.h"

#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Symlinks followed by beneath_open_in_root's walk, as the kernel's MAXSYMLINKS. */
#define MAX_LINKS 40

static int walk_only;      /* set by tests, or once openat2 said ENOSYS */

void beneath_force_walk(int on)
{
	walk_only = on;
}

const char *beneath_strerror(int err)
{
	switch (err) {
	case ELOOP:
		return "reached through a symlink, which is never followed";
	case ENOTDIR:
		return "a component of the path is not a directory";
	case EXDEV:
		return "the path leads outside the root";
	default:
		return strerror(err);
	}
}

/* A relative path without "..": what every caller passes. Anything else
 * is a caller's bug or a hostile name, and is refused the same way. */
static int path_ok(const char *path)
{
	if (!*path || *path == '/')
		return 0;
	for (const char *c = path; *c;) {
		size_t l = strcspn(c, "/");
		if (l == 2 && c[0] == '.' && c[1] == '.')
			return 0;
		c += l;
		while (*c == '/')
			c++;
	}
	return 1;
}

/* One directory below dirfd, never through a symlink: ELOOP for one, as
 * openat2 says (openat says ENOTDIR when O_DIRECTORY is also given). */
static int open_dir_nofollow(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 && errno == ENOTDIR && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		errno = ELOOP;
	return fd;
}

/* -1 with errno ENOSYS when the kernel cannot do it (the caller walks). */
static int try_openat2(int dirfd, const char *path, int flags, mode_t mode, unsigned long long resolve)
{
	if (walk_only) {
		errno = ENOSYS;
		return -1;
	}
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.mode = flags & O_CREAT ? mode : 0,
		.resolve = resolve,
	};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd >= 0)
		return (int)fd;
	/* ENOSYS: before Linux 5.6. EPERM: seccomp filters that predate
	 * openat2 (older container runtimes) refuse what they do not know. */
	if (errno == ENOSYS)
		walk_only = 1;
	if (errno == EPERM)
		errno = ENOSYS;
	return -1;
}

/* The next component of *path (skipping "" and "."), advancing *path;
 * 0 at the end. */
static size_t next_component(const char **path, const char **comp)
{
	for (;;) {
		while (**path == '/')
			(*path)++;
		size_t l = strcspn(*path, "/");
		*comp = *path;
		*path += l;
		if (l != 1 || (*comp)[0] != '.')
			return l;
	}
}

static int walk_open(int rootfd, const char *path, int flags, mode_t mode)
{
	int dirfd = rootfd;
	const char *comp;
	size_t l = next_component(&path, &comp);
	for (;;) {
		const char *rest = path;
		const char *ncomp;
		size_t nl = next_component(&rest, &ncomp);
		char *name = l ? strndup(comp, l) : strdup(".");
		if (!name) {
			if (dirfd != rootfd)
				close(dirfd);
			errno = ENOMEM;
			return -1;
		}
		int fd = nl ? open_dir_nofollow(dirfd, name)
			    : openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
		int err = errno;
		free(name);
		if (dirfd != rootfd)
			close(dirfd);
		if (fd < 0 || !nl) {
			errno = err;
			return fd;
		}
		dirfd = fd;
		comp = ncomp;
		l = nl;
		path = rest;
	}
}

int beneath_open(int rootfd, const char *path, int flags, mode_t mode)
{
	if (!path_ok(path)) {
		errno = EXDEV;
		return -1;
	}
	int fd = try_openat2(rootfd, path, flags, mode, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	return walk_open(rootfd, path, flags, mode);
}

/* The walk for beneath_open_in_root: a stack of open directories from the
 * root down ("..": pop, never past the root), a symlink's target spliced
 * in front of the rest of the path (absolute: from the root again). */
struct in_root {
	int *fds;
	size_t n, cap;
	char *todo; /* what is left to resolve */
};

static int top(const struct in_root *w)
{
	return w->fds[w->n - 1];
}

static void push(struct in_root *w, int fd)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 16;
		w->fds = xrealloc(w->fds, w->cap * sizeof(*w->fds));
	}
	w->fds[w->n++] = fd;
}

static void pop_to(struct in_root *w, size_t n)
{
	while (w->n > n)
		close(w->fds[--w->n]);
}

/* Replace the component just read by the link's target. */
static int splice_link(struct in_root *w, const char *name, const char *rest)
{
	char target[4096];
	ssize_t tl = readlinkat(top(w), name, target, sizeof(target) - 1);
	if (tl < 0)
		return -1;
	if (tl == 0 || (size_t)tl >= sizeof(target) - 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	target[tl] = '\0';
	if (target[0] == '/')
		pop_to(w, 1);
	char *todo = xasprintf("%s%s", target, rest);
	free(w->todo);
	w->todo = todo;
	return 0;
}

static int walk_in_root(int rootfd, const char *path, int flags)
{
	struct in_root w = { .todo = xstrdup(path) };
	int root = fcntl(rootfd, F_DUPFD_CLOEXEC, 0), ret = -1, links = 0;
	if (root < 0)
		goto out;
	push(&w, root);
	for (;;) {
		const char *p = w.todo, *comp;
		size_t l = next_component(&p, &comp);
		if (!l) {
			/* The path named a directory on the stack itself. */
			ret = openat(top(&w), ".", flags | O_CLOEXEC);
			goto out;
		}
		char *name = xasprintf("%.*s", (int)l, comp);
		const char *rest = p, *after = p, *ignored;
		int last = next_component(&after, &ignored) == 0;
		struct stat st;
		int fd = -1;
		if (!strcmp(name, "..")) {
			if (w.n > 1)
				pop_to(&w, w.n - 1);
		} else if (fstatat(top(&w), name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
			if (++links > MAX_LINKS) {
				errno = ELOOP;
				free(name);
				goto out;
			}
			char *keep = xstrdup(rest);
			int r = splice_link(&w, name, keep);
			free(keep);
			free(name);
			if (r)
				goto out;
			continue;
		} else if (last) {
			ret = openat(top(&w), name, flags | O_NOFOLLOW | O_CLOEXEC);
			free(name);
			goto out;
		} else if ((fd = open_dir_nofollow(top(&w), name)) < 0) {
			free(name);
			goto out;
		} else {
			push(&w, fd);
		}
		free(name);
		char *todo = xstrdup(rest);
		free(w.todo);
		w.todo = todo;
	}
out:;
	int err = errno;
	pop_to(&w, 0);
	free(w.fds);
	free(w.todo);
	errno = err;
	return ret;
}

int beneath_open_in_root(int rootfd, const char *path, int flags)
{
	int fd = try_openat2(rootfd, path, flags, 0, RESOLVE_IN_ROOT);
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	return walk_in_root(rootfd, path, flags);
}

int beneath_mkdirs(int rootfd, const char *label, const char *path, mode_t mode)
{
	if (!path_ok(path)) {
		tcz_error("%s/%s: %s", label, path, beneath_strerror(EXDEV));
		return -1;
	}
	int dirfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	if (dirfd < 0) {
		tcz_error("%s: %s", label, strerror(errno));
		return -1;
	}
	const char *p = path, *comp;
	size_t l;
	while ((l = next_component(&p, &comp))) {
		char *name = xasprintf("%.*s", (int)l, comp);
		int fd = -1;
		if (mkdirat(dirfd, name, mode) == 0 || errno == EEXIST)
			fd = open_dir_nofollow(dirfd, name);
		if (fd < 0)
			tcz_error("%s/%.*s: %s", label, (int)(p - path), path,
				  errno == ELOOP || errno == ENOTDIR
					  ? "exists and is not a directory (a symlink is never followed)"
					  : beneath_strerror(errno));
		free(name);
		close(dirfd);
		if (fd < 0)
			return -1;
		dirfd = fd;
	}
	return dirfd;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int beneath_write_atomic(int rootfd, const char *label, const char *path,
			 const void *data, size_t len, mode_t mode)
{
	const char *name = path_base(path);
	/* The directory part without its trailing slash ("" for none). */
	char *dir = xasprintf("%.*s", (int)(name > path ? name - path - 1 : 0), path);
	int dirfd = *dir ? beneath_open(rootfd, dir, O_RDONLY | O_DIRECTORY, 0)
			 : fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	int ret = -1, fd = -1;
	char *prefix = xasprintf(".%s.tmp.", name);
	char *tmp = xasprintf("%s%ld", prefix, (long)getpid());
	if (dirfd < 0) {
		tcz_error("%s/%s: %s", label, dir, beneath_strerror(errno));
		goto out;
	}
	remove_stale_at(dirfd, prefix, NULL, 0, NULL);
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	/* fchmod: the umask must not take bits of `mode` away. */
	if (fd < 0 || fchmod(fd, mode) || write_all(fd, data, len) || fsync(fd)) {
		tcz_error("%s/%s: %s", label, path, strerror(errno));
		goto fail;
	}
	int rc = close(fd);
	fd = -1;
	if (rc || renameat(dirfd, tmp, dirfd, name)) {
		tcz_error("%s/%s: %s", label, path, strerror(errno));
		goto fail;
	}
	ret = 0;
	goto out;
fail:
	unlinkat(dirfd, tmp, 0);
out:
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	free(prefix);
	free(tmp);
	free(dir);
	return ret;
}
