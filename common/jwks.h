/*
 * JSON Web Key Sets (RFC 7517) for JWT verification: the RS256 (RSA, 2048
 * bits or more) and ES256 (EC P-256) signature keys of an issuer.
 */
#ifndef BOMD_JWKS_H
#define BOMD_JWKS_H

#include <stddef.h>

struct jwks;

/*
 * Parses a JWK Set document ({"keys": [...]}). Keys that are not RSA or
 * EC P-256 signature keys, or whose "alg", "use" or "key_ops" say
 * otherwise, are skipped; RSA keys under 2048 bits too. Returns NULL with
 * the reason in err when no usable key remains. Free with jwks_free().
 */
struct jwks	*jwks_parse(const char *json, size_t len, char *err,
		    size_t errlen);
void		 jwks_free(struct jwks *keys);
/* The number of usable keys in the set. */
size_t		 jwks_count(const struct jwks *keys);

#endif
