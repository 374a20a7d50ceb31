/*
 * The DigiKey Product Information v4 offer source: KeywordSearch, one
 * MPN a request.
 * Its operations, for the table in provider.c.
 */
#ifndef BOMD_PROVIDER_DIGIKEY_H
#define BOMD_PROVIDER_DIGIKEY_H

#include "provider_internal.h"

extern const struct provider_ops provider_digikey_ops;

#endif
