/*
 * OpenAI-compatible routes: GET /v1/models, POST /v1/chat/completions.
 */
#ifndef BOMD_API_OPENAI_H
#define BOMD_API_OPENAI_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "api_route.h"
#include "util.h"

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_openai_models, api_openai_completions;

/* A chat completions request, as api_openai_parse() reads it. */
struct api_openai_chat {
	const char	*model;		/* borrowed from the body, or the
					   default */
	double		 temperature;	/* < 0: none given */
	bool		 stream;
	struct buf	 system;	/* the last system message */
	struct buf	 question;	/* the last user message */
	struct buf	 history;	/* earlier turns, bounded */
};

/*
 * Checks a POST /v1/chat/completions body and fills chat: the system
 * message, the question and the earlier turns go to its buffers, which the
 * caller has initialised and frees. Returns 0, or the HTTP status (422)
 * with the reason in err.
 */
unsigned int	api_openai_parse(const json_t *body,
		    struct api_openai_chat *chat, char *err, size_t errlen);

#endif
