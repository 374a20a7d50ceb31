/*
 * The assessment schema the LLM unit tests (test_llm_json, test_llm_http)
 * validate against and send as response_format: {"lines": [{line,
 * decision, confidence, reasons, risks?, urgent?}]}.
 */
#ifndef BOMD_FIXTURE_SCHEMA_H
#define BOMD_FIXTURE_SCHEMA_H

#include "llm_json.h"

extern const struct llm_schema fixture_schema;

/*
 * The same "lines" beside every other kind of node (an array of anything,
 * a bounded integer, an object, an array of objects), for the fuzzer
 * (fuzz_llm_json): {"lines": [...], "any"?: [...], "inner"?: {decision,
 * n?}, "inners"?: [{decision, n?}]}.
 */
extern const struct llm_schema fixture_schema_every;

#endif
