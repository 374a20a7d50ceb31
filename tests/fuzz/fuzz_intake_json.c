/*
 * Fuzzes intake_from_json() (the job's "intake" object) and, with the
 * same object's string members as form fields, intake_from_form() (POST
 * /projects). A context either makes normalises to itself.
 */
#include <assert.h>
#include <stdlib.h>

#include <jansson.h>

#include "fuzz.h"
#include "fuzz_intake.h"
#include "intake.h"

/* A form field: the object's member when it is a string. */
static const char *
fuzz_intake_get(void *arg, const char *name)
{
	return json_string_value(json_object_get(arg, name));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in, *ctx, *warnings;
	char err[256];

	in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, NULL);
	if (in == NULL)
		return 0;
	if ((ctx = intake_from_json(in, &warnings, err, sizeof(err))) != NULL)
		fuzz_intake_check(ctx, warnings);
	else
		assert(warnings == NULL && err[0] != '\0');
	if (json_is_object(in)) {
		ctx = intake_from_form(fuzz_intake_get, in, &warnings, err,
		    sizeof(err));
		if (ctx != NULL)
			fuzz_intake_check(ctx, warnings);
		else
			assert(warnings == NULL && err[0] != '\0');
	}
	json_decref(in);
	return 0;
}
