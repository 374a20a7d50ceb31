/*
 * The Nexar supply GraphQL offer source: supMultiMatch, up to 20 MPNs a
 * request.
 * Its operations, for the table in provider.c.
 */
#ifndef BOMD_PROVIDER_NEXAR_H
#define BOMD_PROVIDER_NEXAR_H

#include "provider_internal.h"

extern const struct provider_ops provider_nexar_ops;

#endif
