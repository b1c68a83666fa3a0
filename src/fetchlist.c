/* tcz fetch --list FILE -o DIR: many downloads at once. Each line of FILE
 * (blank lines and # comments aside) is
 *     NAME ALGO:HEX URL...
 * with NAME a bare file name in DIR and ALGO sha256, sha512 or md5. Every
 * line is checked before anything is fetched; then the download engine
 * runs them all, -j at a time, each with the whole single-file treatment
 * (sources in order, resume, retries, verification before it appears). */
#include "download.h"
#include "fetchlist.h"
#include "hash.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define FETCH_LIST_MAX_URLS 16

static int parse_line(const char *list, unsigned no, char *line, char **name, enum hash_algo *algo,
		      char **hex, char **urls, size_t *nurls)
{
	char *save = NULL, *tok, *fields[3 + FETCH_LIST_MAX_URLS];
	size_t n = 0;
	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (n == sizeof(fields) / sizeof(*fields)) {
			tcz_error("%s:%u: more than %d URLs", list, no, FETCH_LIST_MAX_URLS);
			return -1;
		}
		fields[n++] = tok;
	}
	if (n < 3) {
		tcz_error("%s:%u: want 'NAME ALGO:HEX URL...'", list, no);
		return -1;
	}
	*name = fields[0];
	if (!**name || strchr(*name, '/') || !strcmp(*name, ".") || !strcmp(*name, "..")) {
		tcz_error("%s:%u: '%s' is not a bare file name", list, no, *name);
		return -1;
	}
	char *colon = strchr(fields[1], ':'), *aname = fields[1];
	if (colon) {
		*colon = '\0';
		*hex = colon + 1;
	}
	if (!colon || (strcmp(aname, "sha256") && strcmp(aname, "sha512") && strcmp(aname, "md5"))) {
		tcz_error("%s:%u: '%s': want sha256:HEX, sha512:HEX or md5:HEX", list, no, fields[1]);
		return -1;
	}
	*algo = !strcmp(aname, "md5") ? HASH_MD5 : !strcmp(aname, "sha512") ? HASH_SHA512 : HASH_SHA256;
	if (!hash_hex_valid(*hex, *algo)) {
		tcz_error("%s:%u: '%s' is not a %s digest", list, no, *hex, aname);
		return -1;
	}
	*nurls = n - 2;
	for (size_t i = 2; i < n; i++)
		urls[i - 2] = fields[i];
	return 0;
}

int fetch_list(const char *list, const char *dir, int jobs, int quiet, long long max_size)
{
	char *data;
	size_t len;
	if (read_file(list, 1 << 24, &data, &len))
		return TCZ_EXIT_FAIL;
	struct dl_item *items = NULL;
	size_t n = 0;
	unsigned no = 0;
	int ret = TCZ_EXIT_OK;
	for (char *line = data, *nl; line && ret == TCZ_EXIT_OK; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		no++;
		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		char *name, *hex, *urls[FETCH_LIST_MAX_URLS];
		enum hash_algo algo;
		size_t nurls;
		if (parse_line(list, no, line, &name, &algo, &hex, urls, &nurls)) {
			ret = TCZ_EXIT_USAGE;
			break;
		}
		char *dest = path_join(dir, name);
		for (size_t i = 0; i < n && ret == TCZ_EXIT_OK; i++)
			if (!strcmp(items[i].dest, dest)) {
				tcz_error("%s:%u: '%s' is listed twice", list, no, name);
				ret = TCZ_EXIT_USAGE;
			}
		if (ret != TCZ_EXIT_OK) {
			free(dest);
			break;
		}
		items = xrealloc(items, (n + 1) * sizeof(*items));
		dl_init(&items[n], dest);
		free(dest);
		dl_want(&items[n], algo, hex);
		items[n].max_size = max_size;
		for (size_t i = 0; i < nurls; i++)
			dl_source(&items[n], urls[i]);
		n++;
	}
	if (ret == TCZ_EXIT_OK && dl_run(items, n, jobs, quiet)) {
		unsigned failed = 0;
		for (size_t i = 0; i < n; i++)
			failed += items[i].result != DL_OK;
		tcz_error("%s: %u of %zu downloads failed", list, failed, n);
		ret = TCZ_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++)
		dl_free(&items[i]);
	free(items);
	free(data);
	return ret;
}
