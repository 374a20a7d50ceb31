/*
 * Fuzzes intake_parse_yaml() (the uploaded intake file), then checks that
 * the normalised context normalises to itself and reads as a typed view.
 */
#include <assert.h>
#include <stdlib.h>

#include <jansson.h>

#include "fuzz.h"
#include "intake.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct intake_view v;
	json_t *ctx, *again, *warnings;
	char err[256];

	ctx = intake_parse_yaml((const char *)data, size, &warnings, err,
	    sizeof(err));
	if (ctx == NULL) {
		assert(warnings == NULL && err[0] != '\0');
		return 0;
	}
	assert(json_is_array(warnings));
	json_decref(warnings);
	/* "Normalising a normalised context again gives the same object." */
	again = intake_from_json(ctx, NULL, err, sizeof(err));
	assert(again != NULL);
	assert(json_equal(ctx, again));
	json_decref(again);
	assert(intake_view_get(ctx, &v) == 0);
	assert(v.quantity >= 1);
	intake_view_free(&v);
	json_decref(ctx);
	return 0;
}
