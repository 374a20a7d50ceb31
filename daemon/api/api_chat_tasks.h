/*
 * The JSON tasks of /v1/chat/completions, as the original service chose
 * them from the system message: BOM analysis and sourcing strategies,
 * computed from the caller's message and data.
 */
#ifndef BOMD_API_CHAT_TASKS_H
#define BOMD_API_CHAT_TASKS_H

#include "util.h"

struct api_request;

/*
 * Appends to out the original's BOM analysis of the items in user (a
 * JSON list of {id, mpn, manufacturer, description, quantity}, or the BOM
 * as CSV) as JSON text: {analysis: [{bomItemId, query, isAmbiguous,
 * suggestedSearchTerms, notes}], overallNotes}. 0, or -1 when the
 * database is unavailable.
 */
int	api_chat_tasks_analysis(struct api_request *r, const char *user,
	    struct buf *out);
/*
 * Appends to out the original's strategies JSON {strategies: [{name,
 * description, selections {bomItemId: offerIndex}, reasoning}],
 * jointConsiderations}: computed over the offers sent with the items in
 * user, or from the stored decisions of the caller's project named in
 * user. 0, or -1 when the database is unavailable.
 */
int	api_chat_tasks_strategies(struct api_request *r, const char *user,
	    struct buf *out);

#endif
