/*
 * Who may call a route: the auth chain -- a Bearer JWT from the client's
 * own OIDC issuer, else an API key (X-API-Key or Bearer), each with its
 * scopes, then rate-limited -- and the admin key (X-Admin-Key) for /admin
 * routes. x402 payments, the third way in, are api_x402.c's.
 */
#ifndef BOMD_API_AUTH_H
#define BOMD_API_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include <microhttpd.h>

struct api_request;
struct config;

/* Makes the OIDC key cache; call before the request threads start. */
void	api_auth_init(const struct config *cfg);
/* Frees it, after the request threads stopped. */
void	api_auth_shutdown(void);

/* True when the request carries X-API-Key or Authorization. */
bool	api_auth_has_credentials(struct MHD_Connection *c);
/*
 * Authenticates r by its credentials and takes a rate-limit token: 0 with
 * r->client_id and r->scopes set, or -1 after answering in *ret (401
 * missing or invalid key or token, 429, 503 database or identity provider
 * unavailable).
 */
int	api_auth_caller(struct MHD_Connection *c, struct api_request *r,
	    enum MHD_Result *ret);
/*
 * Admits an admin request by X-Admin-Key: 0, or -1 after answering in
 * *ret (403 when admin_key is not set, 401 when it does not match).
 */
int	api_auth_admin(struct MHD_Connection *c, enum MHD_Result *ret);
/*
 * After a change that may stop keys working (a key revoked, a client
 * deactivated): forgets every cached key here and bumps the auth
 * generation in Redis, so that every API process asks the database again.
 */
void	api_auth_changed(void);
/* True when the key or token r authenticated with has scope. */
bool	api_auth_scope(const struct api_request *r, const char *scope);
/*
 * A key of scope admin acts on a project's routes as the client that
 * project belongs to (the original's admin reads and deletes any project):
 * 0 with r->client_id the owner's (unchanged for other callers and for an
 * id no project has), or -1 after answering 503 in *ret.
 */
int	api_auth_owner(struct MHD_Connection *c, struct api_request *r,
	    const char *project_id, enum MHD_Result *ret);

/*
 * The auth generation in Redis, which every revocation or deactivation
 * bumps (0 before any change); -1 when Redis cannot say.
 */
int64_t	api_auth_generation(void);
/* Constant-time comparison of two secrets: 1 when equal. */
int	api_auth_secret_equal(const char *a, const char *b);

#endif
