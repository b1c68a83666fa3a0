/* ROOT/etc/ld.so.cache for TCL3's dynamic loader (glibc 2.11.1), so that
 * libraries installed onto a disk root are found without running the
 * target's ldconfig (ldcache.c). */
#ifndef TCZ_LDCACHE_H
#define TCZ_LDCACHE_H

/* Scan ROOT's /lib, /usr/lib and the directories ROOT/etc/ld.so.conf
 * names, and write ROOT/etc/ld.so.cache atomically, beneath rootfd.
 * LABEL is ROOT for messages. 0, or -1 with a message. */
int ldcache_write(int rootfd, const char *label);

#endif
