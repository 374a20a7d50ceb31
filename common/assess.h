/*
 * LLM review of decided BOM lines: the answer's schema, the prompt, and the
 * policy that merges an answer into the rule engine's decisions. The LLM may
 * escalate an approved line or add notes; it never approves a rejected or
 * escalated line and never touches a quantity, price or supplier. Pure.
 */
#ifndef BOMD_ASSESS_H
#define BOMD_ASSESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "llm_json.h"

struct bom;
struct intake_view;
struct line_decision;

#define ASSESS_MAX_ITEMS	100	/* lines an answer may carry */
#define ASSESS_MAX_REASONS	10	/* reasons, risks kept per line */
#define ASSESS_MAX_TEXT		500	/* bytes kept per text */

/* What assess_merge() did with one answer. */
struct assess_stats {
	size_t	applied;	/* lines that got an assessment */
	size_t	escalated;	/* approved lines the LLM escalated */
	size_t	ignored;	/* outside the batch or repeated */
};

/*
 * The answer's schema: {"lines": [{line, decision, confidence, reasons,
 * risks, engineering_note, sourcing_note, finance_note}]}. Static.
 */
const struct llm_schema *assess_schema(void);

/* The system prompt (static): the reviewer's role and the policy. */
const char *assess_system_prompt(void);

/*
 * The user prompt for lines [first, first + count) of bom: the project's
 * context and, per line, its number (1-based, as in the answer), MPN,
 * quantities and the rule engine's decision with its numbers. No ids, keys
 * or other secrets. Caller frees with free(); NULL on bad arguments.
 */
char	*assess_prompt(const struct intake_view *v, const struct bom *bom,
	    const struct line_decision *d, size_t first, size_t count);

/*
 * Merges answer (validated against assess_schema()) into d[first ..
 * first + count), d holding n decisions. Per answered line the assessment is
 * stored as output_data.llm; an approved line the LLM did not approve
 * becomes escalated, with the LLM's reasons appended to its reasoning.
 * Lines outside the batch or answered twice are ignored (counted in st).
 * Returns 0, or -1 on bad arguments (nothing changed).
 */
int	assess_merge(struct line_decision *d, size_t n, size_t first,
	    size_t count, const json_t *answer, struct assess_stats *st);

/*
 * Whether assess_merge() can use an item of an answer for lines [first,
 * first + count): a line number in the batch and a known decision (a
 * repeated line is known only to the merge).
 */
bool	assess_item_usable(const json_t *item, size_t first, size_t count);

/*
 * Counts the decisions by status (counts[DECISION_*]) and sums the extended
 * price of the approved ones into *approved_micros. 0, or -1 on overflow.
 */
int	assess_count(const struct line_decision *d, size_t n,
	    int64_t counts[3], int64_t *approved_micros);

#endif
