/*
 * Admin routes: tenants (clients) and their API keys, behind X-Admin-Key.
 */
#ifndef BOMD_API_ADMIN_H
#define BOMD_API_ADMIN_H

#include "api_route.h"

extern const struct api_route api_admin_routes[];

#endif
