/*
 * The per-agent decisions of a decided line, as the original service's
 * agents wrote them: engineering (lifecycle, compliance, ban, critical,
 * manufacturer checks), sourcing (chosen supplier, runner-up, exclusions,
 * single source), finance (need, order, breaks, buy-up, extended price,
 * budget effect) and the final decision that merges them, each
 * {agent_name, status, reasoning, output_data, references, timestamp},
 * from the sourcing engine's result. Pure.
 */
#ifndef BOMD_AGENTS_H
#define BOMD_AGENTS_H

#include <stdint.h>

#include <jansson.h>

#include "report.h"
#include "sourcing.h"

/* One line to write the decisions of; everything borrowed. */
struct agents_line {
	const char			*mpn;
	enum decision_status		 status;	/* the final one */
	const struct line_decision	*d;	/* decided with words */
	/* the stored final decision when it has its own words (an LLM
	 * reviewed it), else NULL: d's words stand */
	const json_t			*stored;
	const struct budget_check	*budget;	/* the project's */
	const char			*timestamp;	/* RFC 3339 */
};

/*
 * Sets engineering_decision, sourcing_decision, finance_decision and
 * final_decision of item (a line item object) from l. With an LLM's
 * assessment in the stored output_data ("llm"), each agent's reasoning
 * gains the model's note; the statuses and numbers stay the rules'.
 */
void	agents_decide(const struct agents_line *l, json_t *item);

#endif
