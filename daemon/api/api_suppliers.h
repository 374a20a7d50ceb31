/*
 * Supplier knowledge routes: the tenant's suppliers, their type and trust.
 */
#ifndef BOMD_API_SUPPLIERS_H
#define BOMD_API_SUPPLIERS_H

#include "api_route.h"

extern const struct api_route api_suppliers_routes[];

#endif
