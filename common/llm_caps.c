/*
 * The process-wide model table: built-in rules by model family, plus what
 * a server's 400 answers taught (kept until llm_caps_reset()).
 */
#include <stdbool.h>
#include <string.h>

#include "llm_caps.h"
#include "log.h"

#define LLM_CAPS_MAX		64
#define LLM_MODEL_MAX		128

struct llm_cap {
	char		model[LLM_MODEL_MAX];
	unsigned	flags;
	int		level;
};

/* Process-wide: what servers told us about models. */
static struct llm_cap	llm_caps[LLM_CAPS_MAX];
static size_t		llm_ncaps;

const char *
llm_caps_level_name(int level)
{
	switch (level) {
	case LLM_LEVEL_SCHEMA:
		return "json_schema";
	case LLM_LEVEL_OBJECT:
		return "json_object";
	default:
		return "text";
	}
}

/* "openai/gpt-5-nano" -> "gpt-5-nano": routers prefix the vendor. */
static const char *
llm_caps_model_base(const char *model)
{
	const char *p = strrchr(model, '/');

	return p != NULL ? p + 1 : model;
}

static bool
llm_caps_family(const char *m, const char *fam)
{
	size_t n = strlen(fam);

	return strncmp(m, fam, n) == 0 && (m[n] == '\0' || m[n] == '-');
}

/* Models known to reject sampling parameters and max_tokens. */
static unsigned
llm_caps_builtin(const char *model)
{
	const char *m = llm_caps_model_base(model);

	if (strncmp(m, "gpt-5", 5) == 0 || llm_caps_family(m, "o1") ||
	    llm_caps_family(m, "o3") || llm_caps_family(m, "o4") ||
	    llm_caps_family(m, "o4-mini"))
		return LLM_CAP_NO_TEMPERATURE | LLM_CAP_MAX_COMPLETION;
	return 0;
}

static struct llm_cap *
llm_caps_find(const char *model, bool create)
{
	size_t i;

	for (i = 0; i < llm_ncaps; i++)
		if (strcmp(llm_caps[i].model, model) == 0)
			return &llm_caps[i];
	if (!create || strlen(model) >= LLM_MODEL_MAX)
		return NULL;
	if (llm_ncaps == LLM_CAPS_MAX) {
		log_debug("llm: model table full, not remembering %s", model);
		return NULL;
	}
	i = llm_ncaps++;
	memset(&llm_caps[i], 0, sizeof(llm_caps[i]));
	strcpy(llm_caps[i].model, model);
	return &llm_caps[i];
}

void
llm_caps_reset(void)
{
	memset(llm_caps, 0, sizeof(llm_caps));
	llm_ncaps = 0;
}

unsigned
llm_caps_flags(const char *model)
{
	struct llm_cap *cap = llm_caps_find(model, false);

	return llm_caps_builtin(model) | (cap != NULL ? cap->flags : 0);
}

int
llm_caps_level(const char *model)
{
	struct llm_cap *cap = llm_caps_find(model, false);

	return cap != NULL ? cap->level : LLM_LEVEL_SCHEMA;
}

void
llm_caps_learn(const char *model, unsigned flags, int level)
{
	struct llm_cap *cap = llm_caps_find(model, true);

	if (cap == NULL)
		return;
	cap->flags |= flags;
	if (level > cap->level)
		cap->level = level;
}
