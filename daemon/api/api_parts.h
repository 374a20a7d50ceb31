/*
 * Part knowledge routes: the tenant's parts, bans and approved alternates.
 */
#ifndef BOMD_API_PARTS_H
#define BOMD_API_PARTS_H

#include "api_route.h"

extern const struct api_route api_parts_routes[];

#endif
