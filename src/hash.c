#include "hash.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

struct hasher {
	EVP_MD_CTX *ctx;
};

struct hasher *hasher_new(enum hash_algo algo)
{
	struct hasher *h = xmalloc(sizeof(*h));
	h->ctx = EVP_MD_CTX_new();
	const EVP_MD *md = algo == HASH_MD5 ? EVP_md5() : algo == HASH_SHA256 ? EVP_sha256() : EVP_sha512();
	if (!h->ctx || !EVP_DigestInit_ex(h->ctx, md, NULL)) {
		tcz_error("libcrypto: cannot initialise %s", hash_name(algo));
		exit(TCZ_EXIT_FAIL);
	}
	return h;
}

void hasher_update(struct hasher *h, const void *data, size_t len)
{
	/* EVP_DigestUpdate only fails on a broken context, which hasher_new
	 * already rules out. */
	(void)EVP_DigestUpdate(h->ctx, data, len);
}

void hasher_final_hex(struct hasher *h, char out[HASH_HEX_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	static const char hex[] = "0123456789abcdef";
	(void)EVP_DigestFinal_ex(h->ctx, md, &n);
	for (unsigned int i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * n] = '\0';
	hasher_free(h);
}

void hasher_free(struct hasher *h)
{
	if (h) {
		EVP_MD_CTX_free(h->ctx);
		free(h);
	}
}

int hash_file_hex(const char *path, enum hash_algo algo, char out[HASH_HEX_MAX])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		tcz_error("%s: %s", path, strerror(errno));
		return -1;
	}
	struct hasher *h = hasher_new(algo);
	static _Thread_local unsigned char buf[1 << 16];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tcz_error("%s: read: %s", path, strerror(errno));
			hasher_free(h);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		hasher_update(h, buf, (size_t)n);
	}
	close(fd);
	hasher_final_hex(h, out);
	return 0;
}

struct many {
	char *const *paths;
	size_t n;
	enum hash_algo algo;
	char (*out)[HASH_HEX_MAX];
	atomic_size_t next;
	atomic_int failed;
};

static void *hash_some(void *arg)
{
	struct many *m = arg;
	for (size_t i; (i = atomic_fetch_add(&m->next, 1)) < m->n;)
		if (hash_file_hex(m->paths[i], m->algo, m->out[i]))
			atomic_store(&m->failed, 1);
	return NULL;
}

/* A thread per core takes the next file until none is left (md5 runs at
 * 0.8 GB/s on one core: a mirror of 2,000 extensions is mostly that). A
 * thread that cannot be started leaves its share to the others. */
int hash_files_hex(char *const *paths, size_t n, enum hash_algo algo, char (*out)[HASH_HEX_MAX])
{
	struct many m = { .paths = paths, .n = n, .algo = algo, .out = out };
	atomic_init(&m.next, 0);
	atomic_init(&m.failed, 0);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t extra = cores > 1 ? (size_t)cores - 1 : 0;
	if (extra > 7)
		extra = 7;
	if (extra > n / 2)
		extra = n / 2;
	pthread_t threads[7];
	size_t started = 0;
	while (started < extra && pthread_create(&threads[started], NULL, hash_some, &m) == 0)
		started++;
	hash_some(&m);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	return atomic_load(&m.failed) ? -1 : 0;
}

size_t hash_hex_len(enum hash_algo algo)
{
	return algo == HASH_MD5 ? 32 : algo == HASH_SHA256 ? 64 : 128;
}

const char *hash_name(enum hash_algo algo)
{
	return algo == HASH_MD5 ? "md5" : algo == HASH_SHA256 ? "sha256" : "sha512";
}

int hash_hex_valid(const char *s, enum hash_algo algo)
{
	size_t n = hash_hex_len(algo);
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[n] == '\0';
}

void hash_hex_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}
