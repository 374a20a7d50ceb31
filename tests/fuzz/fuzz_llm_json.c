/*
 * Fuzzes what a model answers: llm_json_extract() on the reply text, then
 * llm_json_validate() against the LLM review's schema and against
 * fixture_schema_every, a schema with every kind of node that
 * tests/unit/fixture_schema.c keeps for this fuzzer alone, and
 * assess_merge() of a valid review into decisions.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "assess.h"
#include "fixture_schema.h"
#include "fuzz.h"
#include "llm_json.h"
#include "sourcing.h"

#define FUZZ_LLM_NDEC	4

/* Merges a valid review into decisions as the worker does. */
static void
fuzz_llm_merge(const json_t *answer)
{
	struct line_decision d[FUZZ_LLM_NDEC];
	struct assess_stats st;
	size_t i;

	memset(d, 0, sizeof(d));
	for (i = 0; i < FUZZ_LLM_NDEC; i++) {
		d[i].status = i % 2 ? DECISION_REJECTED : DECISION_APPROVED;
		d[i].reasoning = xstrdup(i == 0 ? "" : "cheapest in stock.");
		d[i].output_data = i == 3 ? json_null() :
		    json_pack("{s:[]}", "flags");
	}
	memset(&st, 0, sizeof(st));
	assert(assess_merge(d, FUZZ_LLM_NDEC, 1, 2, answer, &st) == 0);
	assert(st.applied <= 2);
	for (i = 0; i < FUZZ_LLM_NDEC; i++)
		line_decision_free(&d[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf errs;
	json_t *v;
	char err[256];
	int rc;

	v = llm_json_extract((const char *)data, size, err, sizeof(err));
	if (v == NULL) {
		assert(err[0] != '\0');
		return 0;
	}
	assert(json_is_object(v));
	buf_init(&errs);
	rc = llm_json_validate(v, assess_schema(), &errs);
	assert((rc == 0) == (errs.len == 0));
	if (rc == 0)
		fuzz_llm_merge(v);
	buf_free(&errs);	/* and empty again */
	rc = llm_json_validate(v, &fixture_schema_every, &errs);
	assert((rc == 0) == (errs.len == 0));
	buf_free(&errs);
	json_decref(v);
	return 0;
}
