#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void vmessage(const char *prefix, const char *fmt, va_list ap)
{
	fputs("tcz: ", stderr);
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void tcz_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void tcz_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

void tcz_perror(const char *what)
{
	tcz_error("%s: %s", what, strerror(errno));
}

int tcz_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "tcz %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'tcz %s --help'.\n", cmd);
	return TCZ_EXIT_USAGE;
}

static void *oom(void)
{
	fputs("tcz: out of memory\n", stderr);
	exit(TCZ_EXIT_FAIL);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	return p ? p : oom();
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	return p ? p : oom();
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	return p ? p : oom();
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	return p ? p : oom();
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return oom();
	char *p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

char *path_join(const char *a, const char *b)
{
	if (!*a)
		return xstrdup(b);
	size_t la = strlen(a);
	return xasprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

const char *path_base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Temporaries of this process, removed by the signal handler. A fixed table
 * keeps the handler async-signal-safe: it only reads it and calls unlink(). */
#define MAX_LIVE_TMP 64
static char *volatile live_tmp[MAX_LIVE_TMP];

static void on_fatal_signal(int sig)
{
	for (int i = 0; i < MAX_LIVE_TMP; i++)
		if (live_tmp[i])
			unlink(live_tmp[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void track_tmp(char *tmp, int add)
{
	static int handlers_set;
	if (!handlers_set) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		handlers_set = 1;
	}
	for (int i = 0; i < MAX_LIVE_TMP; i++) {
		if (add && !live_tmp[i]) {
			live_tmp[i] = tmp;
			return;
		}
		if (!add && live_tmp[i] == tmp) {
			live_tmp[i] = NULL;
			return;
		}
	}
}

int pid_gone(const char *s)
{
	char *end;
	errno = 0;
	long pid = strtol(s, &end, 10);
	if (errno || end == s || *end || pid <= 0 || pid == (long)getpid() || pid > INT_MAX)
		return 0;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* NAME is PREFIX PID, or with a tag, PREFIX ANYTHING TAG PID (the last TAG). */
static int stale_name(const char *name, const char *prefix, const char *tag)
{
	size_t plen = strlen(prefix);
	if (strncmp(name, prefix, plen))
		return 0;
	const char *pid = name + plen;
	if (tag) {
		const char *t = NULL;
		for (const char *s = strstr(pid, tag); s; s = strstr(s + 1, tag))
			t = s;
		if (!t)
			return 0;
		pid = t + strlen(tag);
	}
	return pid_gone(pid);
}

void remove_stale_at(int dirfd, const char *prefix, const char *tag, int trees, const char *keep)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!stale_name(de->d_name, prefix, tag) || (keep && !strcmp(de->d_name, keep)))
			continue;
		if (trees)
			remove_tree_at(dirfd, de->d_name);
		else
			unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

/* Remove `.BASE.tmp.PID` files in DIR whose PID is no longer running. */
static void clean_stale_tmp(const char *dir, const char *base)
{
	int fd = open(*dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	char *prefix = xasprintf(".%s.tmp.", base);
	remove_stale_at(fd, prefix, NULL, 0, NULL);
	free(prefix);
	close(fd);
}


int outfile_open(struct outfile *of, const char *path, int mode)
{
	memset(of, 0, sizeof(*of));
	of->fd = -1;
	const char *base = path_base(path);
	if (!*base) {
		tcz_error("%s: not a file name", path);
		return -1;
	}
	char *dir = xstrdup(path);
	dir[base - path] = '\0';
	clean_stale_tmp(dir, base);
	of->path = xstrdup(path);
	of->tmp = xasprintf("%s.%s.tmp.%ld", dir, base, (long)getpid());
	free(dir);
	unlink(of->tmp);
	of->fd = open(of->tmp, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, mode);
	if (of->fd < 0) {
		tcz_error("%s: cannot create: %s", path, strerror(errno));
		free(of->path);
		free(of->tmp);
		of->path = of->tmp = NULL;
		return -1;
	}
	/* The umask must not make group/other bits of `mode` disappear. */
	if (fchmod(of->fd, (mode_t)mode) != 0) {
		tcz_error("%s: chmod: %s", of->tmp, strerror(errno));
		outfile_abort(of);
		return -1;
	}
	track_tmp(of->tmp, 1);
	return 0;
}

FILE *outfile_stdio(struct outfile *of)
{
	if (!of->fp) {
		of->fp = fdopen(of->fd, "w");
		if (!of->fp)
			tcz_error("%s: %s", of->tmp, strerror(errno));
	}
	return of->fp;
}

int outfile_commit(struct outfile *of)
{
	int err = 0;
	if (of->fp) {
		if (fflush(of->fp) != 0 || ferror(of->fp))
			err = errno ? errno : EIO;
	}
	if (!err && fsync(of->fd) != 0 && errno != EINVAL)
		err = errno;
	int rc = of->fp ? fclose(of->fp) : close(of->fd);
	of->fp = NULL;
	of->fd = -1;
	if (!err && rc != 0)
		err = errno;
	if (!err && rename(of->tmp, of->path) != 0)
		err = errno;
	if (err) {
		tcz_error("%s: cannot write: %s", of->path, strerror(err));
		outfile_abort(of);
		return -1;
	}
	track_tmp(of->tmp, 0);
	free(of->tmp);
	free(of->path);
	of->tmp = of->path = NULL;
	return 0;
}

void outfile_abort(struct outfile *of)
{
	if (of->fp)
		fclose(of->fp);
	else if (of->fd >= 0)
		close(of->fd);
	of->fp = NULL;
	of->fd = -1;
	if (of->tmp) {
		unlink(of->tmp);
		track_tmp(of->tmp, 0);
	}
	free(of->tmp);
	free(of->path);
	of->tmp = of->path = NULL;
}

int outfile_write(struct outfile *of, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(of->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tcz_error("%s: write: %s", of->tmp, strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	struct outfile of;
	if (outfile_open(&of, path, mode))
		return -1;
	if (outfile_write(&of, data, len)) {
		outfile_abort(&of);
		return -1;
	}
	return outfile_commit(&of);
}

int read_file(const char *path, size_t max, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		tcz_error("%s: %s", path, strerror(errno));
		return -1;
	}
	int ret = read_fd(fd, path, max, data, len);
	close(fd);
	return ret;
}

int read_fd(int fd, const char *label, size_t max, char **data, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				tcz_error("%s: larger than %zu bytes", label, max);
				goto fail;
			}
			cap = cap * 2 > max ? max : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			tcz_error("%s: read: %s", label, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*data = buf;
	if (len)
		*len = n;
	return 0;
fail:
	free(buf);
	return -1;
}

long long parse_size(const char *s)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		return -1;
	long long mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = 1024; end++; break;
	case 'm': case 'M': mul = 1024 * 1024; end++; break;
	case 'g': case 'G': mul = 1024LL * 1024 * 1024; end++; break;
	}
	if (*end || v > LLONG_MAX / mul)
		return -1;
	return v * mul;
}

int size_limit(const char *cmd, const char *arg, long long *out)
{
	const char *env = getenv("TCZ_MAX_SIZE");
	const char *v = arg ? arg : env && *env ? env : TCZ_DEFAULT_MAX_SIZE;
	long long n = parse_size(v);
	if (n < 0)
		return tcz_usage_error(cmd, "%s '%s': want a size such as 512M or 4G (0: no limit)",
				       arg ? "--max-size" : "TCZ_MAX_SIZE", v);
	*out = n ? n : LLONG_MAX;
	return 0;
}

void human_size(unsigned long long bytes, char out[16])
{
	/* Like `du -h`/`ls -sh` as Tiny Core's scripts use: round up, one decimal
	 * below 10 in a unit, none above. */
	static const char units[] = "KMGT";
	if (bytes < 1024) {
		snprintf(out, 16, "%llu", bytes);
		return;
	}
	double v = (double)bytes;
	int u = -1;
	do {
		v /= 1024;
		u++;
	} while (v >= 1024 && u < 3);
	if (v < 10) {
		unsigned long long tenths = (unsigned long long)(v * 10);
		if ((double)tenths < v * 10)
			tenths++;
		if (tenths < 100) {
			snprintf(out, 16, "%llu.%llu%c", tenths / 10, tenths % 10, units[u]);
			return;
		}
	}
	unsigned long long whole = (unsigned long long)v;
	if ((double)whole < v)
		whole++;
	snprintf(out, 16, "%llu%c", whole, units[u]);
}

int copy_file(const char *from, const char *to, int mode)
{
	char *data;
	size_t len;
	if (read_file(from, (size_t)1 << 34, &data, &len))
		return -1;
	int ret = write_file_atomic(to, data, len, mode);
	free(data);
	return ret;
}

int make_dir(const char *path, int mode)
{
	if (mkdir(path, (mode_t)mode) && errno != EEXIST) {
		tcz_error("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) && errno != ENOENT)
		tcz_warn("%s: cannot remove: %s", path, strerror(errno));
	return 0;
}

void remove_tree(const char *dir)
{
	struct stat st;
	if (lstat(dir, &st) == 0)
		nftw(dir, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
}

/* Depth first through directory descriptors opened with O_NOFOLLOW: a
 * symlink anywhere is an entry to unlink, never a way out. */
void remove_tree_at(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return;
	if (errno != EISDIR && errno != EPERM) {
		tcz_warn("%s: cannot remove: %s", name, strerror(errno));
		return;
	}
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		tcz_warn("%s: cannot remove: %s", name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			remove_tree_at(fd, de->d_name);
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) && errno != ENOENT)
		tcz_warn("%s: cannot remove: %s", name, strerror(errno));
}
