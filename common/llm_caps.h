/*
 * What this process knows of models: the families known to reject sampling
 * parameters and max_tokens, and what servers taught it since (a rejected
 * parameter, the response_format rung a model needs).
 */
#ifndef BOMD_LLM_CAPS_H
#define BOMD_LLM_CAPS_H

/* response_format rungs, from the strictest down. */
#define LLM_LEVEL_SCHEMA	0	/* response_format json_schema */
#define LLM_LEVEL_OBJECT	1	/* response_format json_object */
#define LLM_LEVEL_TEXT		2	/* no response_format */

#define LLM_CAP_NO_TEMPERATURE	0x1	/* send no temperature */
#define LLM_CAP_MAX_COMPLETION	0x2	/* max_completion_tokens, not
					   max_tokens */

/* "json_schema", "json_object" or "text" (static). */
const char *llm_caps_level_name(int level);

/* LLM_CAP_* flags for model: the built-in ones and those learnt. */
unsigned llm_caps_flags(const char *model);
/* The rung learnt for model; LLM_LEVEL_SCHEMA when none. */
int	llm_caps_level(const char *model);
/*
 * Remembers flags and a lower rung for model; a model beyond the 64 the
 * table holds is not remembered.
 */
void	llm_caps_learn(const char *model, unsigned flags, int level);

/*
 * Forgets what servers taught this process about models (rejected
 * temperature, max_tokens, response_format). For tests and config reloads.
 */
void	llm_caps_reset(void);

#endif
