/* Facts about Tiny Core Linux 3.x that more than one file relies on; each is
 * sourced in ../shared/TINYCORE.md. */
#ifndef TCZ_TCL3_H
#define TCZ_TCL3_H

/* The group "staff" of TCL3's user tc. */
#define TCL3_STAFF_GID 50

/* tce-load copies a mounted extension onto / as root (cp -ais), so the
 * guest's own /usr/local/tce.installed takes the owner and mode the image
 * gives that directory; the tc user (group staff) then records every later
 * extension there, without sudo. An image that has the directory must give
 * it root:staff and mode 0775 (submitqc also accepts 2775). */
#define TCL3_TCE_INSTALLED "usr/local/tce.installed"
#define TCL3_TCE_INSTALLED_MODE 0775

#endif
