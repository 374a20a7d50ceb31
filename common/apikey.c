/*
 * API key generation and hashing with OpenSSL: random bytes from the OS,
 * SHA-256 digests, constant-time comparison.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "apikey.h"
#include "base64.h"
#include "util.h"

#define APIKEY_RAW_LEN	32	/* random bytes in a key */

int
apikey_generate(char *key, char *prefix, unsigned char *hash)
{
	unsigned char raw[APIKEY_RAW_LEN];

	if (random_bytes(raw, sizeof(raw)) == -1)
		return -1;
	memcpy(key, "bk_", 3);
	hex_encode(raw, sizeof(raw), key + 3);
	return apikey_digest(key, prefix, hash);
}

int
apikey_generate_original(char *key, char *prefix, unsigned char *hash)
{
	unsigned char raw[APIKEY_RAW_LEN];
	char *token;

	if (random_bytes(raw, sizeof(raw)) == -1)
		return -1;
	token = base64url_encode(raw, sizeof(raw));
	snprintf(key, APIKEY_LEN + 1, "%s%s", APIKEY_ORIGINAL_PREFIX, token);
	free(token);
	return apikey_digest(key, prefix, hash);
}

/* An original key: its prefix and 16 to 128 URL-safe base64 characters. */
static bool
apikey_original(const char *key)
{
	size_t i, n = strlen(APIKEY_ORIGINAL_PREFIX), len = strlen(key);

	if (len < n + 16 || len > n + 128 ||
	    strncmp(key, APIKEY_ORIGINAL_PREFIX, n) != 0)
		return false;
	for (i = n; i < len; i++)
		if (!isalnum((unsigned char)key[i]) && key[i] != '-' &&
		    key[i] != '_')
			return false;
	return true;
}

int
apikey_digest(const char *key, char *prefix, unsigned char *hash)
{
	size_t i;

	if (apikey_original(key)) {
		snprintf(prefix, APIKEY_PREFIX_LEN + 1, "%s",
		    APIKEY_ORIGINAL_PREFIX);
		SHA256((const unsigned char *)key, strlen(key), hash);
		return 0;
	}
	if (strlen(key) != APIKEY_LEN || strncmp(key, "bk_", 3) != 0)
		return -1;
	for (i = 3; i < APIKEY_LEN; i++)
		if (!isxdigit((unsigned char)key[i]))
			return -1;
	memcpy(prefix, key, APIKEY_PREFIX_LEN);
	prefix[APIKEY_PREFIX_LEN] = '\0';
	SHA256((const unsigned char *)key, APIKEY_LEN, hash);
	return 0;
}

bool
apikey_hash_equal(const unsigned char *a, const unsigned char *b)
{
	return CRYPTO_memcmp(a, b, APIKEY_HASH_LEN) == 0;
}
