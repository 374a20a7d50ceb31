/*
 * Fuzzes intake_parse_yaml() (the uploaded intake file); a context it
 * makes must normalise to itself and read as a typed view.
 */
#include <assert.h>

#include <jansson.h>

#include "fuzz.h"
#include "fuzz_intake.h"
#include "intake.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *ctx, *warnings;
	char err[256];

	ctx = intake_parse_yaml((const char *)data, size, &warnings, err,
	    sizeof(err));
	if (ctx != NULL)
		fuzz_intake_check(ctx, warnings);
	else
		assert(warnings == NULL && err[0] != '\0');
	return 0;
}
