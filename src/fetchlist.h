/* tcz fetch --list: many verified downloads at once (fetchlist.c). */
#ifndef TCZ_FETCHLIST_H
#define TCZ_FETCHLIST_H

/* A TCZ_EXIT_ status; max_size limits each file (0: no limit). */
int fetch_list(const char *list, const char *dir, int jobs, int quiet, long long max_size);

#endif
