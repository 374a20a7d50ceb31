/*
 * The public routes that describe the service: GET / (name, versions,
 * endpoints) and GET /health (PostgreSQL and Redis reachable).
 */
#ifndef BOMD_API_SERVICE_H
#define BOMD_API_SERVICE_H

#include "api_route.h"

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_service_health, api_service_root;

#endif
