/*
 * Supplier knowledge routes: the tenant's suppliers, their type and trust.
 */
#ifndef BOMD_API_SUPPLIERS_H
#define BOMD_API_SUPPLIERS_H

#include "api_route.h"

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_suppliers_list, api_suppliers_write, api_suppliers_get,
    api_suppliers_trust;

#endif
