/*
 * The original service's tenant routes, /api-keys and /clients: a tenant
 * key sees its own client and keys; X-Admin-Key or scope admin sees all.
 */
#ifndef BOMD_API_TENANTS_H
#define BOMD_API_TENANTS_H

#include "api_route.h"

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_tenants_keys_list, api_tenants_keys_create,
    api_tenants_keys_get, api_tenants_keys_revoke, api_tenants_clients_list,
    api_tenants_clients_create, api_tenants_clients_get,
    api_tenants_clients_deactivate;

#endif
