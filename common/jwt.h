/*
 * JSON Web Tokens (RFC 7519) signed with RS256 or ES256 and checked
 * against a JSON Web Key Set: the algorithm comes from the key, never from
 * the token alone. Pure functions; the caller passes the time.
 */
#ifndef BOMD_JWT_H
#define BOMD_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JWT_LEEWAY_S	60	/* clock skew allowed on exp, nbf and iat */
#define JWT_MAX_LEN	16384	/* longer tokens are refused unread */

enum jwt_result {
	JWT_OK,
	JWT_INVALID,		/* refused: shape, signature or claims */
	JWT_NO_KEY,		/* no key in the set has the token's kid */
	JWT_UNAVAILABLE		/* the issuer's keys cannot be had (oidc.c) */
};

/* A parsed, not yet verified token. */
struct jwt;
/* A key set (jwks.h). */
struct jwks;

/* What a verified token must say, and the time to judge it at. */
struct jwt_expect {
	const char	*issuer;	/* iss equals it byte for byte */
	const char	*audience;	/* aud equals it or, a list, holds it */
	int64_t		 now;		/* Unix seconds */
};

/*
 * True when token looks like a JWT: three base64url segments (the last
 * may be empty), so it goes to the JWT provider and not to API keys.
 */
bool		 jwt_shaped(const char *token);

/*
 * Decodes token without verifying it: the header must name RS256 or
 * ES256 ("none", HS256 and any other algorithm are refused here) and
 * carry no "crit"; header and claims are JSON objects without duplicate
 * names. Returns NULL with the reason in err. Free with jwt_free().
 */
struct jwt	*jwt_parse(const char *token, char *err, size_t errlen);
void		 jwt_free(struct jwt *jwt);

/*
 * The unverified iss (to find the client whose issuer it names), kid,
 * sub and scope (space-separated) claims, or NULL when absent or not a
 * string. Borrowed from jwt. Trust sub and scope only after JWT_OK.
 */
const char	*jwt_issuer(const struct jwt *jwt);
const char	*jwt_kid(const struct jwt *jwt);
const char	*jwt_subject(const struct jwt *jwt);
const char	*jwt_scope(const struct jwt *jwt);

/*
 * Verifies jwt with the key of its kid in keys (with no kid, the set's
 * only key); the key's algorithm must be the token's. Then the claims:
 * iss, aud, exp (required), nbf and iat, with JWT_LEEWAY_S of skew, and
 * scope a string when present. Returns JWT_OK; JWT_NO_KEY when no key has
 * the kid (the caller may refetch the set once); JWT_INVALID otherwise,
 * with the reason in err.
 */
enum jwt_result	 jwt_verify(const struct jwt *jwt, const struct jwks *keys,
		    const struct jwt_expect *want, char *err, size_t errlen);

#endif
