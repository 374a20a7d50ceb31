/*
 * The original service's setup routes: GET /admin/status (no key),
 * POST /admin/bootstrap and POST /admin/reset-demo (X-Admin-Key).
 */
#ifndef BOMD_API_BOOTSTRAP_H
#define BOMD_API_BOOTSTRAP_H

#include "api_route.h"

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_bootstrap_status, api_bootstrap_run,
    api_bootstrap_reset_demo;

#endif
