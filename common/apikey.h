/*
 * API keys: 32 random bytes from the OS, shown once, stored as a SHA-256
 * hash beside a short prefix. Keys in the original service's format
 * ("pbom_sk_" and a URL-safe token: its imported keys, and the project
 * tokens x402 payments get) are accepted too; they all share the prefix
 * "pbom_sk_", so their hash finds them.
 */
#ifndef BOMD_APIKEY_H
#define BOMD_APIKEY_H

#include <stdbool.h>
#include <stddef.h>

#define APIKEY_LEN	67	/* "bk_" + 64 hex: the longest key made here */
#define APIKEY_PREFIX_LEN 11	/* "bk_" + 8 hex */
#define APIKEY_HASH_LEN	32
#define APIKEY_ORIGINAL_PREFIX "pbom_sk_"	/* the original service's */
/* The Redis counter bumped whenever a key or client stops working. */
#define APIKEY_GENERATION_KEY "bomd:auth:generation"

/*
 * Makes a new key: key (APIKEY_LEN + 1 bytes), its prefix
 * (APIKEY_PREFIX_LEN + 1) and hash (APIKEY_HASH_LEN). 0 or -1.
 */
int	apikey_generate(char *key, char *prefix, unsigned char *hash);
/*
 * The same in the original's format: "pbom_sk_" and 32 random bytes in
 * URL-safe base64 (51 characters). 0 or -1.
 */
int	apikey_generate_original(char *key, char *prefix,
	    unsigned char *hash);
/*
 * Prefix (APIKEY_PREFIX_LEN + 1 bytes) and hash of a presented key, bomd's
 * or the original's; -1 when it is shaped like neither.
 */
int	apikey_digest(const char *key, char *prefix, unsigned char *hash);
/* Constant-time comparison of two hashes. */
bool	apikey_hash_equal(const unsigned char *a, const unsigned char *b);

#endif
