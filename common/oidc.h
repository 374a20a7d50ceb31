/*
 * OpenID Connect issuers' signing keys for JWT verification: discovery,
 * then the JWK Set, cached per issuer and shared by a process's request
 * threads, refetched on expiry or on an unknown kid, kept through outages.
 */
#ifndef BOMD_OIDC_H
#define BOMD_OIDC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jwt.h"

struct oidc;

struct oidc_config {
	int64_t	 ttl_s;		/* a key set is fresh this long: 600 */
	int64_t	 refetch_s;	/* fetches of one issuer at most this often,
				   so an unknown kid refetches once: 60 */
	int64_t	 stale_s;	/* past its TTL a set still serves while
				   fetches fail: 3600 */
	long	 connect_timeout_ms;	/* 3000 */
	long	 timeout_ms;	/* each of the two requests: 5000 */
	size_t	 max_bytes;	/* each answer: 256 KiB */
	bool	 loopback_http;	/* tests: http:// issuers on loopback; false */
};

/* Fills cfg with the defaults above. */
void		oidc_config_defaults(struct oidc_config *cfg);

/*
 * A cache of issuers' keys (cfg NULL: the defaults; copied). Make it
 * before the request threads start. Never NULL; free with oidc_free().
 */
struct oidc	*oidc_new(const struct oidc_config *cfg);
void		 oidc_free(struct oidc *o);

/*
 * Verifies jwt as issued by issuer for audience at now (Unix seconds),
 * with jwt_verify() and the issuer's keys. Keys are fetched when absent
 * or past their TTL, and once more for a kid they lack, one fetch per
 * issuer at a time (other threads wait for it) and at most one every
 * refetch_s. Discovery ({issuer}/.well-known/openid-configuration) must
 * name issuer byte for byte. Returns jwt_verify()'s result, or
 * JWT_UNAVAILABLE when there are no keys or they are stale_s past their
 * TTL, or JWT_INVALID for an issuer oidc_issuer_valid() refuses; the
 * reason is in err. Call only for an issuer a client configured.
 */
enum jwt_result	 oidc_verify(struct oidc *o, const struct jwt *jwt,
		    const char *issuer, const char *audience, int64_t now,
		    char *err, size_t errlen);

/*
 * True when issuer can be a client's OIDC issuer: an https:// URL without
 * query, fragment or blanks, up to 2048 bytes; with loopback_http (tests
 * only: the daemon never fetches plain http unless asked), also http://
 * to localhost, 127.0.0.1 or [::1]. Otherwise the reason is in err.
 */
bool		 oidc_issuer_valid(const char *issuer, bool loopback_http,
		    char *err, size_t errlen);

#endif
