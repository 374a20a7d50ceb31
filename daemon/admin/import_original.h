/*
 * bomd import original-keys: the original service's clients and API keys
 * (as their SHA-256 hashes) copied into bomd's tables.
 */
#ifndef BOMD_IMPORT_ORIGINAL_H
#define BOMD_IMPORT_ORIGINAL_H

#include <stddef.h>

#include <jansson.h>
#include <libpq-fe.h>

/*
 * Reads the clients and api_keys tables of the PostgreSQL at dsn and
 * writes them into dst in one transaction: *out {"clients", "keys",
 * "skipped": [why, ...]} (caller json_decref()s it). 0, or -1 with err
 * and nothing written.
 */
int	import_original_keys(PGconn *dst, const char *dsn, json_t **out,
	    char *err, size_t errlen);

#endif
