/*
 * API keys: 32 random bytes from the OS, shown once, stored as a SHA-256
 * hash beside a short prefix used for lookup.
 */
#ifndef BOMD_APIKEY_H
#define BOMD_APIKEY_H

#include <stdbool.h>
#include <stddef.h>

#define APIKEY_LEN	67	/* "bk_" + 64 hex */
#define APIKEY_PREFIX_LEN 11	/* "bk_" + 8 hex */
#define APIKEY_HASH_LEN	32

/*
 * Makes a new key: key (APIKEY_LEN + 1 bytes), its prefix
 * (APIKEY_PREFIX_LEN + 1) and hash (APIKEY_HASH_LEN). 0 or -1.
 */
int	apikey_generate(char *key, char *prefix, unsigned char *hash);
/* Prefix and hash of a presented key; -1 when it is not shaped like one. */
int	apikey_digest(const char *key, char *prefix, unsigned char *hash);
/* Constant-time comparison of two hashes. */
bool	apikey_hash_equal(const unsigned char *a, const unsigned char *b);

#endif
