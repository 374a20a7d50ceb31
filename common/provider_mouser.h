/*
 * The Mouser Search API v1 offer source: part-number search, up to 10
 * MPNs a request.
 * Its operations, for the table in provider.c.
 */
#ifndef BOMD_PROVIDER_MOUSER_H
#define BOMD_PROVIDER_MOUSER_H

#include "provider_internal.h"

extern const struct provider_ops provider_mouser_ops;

#endif
