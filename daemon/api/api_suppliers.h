/*
 * Supplier knowledge routes: the tenant's suppliers, their type and trust.
 */
#ifndef BOMD_API_SUPPLIERS_H
#define BOMD_API_SUPPLIERS_H

#include "api_route.h"

struct api_knowledge_list;

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_suppliers_write, api_suppliers_get, api_suppliers_trust;
/* The tenant's suppliers, for api_knowledge_page(). */
extern const struct api_knowledge_list api_suppliers_list;

#endif
