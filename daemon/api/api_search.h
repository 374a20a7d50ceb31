/*
 * Live part search routes: POST /search/parts and GET /search/providers.
 */
#ifndef BOMD_API_SEARCH_H
#define BOMD_API_SEARCH_H

#include "api_route.h"

extern const struct api_route api_search_routes[];

#endif
