/* The large libraries, loaded when a command first calls them.
 *
 * libcurl brings some 25 shared objects with it (TLS, Kerberos, LDAP,
 * SSH), libarchive libxml2 and ICU, capstone and libcrypto megabytes of
 * their own: loaded at start, they cost about 10 ms of every tcz run, five
 * times what `tcz list` of a small extension needs. So tcz links only what
 * every image command uses (libsquashfs, libdeflate, liblzma), and each
 * function it calls in libcurl, libarchive, libcrypto, libelf and capstone
 * is defined here under the library's own name and prototype (its header
 * is included, so the compiler checks both): the first call loads the
 * library by the SONAME its -dev package links against (found when tcz is
 * built, see tcz.mk), later calls go straight through the address found.
 *
 * A call to a function of these libraries that is not listed here fails
 * to link ("undefined reference to `archive_...'"): add a line below.
 */
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <capstone/capstone.h>
#define CURL_DISABLE_TYPECHECK /* curl_easy_setopt is defined here, not called */
#include <curl/curl.h>
#include <gelf.h>
#include <libelf.h>
#include <openssl/evp.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>

struct lib {
	const char *soname;
	_Atomic(void *) handle;
};

static struct lib archive = { TCZ_SONAME_ARCHIVE, NULL };
static struct lib curl = { TCZ_SONAME_CURL, NULL };
static struct lib crypto = { TCZ_SONAME_CRYPTO, NULL };
static struct lib elf = { TCZ_SONAME_ELF, NULL };
static struct lib capstone = { TCZ_SONAME_CAPSTONE, NULL };

_Static_assert(sizeof(TCZ_SONAME_ARCHIVE) > 1 && sizeof(TCZ_SONAME_CURL) > 1 && sizeof(TCZ_SONAME_CRYPTO) > 1 &&
		       sizeof(TCZ_SONAME_ELF) > 1 && sizeof(TCZ_SONAME_CAPSTONE) > 1,
	       "tcz.mk found no SONAME for a library: is its -dev package installed?");

static pthread_mutex_t loading = PTHREAD_MUTEX_INITIALIZER;

/* A library that cannot be loaded is a broken installation, not an error
 * the caller could handle: every call site expects the library present. */
static void *lib_handle(struct lib *lib)
{
	void *h = atomic_load_explicit(&lib->handle, memory_order_acquire);
	if (h)
		return h;
	pthread_mutex_lock(&loading);
	h = atomic_load_explicit(&lib->handle, memory_order_relaxed);
	if (!h) {
		h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			tcz_error("cannot load %s: %s", lib->soname, dlerror());
			exit(TCZ_EXIT_FAIL);
		}
		atomic_store_explicit(&lib->handle, h, memory_order_release);
	}
	pthread_mutex_unlock(&loading);
	return h;
}

/* The address of NAME in LIB, found once and kept in *CACHE. */
static void *lib_sym(struct lib *lib, const char *name, _Atomic(void *) *cache)
{
	void *p = atomic_load_explicit(cache, memory_order_acquire);
	if (p)
		return p;
	p = dlsym(lib_handle(lib), name);
	if (!p) {
		tcz_error("%s has no function %s (a different version than tcz was built with?)", lib->soname, name);
		exit(TCZ_EXIT_FAIL);
	}
	atomic_store_explicit(cache, p, memory_order_release);
	return p;
}

