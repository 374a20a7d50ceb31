/*
 * Admin routes: tenants (clients) and their API keys, behind X-Admin-Key.
 */
#ifndef BOMD_API_ADMIN_H
#define BOMD_API_ADMIN_H

#include <jansson.h>

#include "api_route.h"

extern const struct api_route api_admin_routes[];

/*
 * Answers the outcome rc of an admin.c call: status with out (taken over)
 * on ADMIN_OK, else the error err names (400, 404, 409 or 503).
 */
enum MHD_Result	api_admin_answer(struct MHD_Connection *c, int rc,
		    const char *err, unsigned int status, json_t *out);

#endif
