/*
 * Fuzzes what an LLM server answers to a chat completions request: the
 * body read as llm_http.c reads it (usage, choices[0], or the error and
 * what it says the model rejects), the answer checked against the LLM
 * review's schema, and the re-ask turns made from an invalid one.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "assess.h"
#include "fuzz.h"
#include "llm_chat.h"

/* A 2xx body: an answer with choices[0].message. */
static void
fuzz_llm_chat_answer(const json_t *body)
{
	struct llm_chat_answer a;
	struct buf errs;
	json_t *v, *turns = NULL;
	int64_t prompt = 0, completion = 0;

	llm_chat_usage(body, &prompt, &completion);
	assert(prompt >= 0 && prompt < INT32_MAX &&
	    completion >= 0 && completion < INT32_MAX);
	if (llm_chat_answer(body, &a) == -1)
		return;
	buf_init(&errs);
	if ((v = llm_chat_check(a.content, a.len, assess_schema(),
	    &errs)) != NULL) {
		assert(json_is_object(v) && errs.len == 0);
		json_decref(v);
	} else {
		assert(errs.len > 0);
		llm_chat_reask(&turns, a.content, errs.data);
		assert(json_array_size(turns) == 2);
		json_decref(turns);
	}
	buf_free(&errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct llm_chat_error e;
	json_t *body;

	body = json_loadb((const char *)data, size, 0, NULL);
	if (json_is_object(body))
		fuzz_llm_chat_answer(body);
	/* any other status: the error body, which may be no JSON at all */
	llm_chat_error(body, &e);
	(void)llm_chat_rejects(&e);
	json_decref(body);
	return 0;
}
