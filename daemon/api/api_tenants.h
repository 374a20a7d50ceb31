/*
 * The original service's tenant routes, /api-keys and /clients: a tenant
 * key sees its own client and keys; X-Admin-Key or scope admin sees all.
 */
#ifndef BOMD_API_TENANTS_H
#define BOMD_API_TENANTS_H

#include "api_route.h"

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_tenants_keys_list, api_tenants_keys_create,
    api_tenants_clients_list, api_tenants_clients_create;

/*
 * api_tenants_row() serves a route of one statement on the row its
 * capture names; the route's arg is one of these: a key, a key revoked,
 * a client, a client deactivated.
 */
struct api_tenants_stmt;
api_route_fn	api_tenants_row;
extern const struct api_tenants_stmt api_tenants_key, api_tenants_key_revoke,
    api_tenants_client, api_tenants_client_deactivate;

#endif
