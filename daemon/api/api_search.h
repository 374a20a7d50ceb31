/*
 * Live part search routes: POST /search/parts and GET /search/providers.
 */
#ifndef BOMD_API_SEARCH_H
#define BOMD_API_SEARCH_H

#include "api_route.h"

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_search_parts, api_search_providers;

#endif
