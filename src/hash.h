/* Message digests through OpenSSL's libcrypto (EVP): Tiny Core's mirrors
 * publish md5, most upstream projects sha256, GNU projects sha512. */
#ifndef TCZ_HASH_H
#define TCZ_HASH_H

#include <stddef.h>

enum hash_algo { HASH_MD5, HASH_SHA256, HASH_SHA512 };

#define HASH_HEX_MAX 129 /* sha512: 128 hex digits and a NUL */

struct hasher;

struct hasher *hasher_new(enum hash_algo algo);
void hasher_update(struct hasher *h, const void *data, size_t len);
/* Lower-case hex digest into out; the hasher is freed. */
void hasher_final_hex(struct hasher *h, char out[HASH_HEX_MAX]);
void hasher_free(struct hasher *h);

/* Digest of a whole file; -1 with a message naming the file. */
int hash_file_hex(const char *path, enum hash_algo algo, char out[HASH_HEX_MAX]);
/* The digests of N files, out[i] of paths[i], on every core; -1 when any
 * failed, each failure with a message naming its file. */
int hash_files_hex(char *const *paths, size_t n, enum hash_algo algo, char (*out)[HASH_HEX_MAX]);

/* Number of hex digits of a digest (32, 64 or 128); its name ("md5"...). */
size_t hash_hex_len(enum hash_algo algo);
const char *hash_name(enum hash_algo algo);
/* 1 if s is exactly a digest of that algorithm in hex (either case). */
int hash_hex_valid(const char *s, enum hash_algo algo);
/* Lower-case a hex digest in place, the case hasher_final_hex writes. */
void hash_hex_lower(char *s);

#endif