/* RET NAME PARAMS, calling LIB's NAME with ARGS; LAZYV for void ones. */
#define LAZY(lib, ret, name, params, args) \
	ret(name) params \
	{ \
		static _Atomic(void *) sym; \
		return ((ret(*) params)lib_sym(&lib, #name, &sym))args; \
	}
#define LAZYV(lib, name, params, args) \
	void(name) params \
	{ \
		static _Atomic(void *) sym; \
		((void(*) params)lib_sym(&lib, #name, &sym))args; \
	}

/* libarchive */
typedef struct archive A;
typedef struct archive_entry E;
LAZY(archive, A *, archive_read_new, (void), ())
LAZY(archive, A *, archive_write_new, (void), ())
LAZY(archive, A *, archive_write_disk_new, (void), ())
LAZY(archive, int, archive_read_free, (A *a), (a))
LAZY(archive, int, archive_write_free, (A *a), (a))
LAZY(archive, int, archive_write_close, (A *a), (a))
LAZY(archive, const char *, archive_error_string, (A *a), (a))
LAZY(archive, int, archive_filter_count, (A *a), (a))
LAZY(archive, int, archive_filter_code, (A *a, int n), (a, n))
LAZY(archive, int, archive_read_support_filter_all, (A *a), (a))
LAZY(archive, int, archive_read_support_filter_gzip, (A *a), (a))
LAZY(archive, int, archive_read_support_format_all, (A *a), (a))
LAZY(archive, int, archive_read_support_format_raw, (A *a), (a))
LAZY(archive, int, archive_read_open_filename, (A *a, const char *f, size_t bs), (a, f, bs))
LAZY(archive, int, archive_read_open,
     (A *a, void *d, archive_open_callback *o, archive_read_callback *r, archive_close_callback *c),
     (a, d, o, r, c))
LAZY(archive, int, archive_read_next_header, (A *a, E **e), (a, e))
LAZY(archive, la_ssize_t, archive_read_data, (A *a, void *b, size_t n), (a, b, n))
LAZY(archive, int, archive_read_data_block, (A *a, const void **b, size_t *n, la_int64_t *o), (a, b, n, o))
LAZY(archive, int, archive_write_add_filter_gzip, (A *a), (a))
LAZY(archive, int, archive_write_set_filter_option, (A *a, const char *m, const char *o, const char *v),
     (a, m, o, v))
LAZY(archive, int, archive_write_set_format_raw, (A *a), (a))
LAZY(archive, int, archive_write_set_format_cpio_newc, (A *a), (a))
LAZY(archive, int, archive_write_set_bytes_in_last_block, (A *a, int n), (a, n))
LAZY(archive, int, archive_write_open_fd, (A *a, int fd), (a, fd))
LAZY(archive, int, archive_write_header, (A *a, E *e), (a, e))
LAZY(archive, la_ssize_t, archive_write_data, (A *a, const void *b, size_t n), (a, b, n))
LAZY(archive, la_ssize_t, archive_write_data_block, (A *a, const void *b, size_t n, la_int64_t o), (a, b, n, o))
LAZY(archive, int, archive_write_finish_entry, (A *a), (a))
LAZY(archive, int, archive_write_disk_set_options, (A *a, int f), (a, f))
LAZY(archive, int, archive_write_disk_set_standard_lookup, (A *a), (a))
LAZY(archive, E *, archive_entry_new, (void), ())
LAZYV(archive, archive_entry_free, (E *e), (e))
LAZY(archive, const char *, archive_entry_pathname, (E *e), (e))
LAZY(archive, const char *, archive_entry_hardlink, (E *e), (e))
LAZY(archive, __LA_MODE_T, archive_entry_filetype, (E *e), (e))
LAZY(archive, __LA_MODE_T, archive_entry_perm, (E *e), (e))
LAZY(archive, la_int64_t, archive_entry_size, (E *e), (e))
LAZY(archive, int, archive_entry_size_is_set, (E *e), (e))
LAZYV(archive, archive_entry_copy_pathname, (E *e, const char *s), (e, s))
LAZYV(archive, archive_entry_copy_hardlink, (E *e, const char *s), (e, s))
LAZYV(archive, archive_entry_copy_symlink, (E *e, const char *s), (e, s))
LAZYV(archive, archive_entry_set_filetype, (E *e, unsigned int t), (e, t))
LAZYV(archive, archive_entry_set_mode, (E *e, __LA_MODE_T m), (e, m))
LAZYV(archive, archive_entry_set_perm, (E *e, __LA_MODE_T m), (e, m))
LAZYV(archive, archive_entry_set_uid, (E *e, la_int64_t id), (e, id))
LAZYV(archive, archive_entry_set_gid, (E *e, la_int64_t id), (e, id))
LAZYV(archive, archive_entry_set_ino, (E *e, la_int64_t i), (e, i))
LAZYV(archive, archive_entry_set_nlink, (E *e, unsigned int n), (e, n))
LAZYV(archive, archive_entry_set_size, (E *e, la_int64_t s), (e, s))
LAZYV(archive, archive_entry_set_mtime, (E *e, time_t t, long ns), (e, t, ns))
LAZYV(archive, archive_entry_set_dev, (E *e, dev_t d), (e, d))
LAZYV(archive, archive_entry_set_rdev, (E *e, dev_t d), (e, d))

/* Variadic: the message is formatted here and passed on whole. */
void(archive_set_error)(A *a, int err, const char *fmt, ...)
{
	static _Atomic(void *) sym;
	void (*fn)(A *, int, const char *, ...) = (void (*)(A *, int, const char *, ...))lib_sym(&archive, "archive_set_error", &sym);
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(a, err, "%s", msg);
}

/* libcurl */
LAZY(curl, CURLcode, curl_global_init, (long flags), (flags))
LAZYV(curl, curl_global_cleanup, (void), ())
LAZY(curl, CURL *, curl_easy_init, (void), ())
LAZYV(curl, curl_easy_cleanup, (CURL *h), (h))
LAZY(curl, const char *, curl_easy_strerror, (CURLcode c), (c))
LAZY(curl, CURLM *, curl_multi_init, (void), ())
LAZY(curl, CURLMcode, curl_multi_cleanup, (CURLM *m), (m))
LAZY(curl, CURLMcode, curl_multi_add_handle, (CURLM *m, CURL *h), (m, h))
LAZY(curl, CURLMcode, curl_multi_remove_handle, (CURLM *m, CURL *h), (m, h))
LAZY(curl, CURLMcode, curl_multi_perform, (CURLM *m, int *running), (m, running))
LAZY(curl, CURLMcode, curl_multi_poll, (CURLM *m, struct curl_waitfd fds[], unsigned int n, int ms, int *ret),
     (m, fds, n, ms, ret))
LAZY(curl, CURLMsg *, curl_multi_info_read, (CURLM *m, int *left), (m, left))
LAZY(curl, const char *, curl_multi_strerror, (CURLMcode c), (c))

/* The two variadic ones take one more argument, whose type the option's
 * number says (as libcurl itself reads it): long, a pointer (data or
 * callback: POSIX makes both the size of void *), or curl_off_t. */
CURLcode(curl_easy_setopt)(CURL *h, CURLoption opt, ...)
{
	static _Atomic(void *) sym;
	CURLcode (*fn)(CURL *, CURLoption, ...) = (CURLcode(*)(CURL *, CURLoption, ...))lib_sym(&curl, "curl_easy_setopt", &sym);
	va_list ap;
	va_start(ap, opt);
	CURLcode r;
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		r = fn(h, opt, va_arg(ap, long));
	else if (opt >= CURLOPTTYPE_OFF_T && opt < CURLOPTTYPE_BLOB)
		r = fn(h, opt, va_arg(ap, curl_off_t));
	else
		r = fn(h, opt, va_arg(ap, void *));
	va_end(ap);
	return r;
}

/* Every CURLINFO_ answer goes to a pointer. */
CURLcode(curl_easy_getinfo)(CURL *h, CURLINFO info, ...)
{
	static _Atomic(void *) sym;
	CURLcode (*fn)(CURL *, CURLINFO, ...) = (CURLcode(*)(CURL *, CURLINFO, ...))lib_sym(&curl, "curl_easy_getinfo", &sym);
	va_list ap;
	va_start(ap, info);
	CURLcode r = fn(h, info, va_arg(ap, void *));
	va_end(ap);
	return r;
}

/* libcrypto */
LAZY(crypto, EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())
LAZYV(crypto, EVP_MD_CTX_free, (EVP_MD_CTX *c), (c))
LAZY(crypto, const EVP_MD *, EVP_md5, (void), ())
LAZY(crypto, const EVP_MD *, EVP_sha256, (void), ())
LAZY(crypto, const EVP_MD *, EVP_sha512, (void), ())
LAZY(crypto, int, EVP_DigestInit_ex, (EVP_MD_CTX *c, const EVP_MD *t, ENGINE *e), (c, t, e))
LAZY(crypto, int, EVP_DigestUpdate, (EVP_MD_CTX *c, const void *d, size_t n), (c, d, n))
LAZY(crypto, int, EVP_DigestFinal_ex, (EVP_MD_CTX *c, unsigned char *md, unsigned int *n), (c, md, n))

/* libelf */
LAZY(elf, unsigned int, elf_version, (unsigned int v), (v))
LAZY(elf, Elf *, elf_begin, (int fd, Elf_Cmd cmd, Elf *ref), (fd, cmd, ref))
LAZY(elf, int, elf_end, (Elf *e), (e))
LAZY(elf, const char *, elf_errmsg, (int err), (err))
LAZY(elf, Elf_Kind, elf_kind, (Elf *e), (e))
LAZY(elf, char *, elf_rawfile, (Elf *e, size_t *n), (e, n))
LAZY(elf, int, elf_getphdrnum, (Elf *e, size_t *n), (e, n))
LAZY(elf, int, elf_getshdrstrndx, (Elf *e, size_t *n), (e, n))
LAZY(elf, Elf_Scn *, elf_nextscn, (Elf *e, Elf_Scn *s), (e, s))
LAZY(elf, size_t, elf_ndxscn, (Elf_Scn *s), (s))
LAZY(elf, Elf_Scn *, elf_getscn, (Elf *e, size_t i), (e, i))
LAZY(elf, Elf_Data *, elf_getdata, (Elf_Scn *s, Elf_Data *d), (s, d))
LAZY(elf, Elf_Data *, elf_rawdata, (Elf_Scn *s, Elf_Data *d), (s, d))
LAZY(elf, size_t, gelf_fsize, (Elf *e, Elf_Type t, size_t n, unsigned int v), (e, t, n, v))
LAZY(elf, char *, elf_strptr, (Elf *e, size_t i, size_t o), (e, i, o))
LAZY(elf, GElf_Ehdr *, gelf_getehdr, (Elf *e, GElf_Ehdr *d), (e, d))
LAZY(elf, GElf_Phdr *, gelf_getphdr, (Elf *e, int i, GElf_Phdr *d), (e, i, d))
LAZY(elf, GElf_Shdr *, gelf_getshdr, (Elf_Scn *s, GElf_Shdr *d), (s, d))
LAZY(elf, GElf_Dyn *, gelf_getdyn, (Elf_Data *data, int i, GElf_Dyn *d), (data, i, d))
LAZY(elf, GElf_Sym *, gelf_getsym, (Elf_Data *data, int i, GElf_Sym *d), (data, i, d))
LAZY(elf, size_t, gelf_getnote, (Elf_Data *data, size_t o, GElf_Nhdr *r, size_t *name, size_t *desc),
     (data, o, r, name, desc))
LAZY(elf, GElf_Verneed *, gelf_getverneed, (Elf_Data *data, int o, GElf_Verneed *d), (data, o, d))
LAZY(elf, GElf_Vernaux *, gelf_getvernaux, (Elf_Data *data, int o, GElf_Vernaux *d), (data, o, d))

/* capstone */
LAZY(capstone, cs_err, cs_open, (cs_arch arch, cs_mode mode, csh *h), (arch, mode, h))
LAZY(capstone, cs_err, cs_option, (csh h, cs_opt_type t, size_t v), (h, t, v))
LAZY(capstone, cs_err, cs_close, (csh *h), (h))
LAZY(capstone, cs_insn *, cs_malloc, (csh h), (h))
LAZYV(capstone, cs_free, (cs_insn *i, size_t n), (i, n))
LAZY(capstone, bool, cs_disasm_iter, (csh h, const uint8_t **code, size_t *size, uint64_t *addr, cs_insn *i),
     (h, code, size, addr, i))
