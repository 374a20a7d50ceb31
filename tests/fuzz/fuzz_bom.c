/*
 * Fuzzes bom_parse() (the uploaded BOM CSV) under several limit settings:
 * the first byte of the input picks the limits, the rest is the file.
 */
#include <assert.h>
#include <string.h>

#include "bom.h"
#include "fuzz.h"

static const struct bom_limits fuzz_bom_limits[] = {
	{ BOM_MAX_BYTES, BOM_MAX_LINES, BOM_MAX_FIELD },	/* production */
	{ 64, 2, 8 },						/* tiny */
	{ 4096, 3, 16 },
	{ 1024, 1, 0 },						/* no field */
	{ 0, 0, 0 },						/* nothing */
};
#define FUZZ_BOM_NLIMITS (sizeof(fuzz_bom_limits) / sizeof(fuzz_bom_limits[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct bom_limits *lim = NULL;
	struct bom *bom;
	char err[256];
	size_t i, k;

	if (size > 0) {
		/* 0 and every value past the table: NULL (the defaults) */
		if (data[0] < FUZZ_BOM_NLIMITS)
			lim = &fuzz_bom_limits[data[0]];
		data++;
		size--;
	}
	bom = bom_parse((const char *)data, size, lim, err, sizeof(err));
	if (bom == NULL) {
		assert(memchr(err, '\0', sizeof(err)) != NULL &&
		    err[0] != '\0');
		return 0;
	}
	/* what the header promises of a parsed BOM */
	assert(bom->nlines > 0);
	assert(lim == NULL || bom->nlines <= lim->max_lines);
	for (i = 0; i < bom->nlines; i++) {
		const struct bom_line *bl = &bom->lines[i];

		assert(bl->quantity >= 1);
		assert(bl->mpn != NULL && bl->mpn[0] != '\0');
		assert(bl->manufacturer != NULL && bl->description != NULL &&
		    bl->package != NULL && bl->value != NULL &&
		    bl->designator_text != NULL);
		assert(bl->ndesignators <= BOM_MAX_DESIGNATORS);
		for (k = 0; k < bl->ndesignators; k++)
			assert(bl->designators[k][0] != '\0');
	}
	for (i = 0; i < bom->nwarnings; i++)
		assert(bom->warnings[i] != NULL);
	bom_free(bom);
	return 0;
}
