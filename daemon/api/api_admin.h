/*
 * Admin routes: tenants (clients) and their API keys, behind X-Admin-Key.
 */
#ifndef BOMD_API_ADMIN_H
#define BOMD_API_ADMIN_H

#include <jansson.h>

#include "api_route.h"

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_admin_clients_create, api_admin_clients_list,
    api_admin_clients_get, api_admin_clients_deactivate,
    api_admin_clients_activate, api_admin_keys_create, api_admin_keys_list,
    api_admin_keys_revoke;

/*
 * Answers the outcome rc of an admin.c call: status with out (taken over)
 * on ADMIN_OK, else the error err names (400, 404, 409 or 503).
 */
enum MHD_Result	api_admin_answer(struct MHD_Connection *c, int rc,
		    const char *err, unsigned int status, json_t *out);

#endif
