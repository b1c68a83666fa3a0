/* Tiny Core's companion files; formats in companion.h. */
#include "companion.h"
#include "hash.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void path_list_add(struct path_list *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = xstrdup(s);
}

static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void path_list_sort(struct path_list *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), by_bytes);
}

void path_list_free(struct path_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const char *companion_suffix(enum companion_kind kind)
{
	switch (kind) {
	case COMPANION_DEP: return ".dep";
	case COMPANION_INFO: return ".info";
	case COMPANION_MD5: return ".md5.txt";
	case COMPANION_LIST: return ".list";
	}
	return "";
}

/* Iterate over lines: each call yields the next line (without '\n') and its
 * number; 0 at the end. A final line without '\n' counts. */
struct lines {
	const char *p, *end;
	unsigned no;
};

static int next_line(struct lines *it, const char **line, size_t *len)
{
	if (it->p >= it->end)
		return 0;
	const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	*line = it->p;
	*len = (size_t)((nl ? nl : it->end) - it->p);
	it->p = nl ? nl + 1 : it->end;
	it->no++;
	return 1;
}

static int common_checks(const char *label, const char *data, size_t len)
{
	if (len > COMPANION_MAX) {
		tcz_error("%s: larger than %u bytes", label, COMPANION_MAX);
		return -1;
	}
	if (memchr(data, '\0', len)) {
		tcz_error("%s: contains a NUL byte: not a text file", label);
		return -1;
	}
	struct lines it = { data, data + len, 0 };
	const char *line;
	size_t l;
	while (next_line(&it, &line, &l))
		if (l && line[l - 1] == '\r') {
			tcz_error("%s:%u: CRLF line ending (Tiny Core's tools want LF)", label, it.no);
			return -1;
		}
	return 0;
}

/* An extension name: NAME.tcz with NAME of letters, digits and ._+- only,
 * not starting with '.' or '-'. */
static int valid_ext_name(const char *s, size_t len)
{
	if (len < 5 || len > 255 || memcmp(s + len - 4, ".tcz", 4) || s[0] == '.' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._+-", s[i]))
			return 0;
	return 1;
}

int ext_name_valid(const char *name)
{
	return valid_ext_name(name, strlen(name));
}

/* "-2.6.33.3-tinycore.tcz" and the like: a kernel version where the
 * KERNEL placeholder belongs (submitqc rejects it too). */
static int names_literal_kernel(const char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] != '-' || !isdigit((unsigned char)s[i + 1]))
			continue;
		size_t j = i + 1, dots = 0;
		while (j < len && (isdigit((unsigned char)s[j]) || s[j] == '.'))
			dots += s[j++] == '.';
		if (dots >= 2 && j + 9 <= len && !memcmp(s + j, "-tinycore", 9))
			return 1;
	}
	return 0;
}

int dep_validate(const char *label, const char *data, size_t len)
{
	return dep_parse(label, data, len, NULL);
}

int dep_parse(const char *label, const char *data, size_t len, struct path_list *names)
{
	if (common_checks(label, data, len))
		return -1;
	struct lines it = { data, data + len, 0 };
	const char *line;
	size_t l;
	while (next_line(&it, &line, &l)) {
		while (l && (line[l - 1] == ' ' || line[l - 1] == '\t'))
			l--;
		if (!l) {
			tcz_error("%s:%u: blank line (Tiny Core's .dep has none)", label, it.no);
			return -1;
		}
		if (!valid_ext_name(line, l)) {
			tcz_error("%s:%u: '%.*s' is not an extension name (NAME.tcz)", label, it.no,
				  (int)(l > 80 ? 80 : l), line);
			return -1;
		}
		if (names_literal_kernel(line, l)) {
			tcz_error("%s:%u: '%.*s' names a kernel version: write -KERNEL.tcz", label,
				  it.no, (int)l, line);
			return -1;
		}
		if (names) {
			char *name = xmalloc(l + 1);
			memcpy(name, line, l);
			name[l] = '\0';
			path_list_add(names, name);
			free(name);
		}
	}
	return 0;
}

static const char *const info_fields[] = {
	"Title", "Description", "Version", "Author", "Original-site", "Copying-policy",
	"Size", "Extension_by", "Comments", "Change-log", "Current",
};
#define INFO_FIELDS (sizeof(info_fields) / sizeof(info_fields[0]))

