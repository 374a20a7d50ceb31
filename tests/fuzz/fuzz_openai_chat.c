/*
 * Fuzzes api_openai_parse(): the JSON body of POST /v1/chat/completions,
 * which any API key holder sends.
 */
#include <assert.h>
#include <string.h>

#include <jansson.h>

#include "api/api_openai.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_openai_chat chat;
	json_t *body;
	char err[256];
	unsigned int status;

	/* as api_json_body() reads it: an object, or a 400 before parsing */
	body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL);
	if (body == NULL || !json_is_object(body)) {
		json_decref(body);
		return 0;
	}
	memset(&chat, 0, sizeof(chat));
	buf_init(&chat.system);
	buf_init(&chat.question);
	buf_init(&chat.history);
	err[0] = '\0';
	status = api_openai_parse(body, &chat, err, sizeof(err));
	if (status != 0)
		assert(status == 422 && err[0] != '\0');
	else {
		assert(chat.model != NULL && chat.model[0] != '\0');
		assert(chat.temperature < 0 || chat.temperature <= 2);
		/* the question is the last user message with text */
		assert(chat.question.len > 0);
		assert(chat.history.len < 4000 + 1000 + 64);
	}
	buf_free(&chat.system);
	buf_free(&chat.question);
	buf_free(&chat.history);
	json_decref(body);
	return 0;
}
