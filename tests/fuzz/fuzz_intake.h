/*
 * What the intake harnesses check of a context they got: it normalises
 * to itself (intake.h promises it) and reads as a typed view.
 */
#ifndef BOMD_FUZZ_INTAKE_H
#define BOMD_FUZZ_INTAKE_H

#include <assert.h>

#include <jansson.h>

#include "intake.h"

/* Checks ctx and warnings, then drops both references. */
static inline void
fuzz_intake_check(json_t *ctx, json_t *warnings)
{
	struct intake_view v;
	json_t *again;
	char err[256];

	assert(json_is_array(warnings));
	json_decref(warnings);
	again = intake_from_json(ctx, NULL, err, sizeof(err));
	assert(again != NULL);
	assert(json_equal(ctx, again));
	json_decref(again);
	assert(intake_view_get(ctx, &v) == 0);
	assert(v.quantity >= 1);
	intake_view_free(&v);
	json_decref(ctx);
}

#endif