int info_validate(const char *label, const char *data, size_t len, const char *title)
{
	if (common_checks(label, data, len))
		return -1;
	struct lines it = { data, data + len, 0 };
	const char *line;
	size_t l, next = 0;
	while (next_line(&it, &line, &l)) {
		if (!l || line[0] == ' ' || line[0] == '\t') {
			/* Continuation of a multi-line field, or spacing. */
			if (next == 0 && l) {
				tcz_error("%s:%u: continuation line before the Title field", label, it.no);
				return -1;
			}
			continue;
		}
		const char *colon = memchr(line, ':', l);
		if (!colon) {
			tcz_error("%s:%u: not 'Field: value' nor an indented continuation", label, it.no);
			return -1;
		}
		size_t flen = (size_t)(colon - line);
		if (flen == 4 && !memcmp(line, "Tags", 4)) {
			tcz_error("%s:%u: Tags is a 4.x field; 3.x's .info has none", label, it.no);
			return -1;
		}
		if (next >= INFO_FIELDS || strlen(info_fields[next]) != flen ||
		    memcmp(line, info_fields[next], flen)) {
			tcz_error("%s:%u: field '%.*s' where 3.x expects '%s'", label, it.no,
				  (int)(flen > 40 ? 40 : flen), line,
				  next < INFO_FIELDS ? info_fields[next] : "(nothing more)");
			return -1;
		}
		const char *v = colon + 1;
		size_t vlen = l - flen - 1;
		while (vlen && (*v == ' ' || *v == '\t'))
			v++, vlen--;
		if (next == 0 && title && (vlen != strlen(title) || memcmp(v, title, vlen))) {
			tcz_error("%s:%u: Title '%.*s' does not name the extension %s", label, it.no,
				  (int)(vlen > 80 ? 80 : vlen), v, title);
			return -1;
		}
		if (next == 0 && !valid_ext_name(v, vlen)) {
			tcz_error("%s:%u: Title must be NAME.tcz", label, it.no);
			return -1;
		}
		next++;
	}
	if (next != INFO_FIELDS) {
		tcz_error("%s: field '%s' missing (3.x has %zu fields, in order)", label,
			  info_fields[next], INFO_FIELDS);
		return -1;
	}
	return 0;
}

int md5txt_parse(const char *label, const char *data, size_t len, const char *name, char hex[33])
{
	if (common_checks(label, data, len))
		return -1;
	size_t nlen = strlen(name);
	size_t want = 32 + 2 + nlen;
	if (len && data[len - 1] == '\n')
		len--;
	if (len != want || memcmp(data + 32, "  ", 2) || memcmp(data + 34, name, nlen)) {
		tcz_error("%s: not an md5sum line for %s (32 hex digits, two spaces, the name)",
			  label, name);
		return -1;
	}
	memcpy(hex, data, 32);
	hex[32] = '\0';
	if (!hash_hex_valid(hex, HASH_MD5)) {
		tcz_error("%s: '%.32s' is not an md5 digest", label, data);
		return -1;
	}
	hash_hex_lower(hex);
	return 0;
}

int companion_load(const char *path, enum companion_kind kind, struct companion_text *out)
{
	if (read_file(path, COMPANION_MAX, &out->data, &out->len))
		return -1;
	int ret = 0;
	if (kind == COMPANION_DEP)
		ret = dep_validate(path, out->data, out->len);
	else if (kind == COMPANION_INFO)
		ret = info_validate(path, out->data, out->len, NULL);
	if (ret) {
		free(out->data);
		out->data = NULL;
	}
	return ret;
}

char *companion_md5_text(const char *image, const char *data)
{
	char hex[HASH_HEX_MAX];
	if (hash_file_hex(data, HASH_MD5, hex))
		return NULL;
	return xasprintf("%s  %s\n", hex, path_base(image));
}

char *companion_list_text(struct path_list *paths, size_t *len)
{
	path_list_sort(paths);
	*len = 0;
	for (size_t i = 0; i < paths->n; i++)
		*len += strlen(paths->v[i]) + 1;
	char *buf = xmalloc(*len + 1), *p = buf;
	for (size_t i = 0; i < paths->n; i++) {
		size_t l = strlen(paths->v[i]);
		memcpy(p, paths->v[i], l);
		p[l] = '\n';
		p += l + 1;
	}
	*p = '\0';
	return buf;
}
