/*
 * OpenAI-compatible routes: GET /v1/models, POST /v1/chat/completions.
 */
#ifndef BOMD_API_OPENAI_H
#define BOMD_API_OPENAI_H

#include "api_route.h"

extern const struct api_route api_openai_routes[];

#endif
