/*
 * Tenant and key management shared by the command line and the admin
 * HTTP routes.
 */
#ifndef BOMD_ADMIN_H
#define BOMD_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "util.h"

/*
 * What the functions below return: ADMIN_OK, or a failure with one line
 * in err. On success *out (where there is one) is the caller's to decref.
 */
enum admin_err {
	ADMIN_OK = 0,
	ADMIN_BAD_INPUT = -1,	/* err says which field */
	ADMIN_NOT_FOUND = -2,
	ADMIN_CONFLICT = -3,
	ADMIN_DB = -4
};

/* A client to create: a name, the rest optional (NULL: none). */
struct admin_client {
	const char	*name;
	const char	*slug;		/* NULL: made from the name */
	const char	*wallet;	/* "0x" and 40 hex digits */
	const char	*oidc_issuer;	/* its JWTs' iss; with the audience */
	const char	*oidc_audience;
	bool		 loopback_http;	/* tests: http:// issuers on loopback */
};

/*
 * Inserts the client spec describes, without keys; its new id goes to id.
 * An OIDC issuer must pass oidc_issuer_valid() and come with its
 * audience. In the caller's transaction, if any.
 */
int	admin_client_insert(PGconn *c, const struct admin_client *spec,
	    char id[UUID_BUFSZ], char *err, size_t errlen);
/*
 * Creates the client spec describes and its first API key, of scope all:
 * *out {"client_id", "api_key", "key_id", "name", "slug"}.
 */
int	admin_client_create(PGconn *c, const struct admin_client *spec,
	    json_t **out, char *err, size_t errlen);
/*
 * Creates a key (name NULL: "default") for an existing client with scopes
 * (words scope_set_parse() reads; NULL: "all"): *out
 * {"key_id", "api_key"}.
 */
int	admin_key_create(PGconn *c, const char *client_id, const char *name,
	    const char *scopes, json_t **out, char *err, size_t errlen);
/*
 * Creates the project token of an x402 payment: a key in the original's
 * format ("pbom_sk_...") with the one scope project:<project_id>, into
 * key (APIKEY_LEN + 1 bytes) and key_id. In the caller's transaction, if
 * any.
 */
int	admin_project_token(PGconn *c, const char *client_id,
	    const char *project_id, char *key, char key_id[UUID_BUFSZ],
	    char *err, size_t errlen);
/*
 * Tells every API process that keys or clients changed (bumps the auth
 * generation in Redis at redis_url), so a revoked key stops working at
 * once. 0, or -1 with err: the processes then notice within 2 s.
 */
int	admin_auth_changed(const char *redis_url, char *err, size_t errlen);
/* Revokes a key; revoking it again is not an error. */
int	admin_key_revoke(PGconn *c, const char *key_id, char *err,
	    size_t errlen);

#endif
