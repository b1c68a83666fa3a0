/* Dependency closure of extensions on a mirror; see closure.h. */
#include "closure.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int kernel_release_valid(const char *s)
{
	size_t len = strlen(s);
	if (!len || len > TCZ_KERNEL_RELEASE_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._+-", s[i]))
			return 0;
	return 1;
}

void mirror_init(struct mirror *m, const char *base, const char *workdir)
{
	size_t len = strlen(base);
	while (len > 1 && base[len - 1] == '/')
		len--;
	m->tcz_base = xasprintf("%.*s/3.x/tcz", (int)len, base);
	m->workdir = workdir;
}

void mirror_free(struct mirror *m)
{
	free(m->tcz_base);
	m->tcz_base = NULL;
}

void mirror_item(const struct mirror *m, struct dl_item *it, const char *dir, const char *file)
{
	char *dest = path_join(dir, file), *url = xasprintf("%s/%s", m->tcz_base, file);
	dl_init(it, dest);
	dl_source(it, url);
	free(dest);
	free(url);
}

/* Fetch NAME's .md5.txt into workdir and return its md5 in hex[33]; -1 if
 * the mirror has none (with a message). */
static int mirror_md5(struct mirror *m, const char *name, char hex[33])
{
	char *url = xasprintf("%s/%s.md5.txt", m->tcz_base, name);
	char *dest = xasprintf("%s/%s.md5.txt", m->workdir, name);
	enum dl_result r = dl_fetch(dest, url, NULL, 1, COMPANION_MAX);
	int ret = -1;
	if (r == DL_OK) {
		char *data;
		size_t len;
		if (read_file(dest, COMPANION_MAX, &data, &len) == 0) {
			ret = md5txt_parse(dest, data, len, name, hex);
			free(data);
		}
	} else if (r == DL_NOT_FOUND) {
		tcz_error("%s: not on the mirror (%s)", name, url);
	}
	free(url);
	free(dest);
	return ret;
}

/* NAME's dependency names, KERNEL substituted; none if it has no .dep. */
static int deps_of(struct mirror *m, const char *name, const char *kernel, struct path_list *deps)
{
	char *url = xasprintf("%s/%s.dep", m->tcz_base, name);
	char *dest = xasprintf("%s/%s.dep", m->workdir, name);
	enum dl_result r = dl_fetch(dest, url, NULL, 1, COMPANION_MAX);
	int ret = 0;
	if (r == DL_OK) {
		char *data;
		size_t len;
		struct path_list raw = { 0 };
		ret = read_file(dest, COMPANION_MAX, &data, &len);
		/* tce-load reads whitespace-separated names; we also reject
		 * what TCL3's rules forbid (blank lines, literal kernels). */
		if (!ret) {
			ret = dep_parse(dest, data, len, &raw);
			free(data);
		}
		for (size_t i = 0; !ret && i < raw.n; i++) {
			char *k = strstr(raw.v[i], "KERNEL");
			char *n = k ? xasprintf("%.*s%s%s", (int)(k - raw.v[i]), raw.v[i], kernel, k + 6)
				    : xstrdup(raw.v[i]);
			path_list_add(deps, n);
			free(n);
		}
		path_list_free(&raw);
	} else if (r != DL_NOT_FOUND) {
		tcz_error("%s: cannot fetch %s", name, url);
		ret = -1;
	}
	free(url);
	free(dest);
	return ret;
}

struct walk {
	struct mirror *m;
	const char *kernel;
	struct path_list done, stack;
	struct path_list *order, *md5s;
};

static int in_list(const struct path_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

static int visit(struct walk *w, const char *name)
{
	if (in_list(&w->done, name))
		return 0;
	if (in_list(&w->stack, name)) {
		fprintf(stderr, "tcz: dependency cycle: ");
		size_t i = 0;
		while (strcmp(w->stack.v[i], name))
			i++;
		for (; i < w->stack.n; i++)
			fprintf(stderr, "%s -> ", w->stack.v[i]);
		fprintf(stderr, "%s\n", name);
		return -1;
	}
	char hex[33];
	if (mirror_md5(w->m, name, hex)) {
		if (w->stack.n)
			tcz_error("%s is needed by %s", name, w->stack.v[w->stack.n - 1]);
		return -1;
	}
	path_list_add(&w->stack, name);
	struct path_list deps = { 0 };
	int ret = deps_of(w->m, name, w->kernel, &deps);
	for (size_t i = 0; !ret && i < deps.n; i++)
		ret = visit(w, deps.v[i]);
	path_list_free(&deps);
	free(w->stack.v[--w->stack.n]);
	if (!ret) {
		path_list_add(&w->done, name);
		path_list_add(w->order, name);
		path_list_add(w->md5s, hex);
	}
	return ret;
}

int closure_resolve(struct mirror *m, const char *kernel, char **names, size_t n,
		    struct path_list *order, struct path_list *md5s)
{
	struct walk w = { .m = m, .kernel = kernel, .order = order, .md5s = md5s };
	int ret = 0;
	if (!kernel_release_valid(kernel)) {
		tcz_error("kernel '%.*s': not a kernel release (letters, digits, ._+-)",
			  TCZ_KERNEL_RELEASE_MAX, kernel);
		return -1;
	}
	for (size_t i = 0; !ret && i < n; i++) {
		size_t l = strlen(names[i]);
		char *name = l > 4 && !strcmp(names[i] + l - 4, ".tcz") ? xstrdup(names[i])
									: xasprintf("%s.tcz", names[i]);
		if (!ext_name_valid(name)) {
			tcz_error("'%s' is not an extension name (letters, digits, ._+-)", names[i]);
			ret = -1;
		} else {
			ret = visit(&w, name);
		}
		free(name);
	}
	path_list_free(&w.done);
	path_list_free(&w.stack);
	return ret;
}
