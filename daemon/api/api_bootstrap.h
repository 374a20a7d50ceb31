/*
 * The original service's setup routes: GET /admin/status (no key),
 * POST /admin/bootstrap and POST /admin/reset-demo (X-Admin-Key).
 */
#ifndef BOMD_API_BOOTSTRAP_H
#define BOMD_API_BOOTSTRAP_H

#include "api_route.h"

extern const struct api_route api_bootstrap_routes[];

#endif
