/* Paths beneath a root directory that the caller holds open, resolved so
 * that nothing lands outside it: what install and unpack use for every
 * write under ROOT. A root is filled by extensions, and an extension
 * installed a moment ago may have made `usr/local/tce.installed` or `tce`
 * a symlink to anywhere; a path call would follow it.
 *
 * Paths are relative ("usr/local/tce.installed/nginx"). With openat2(2),
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS: no component may be a symlink,
 * none may climb out with "..". Where the kernel has no openat2 (before
 * Linux 5.6, or a seccomp filter that hides it), the same rule is kept by
 * a walk, one component at a time, each opened with O_NOFOLLOW.
 *
 * Errors come back as -1 with errno: ELOOP for a symlink on the way,
 * EXDEV for a path that would leave the root. Functions that take a label
 * (ROOT as the user wrote it, for messages) print the message themselves.
 */
#ifndef TCZ_BENEATH_H
#define TCZ_BENEATH_H

#include <stddef.h>
#include <sys/types.h>

/* openat(2) of PATH beneath rootfd; no symlink is ever followed. */
int beneath_open(int rootfd, const char *path, int flags, mode_t mode);

/* For reading a target system's own files (its /usr/lib/libz.so.1 is a
 * symlink to libz.so.1.2.3, or to /usr/lib/libz.so.1.2.3): symlinks are
 * followed, but resolved as if rootfd were "/" (RESOLVE_IN_ROOT), so that
 * neither ".." nor an absolute link leaves the root. */
int beneath_open_in_root(int rootfd, const char *path, int flags);

/* The directory PATH beneath rootfd, made where missing (each new
 * component with `mode`, less the umask): an O_DIRECTORY descriptor, or
 * -1 with a message "LABEL/PATH: ...". */
int beneath_mkdirs(int rootfd, const char *label, const char *path, mode_t mode);

/* PATH beneath rootfd replaced atomically by DATA: written to
 * `.NAME.tmp.PID` in its directory (which must exist), synced, renamed
 * over NAME; temporaries of dead processes beside it are removed first.
 * 0, or -1 with a message. */
int beneath_write_atomic(int rootfd, const char *label, const char *path,
			 const void *data, size_t len, mode_t mode);

/* A message for errno after one of these failed on LABEL/PATH. */
const char *beneath_strerror(int err);

/* For tests: take the walk even where openat2 exists. */
void beneath_force_walk(int on);

#endif
