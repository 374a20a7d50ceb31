/*
 * The original service's tenant routes, /api-keys and /clients: a tenant
 * key sees its own client and keys; X-Admin-Key or scope admin sees all.
 */
#ifndef BOMD_API_TENANTS_H
#define BOMD_API_TENANTS_H

#include "api_route.h"

extern const struct api_route api_tenants_routes[];

#endif
