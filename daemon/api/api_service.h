/*
 * The public routes that describe the service: GET / (name, versions,
 * endpoints) and GET /health (PostgreSQL and Redis reachable).
 */
#ifndef BOMD_API_SERVICE_H
#define BOMD_API_SERVICE_H

#include "api_route.h"

extern const struct api_route api_service_routes[];

#endif
