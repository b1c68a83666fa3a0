/* Shared helpers of the tcz tool: messages, allocation that cannot fail
 * silently, and output files that appear whole or not at all. */
#ifndef TCZ_UTIL_H
#define TCZ_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes, documented in `tcz --help`. */
enum {
	TCZ_EXIT_OK = 0,
	TCZ_EXIT_FAIL = 1,  /* the operation failed: I/O, bad input, network */
	TCZ_EXIT_USAGE = 2, /* wrong command line */
	TCZ_EXIT_CHECK = 3, /* a check or verification found a problem */
	TCZ_EXIT_NOT_FOUND = 4, /* tcz fetch: no source has the file */
};

/* "tcz: <message>" on stderr. */
void tcz_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "tcz: <what>: <strerror(errno)>" on stderr. */
void tcz_perror(const char *what);
/* "tcz: warning: <message>" on stderr. */
void tcz_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For option errors: message plus a pointer to `tcz CMD --help`; returns
 * TCZ_EXIT_USAGE so callers can `return tcz_usage_error(...)`. */
int tcz_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Out of memory is not something a packing tool can recover from: these
 * print a message and exit(TCZ_EXIT_FAIL). */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "a/b" from "a" and "b"; "b" alone when a is empty. */
char *path_join(const char *a, const char *b);
/* The last component of a path, without allocation. */
const char *path_base(const char *path);

/* An output file written under a temporary name in the same directory and
 * renamed over the real name on commit, so that readers see the old file or
 * the new one, never a part. The temporary is `.NAME.tmp.PID`; a later open
 * of the same NAME removes temporaries of processes that no longer run (left
 * by kill -9), and SIGINT/SIGTERM/SIGHUP remove those of this process. */
struct outfile {
	char *path;
	char *tmp;
	int fd;
	FILE *fp; /* set by outfile_stdio() */
};

int outfile_open(struct outfile *of, const char *path, int mode);

/* Write all of data to the temporary; -1 with a message. */
int outfile_write(struct outfile *of, const void *data, size_t len);
/* A stdio stream on the temporary, for text output. */
FILE *outfile_stdio(struct outfile *of);
/* Flush, fsync, rename into place. Returns 0, or -1 with a message. */
int outfile_commit(struct outfile *of);
/* Remove the temporary; safe to call after a failed commit or twice. */
void outfile_abort(struct outfile *of);

/* Temporaries carry the PID of their writer so that a later run can tell
 * what a killed process left. pid_gone: S is the decimal PID of a process
 * that no longer runs (and not ours: a PID that runs, even reused by another
 * program, keeps its file; only ESRCH proves the writer gone).
 * remove_stale_at: remove the entries of dirfd named PREFIX PID, or with
 * TAG, PREFIX ANYTHING TAG PID, whose PID is gone, except the one named
 * KEEP (may be NULL); files only, or whole trees (a symlink is removed,
 * never followed). Quiet: it only cleans up. */
int pid_gone(const char *s);
void remove_stale_at(int dirfd, const char *prefix, const char *tag, int trees, const char *keep);

/* Write a whole buffer to a new file atomically. */
int write_file_atomic(const char *path, const void *data, size_t len, int mode);
/* Read a whole file (at most max bytes) into a NUL-terminated buffer. */
int read_file(const char *path, size_t max, char **data, size_t *len);
/* The same from an open file; LABEL names it in messages. */
int read_fd(int fd, const char *label, size_t max, char **data, size_t *len);

/* Copy a whole file to a new file, atomically (the target appears whole). */
int copy_file(const char *from, const char *to, int mode);
/* mkdir of PATH unless it is there; -1 with a message naming it. */
int make_dir(const char *path, int mode);
/* rm -rf of a directory this program made; symlinks are removed, never
 * followed. Failures are warnings: it only cleans up. */
void remove_tree(const char *dir);
/* The same for NAME in dirfd (a file, a symlink or a whole tree). */
void remove_tree_at(int dirfd, const char *name);

/* The limit on what extract, unpack and install write: --max-size SIZE,
 * else $TCZ_MAX_SIZE, else this; 0 means none. */
#define TCZ_DEFAULT_MAX_SIZE "4G"
/* The limit in bytes (LLONG_MAX for none) from ARG (NULL: not given);
 * a usage error of CMD, returned, for junk. */
int size_limit(const char *cmd, const char *arg, long long *out);

/* Parse a size such as 4096, 4k, 128K, 1M into bytes; -1 on junk. */
long long parse_size(const char *s);
/* "24K", "1.2M": Tiny Core's human-readable size (as `du -h` prints). */
void human_size(unsigned long long bytes, char out[16]);

#endif
