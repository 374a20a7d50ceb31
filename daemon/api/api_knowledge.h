/*
 * What the part and supplier knowledge routes share: checks of texts and
 * identifiers, request body members, notes and lists of strings.
 */
#ifndef BOMD_API_KNOWLEDGE_H
#define BOMD_API_KNOWLEDGE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <microhttpd.h>

#include "api_reply.h"
#include "api_route.h"

#define API_KNOWLEDGE_MAX_ID	64	/* a supplier id, a type, a level */
#define API_KNOWLEDGE_MAX_NAME	200	/* a name, a user */
#define API_KNOWLEDGE_MAX_TEXT	4096	/* notes, a reason */

/* The number of rows of a members table. */
#define API_NMEMBERS(m)	(sizeof(m) / sizeof((m)[0]))

struct api_request;

/* True when s is valid UTF-8 without control characters. */
bool		api_knowledge_text_ok(const char *s);
/*
 * Checks an identifier taken from the path (an MPN or a supplier id):
 * at most max bytes of text. 0, or -1 after answering 400 naming field.
 */
int		api_knowledge_check_id(struct MHD_Connection *c,
		    const char *field, const char *s, size_t max,
		    enum MHD_Result *ret);
/* A string member a route reads from its request body. */
struct api_knowledge_member {
	const char	 *key;
	size_t		  max;		/* bytes at most */
	bool		  required;
	const char	**out;		/* borrowed from the body, or NULL */
};

/*
 * The JSON body of r (an empty body is {} when optional) with the n string
 * members m lists read, in order. A body that is no object, a missing
 * required member or a wrong type is 422 (as the original's validation),
 * a text over max bytes or with a NUL is 400. The body (the members
 * borrow from it; caller decrefs), or NULL after answering in *ret.
 */
json_t		*api_knowledge_body(struct MHD_Connection *c,
		    const struct api_request *r, bool optional,
		    const struct api_knowledge_member *m, size_t n,
		    enum MHD_Result *ret);
/*
 * A list of the tenant's knowledge (its parts, its suppliers): the
 * statement, on $1 the caller's client and $2 ?limit, and each row's
 * answer.
 */
struct api_knowledge_list {
	const char	*sql;
	api_row_fn	 to_json;
};
/*
 * Route handler: answers a page of the list its route names in arg (an
 * api_knowledge_list), as api_reply_page() does.
 */
api_route_fn	api_knowledge_page;
/*
 * Notes stored as text, one a line, as the original's list of strings
 * (blank lines dropped). New reference.
 */
json_t		*api_knowledge_notes(const char *text);
/*
 * A stored JSON array (taken over; anything else is an empty list) as a
 * list of strings: strings kept, other values as their JSON text. New
 * reference.
 */
json_t		*api_knowledge_strings(json_t *v);

#endif
