/*
 * The OpenAI chat completions format: the JSON body of one attempt, the
 * re-ask turns after an invalid answer, and what an answer or an error body
 * says. Pure: no I/O.
 */
#ifndef BOMD_LLM_CHAT_H
#define BOMD_LLM_CHAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "llm_http.h"
#include "util.h"

/* What one attempt sends besides the request itself. */
struct llm_chat_attempt {
	const char	*model;
	int		 level;		/* LLM_LEVEL_* */
	int		 max_tokens;
	unsigned	 flags;		/* LLM_CAP_* in force */
	json_t		*turns;		/* re-ask messages so far (borrowed),
					   or NULL */
	bool		 sent_temperature;	/* out */
	bool		 sent_max_completion;	/* out */
};

/* The message and fields of an OpenAI error body; NULL when absent. */
struct llm_chat_error {
	const char	*msg;
	const char	*type;
	const char	*param;
	const char	*code;
};

/* choices[0] of an answer body; strings borrowed from the body. */
struct llm_chat_answer {
	const char	*content;	/* NULL when none */
	size_t		 len;
	const char	*finish;	/* finish_reason, or NULL */
	const char	*refusal;	/* NULL or "" when none */
};

/* What a 400 says the model does not take (llm_chat_rejects()). */
#define LLM_CHAT_NO_TEMPERATURE	0x1
#define LLM_CHAT_NO_MAX_TOKENS	0x2
#define LLM_CHAT_NO_FORMAT	0x4	/* response_format or json_schema */

/*
 * The JSON body of one attempt at req: the system prompt (with the schema
 * spelt out in it below the json_schema rung), the user prompt, the re-ask
 * turns, the token budget, temperature and response_format as a->level and
 * a->flags allow; a->sent_* say what went in. Returns the text (caller
 * frees) or NULL.
 */
char	*llm_chat_body(const struct llm_request *req,
	    struct llm_chat_attempt *a);

/*
 * Appends to *turns (made when NULL; caller json_decref()s) the invalid
 * answer content (NULL for none) and a user turn listing errors, each cut
 * on a UTF-8 boundary to a bounded size.
 */
void	llm_chat_reask(json_t **turns, const char *content,
	    const char *errors);

/*
 * Adds the usage an answer body reports to *prompt and *completion
 * (nothing for missing or unlikely counts).
 */
void	llm_chat_usage(const json_t *body, int64_t *prompt,
	    int64_t *completion);

/* Fills a from an answer body; -1 when it has no choices[0].message. */
int	llm_chat_answer(const json_t *body, struct llm_chat_answer *a);

/*
 * Checks an answer's content against schema (NULL: any object). Returns
 * the object (caller json_decref()s), or NULL with the errors in errs,
 * one per line.
 */
json_t	*llm_chat_check(const char *content, size_t len,
	    const struct llm_schema *schema, struct buf *errs);

/* Fills e from an error body (strings borrowed from body). */
void	llm_chat_error(const json_t *body, struct llm_chat_error *e);
/* LLM_CHAT_NO_* bits for what e says the model does not take. */
unsigned llm_chat_rejects(const struct llm_chat_error *e);

#endif
