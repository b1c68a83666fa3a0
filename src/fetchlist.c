/* tcz fetch --list FILE -o DIR: many downloads at once. Each line of FILE
 * (blank lines and # comments aside) is
 *     NAME ALGO:HEX URL...
 * with NAME a bare file name in DIR and ALGO sha256, sha512 or md5; each
 * line becomes a `tcz fetch -o DIR/NAME --ALGO HEX URL...` child, -j at a
 * time, so every file gets the whole single-file treatment (sources in
 * order, resume, retries, verification before it appears). */
#include "fetchlist.h"
#include "fetchpool.h"
#include "hash.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define FETCH_LIST_MAX_URLS 16

static int parse_line(const char *list, unsigned no, char *line, char **name, char **algo,
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
	char *colon = strchr(fields[1], ':');
	enum hash_algo a;
	if (colon) {
		*colon = '\0';
		*algo = fields[1];
		*hex = colon + 1;
	}
	if (!colon || (strcmp(*algo, "sha256") && strcmp(*algo, "sha512") && strcmp(*algo, "md5"))) {
		tcz_error("%s:%u: '%s': want sha256:HEX, sha512:HEX or md5:HEX", list, no, fields[1]);
		return -1;
	}
	a = !strcmp(*algo, "md5") ? HASH_MD5 : !strcmp(*algo, "sha512") ? HASH_SHA512 : HASH_SHA256;
	if (!hash_hex_valid(*hex, a)) {
		tcz_error("%s:%u: '%s' is not a %s digest", list, no, *hex, *algo);
		return -1;
	}
	*nurls = n - 2;
	for (size_t i = 2; i < n; i++)
		urls[i - 2] = fields[i];
	return 0;
}

int fetch_list(const char *list, const char *dir, int jobs)
{
	char *data;
	size_t len;
	if (read_file(list, 1 << 24, &data, &len))
		return TCZ_EXIT_FAIL;
	/* Check every line before fetching anything. */
	for (int pass = 0; pass < 2; pass++) {
		struct fetch_pool pool;
		fetch_pool_init(&pool, jobs);
		char *copy = xmalloc(len + 1);
		memcpy(copy, data, len);
		copy[len] = '\0';
		unsigned no = 0;
		int ret = 0;
		for (char *line = copy, *nl; line && !ret; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			no++;
			line += strspn(line, " \t");
			if (!*line || *line == '#')
				continue;
			char *name, *algo, *hex, *urls[FETCH_LIST_MAX_URLS];
			size_t nurls;
			ret = parse_line(list, no, line, &name, &algo, &hex, urls, &nurls);
			if (ret || pass == 0)
				continue;
			char *dest = path_join(dir, name), *opt = xasprintf("--%s", algo);
			const char *args[6 + FETCH_LIST_MAX_URLS] = { "-q", "-o", dest, opt, hex };
			for (size_t i = 0; i < nurls; i++)
				args[5 + i] = urls[i];
			args[5 + nurls] = NULL;
			fetch_pool_add(&pool, name, args);
			free(dest);
			free(opt);
		}
		unsigned failed = fetch_pool_wait(&pool);
		free(copy);
		if (ret || failed) {
			if (failed)
				tcz_error("%s: %u download%s failed", list, failed, failed == 1 ? "" : "s");
			free(data);
			return ret ? TCZ_EXIT_USAGE : TCZ_EXIT_FAIL;
		}
	}
	free(data);
	return TCZ_EXIT_OK;
}
