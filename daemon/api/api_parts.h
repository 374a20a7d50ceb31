/*
 * Part knowledge routes: the tenant's parts, bans and approved alternates.
 */
#ifndef BOMD_API_PARTS_H
#define BOMD_API_PARTS_H

#include <stddef.h>

#include "api_route.h"

struct api_knowledge_list;

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_parts_route_part, api_parts_route_ban,
    api_parts_route_unban, api_parts_route_alts_get, api_parts_route_alts_add;
/* The tenant's parts, for api_knowledge_page(). */
extern const struct api_knowledge_list api_parts_list;

/*
 * The MPN of a part route from its captures m: args[0], or args[0] "/"
 * args[1] when there are two, for MPNs such as LM1117IMPX-3.3/NOPB sent
 * with a plain "/" (which splits the segment; an encoded one stays in its
 * segment and in args[0]), written into mpn
 * (len bytes). 0, or -1 when it does not fit. The route then checks it as
 * an identifier (api_knowledge_check_id()).
 */
int	api_parts_mpn(const struct api_route_match *m, char *mpn,
	    size_t len);

#endif
