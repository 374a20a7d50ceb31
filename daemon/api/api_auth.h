/*
 * Who may call a route: API keys (X-API-Key or Authorization: Bearer),
 * verified against PostgreSQL and cached briefly, then rate-limited; and
 * the admin key (X-Admin-Key) for /admin routes.
 */
#ifndef BOMD_API_AUTH_H
#define BOMD_API_AUTH_H

#include <microhttpd.h>

struct api_request;

/*
 * Authenticates r by its API key and takes a rate-limit token: 0 with
 * r->client_id set, or -1 after answering in *ret (401 missing or invalid
 * key, 429, 503 database unavailable).
 */
int	api_auth_key(struct MHD_Connection *c, struct api_request *r,
	    enum MHD_Result *ret);
/*
 * Admits an admin request by X-Admin-Key: 0, or -1 after answering in
 * *ret (403 when admin_key is not set, 401 when it does not match).
 */
int	api_auth_admin(struct MHD_Connection *c, enum MHD_Result *ret);
/* Forgets every cached key (after an admin change to keys or clients). */
void	api_auth_cache_flush(void);

#endif
