/*
 * What jwt.c and jwks.c share: the two algorithms, a parsed key and a key
 * set, and the check on a "kid" member. Not for other modules.
 */
#ifndef BOMD_JWT_INTERNAL_H
#define BOMD_JWT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#define JWT_P256_COORD		32	/* bytes of an x or y, and of r or s */

enum jwt_alg {
	JWT_RS256,
	JWT_ES256
};

/* "RS256", "ES256", indexed by enum jwt_alg. */
extern const char *const jwt_alg_names[2];

struct jwk {
	char		*kid;		/* NULL: none */
	enum jwt_alg	 alg;
	EVP_PKEY	*pkey;
};

struct jwks {
	struct jwk	*keys;
	size_t		 n;
};

/* True when kid is a non-empty string of at most 256 bytes, no NULs. */
bool	jwt_kid_ok(const json_t *kid);

#endif
