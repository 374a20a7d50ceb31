/*
 * Limits the API process keeps in memory: failed authentications per
 * client address (past a budget the address is refused before any work),
 * and concurrent event streams, job waits and chats per client.
 */
#ifndef BOMD_API_LIMIT_H
#define BOMD_API_LIMIT_H

#include <stdint.h>

#include <microhttpd.h>

struct api_request;

/* What a client holds while it lasts. */
enum api_limit_kind {
	API_LIMIT_STREAM,	/* GET /projects/{id}/events */
	API_LIMIT_WAIT,		/* a synchronous wait for a job */
	API_LIMIT_CHAT,		/* POST /v1/chat/completions */
	API_LIMIT_NKINDS
};

/*
 * 0 when c's address may try to authenticate; -1 after answering 429
 * (with Retry-After) in *ret when it failed auth_fail_limit times within
 * the last minute.
 */
int	api_limit_auth_check(struct MHD_Connection *c, enum MHD_Result *ret);
/* Counts a failed authentication against c's address. */
void	api_limit_auth_failed(struct MHD_Connection *c);

/*
 * Takes one of kind for r's client: 0 (r holds it until
 * api_limit_release()), or -1 after answering 429 in *ret when the client
 * holds its limit of them already.
 */
int	api_limit_take(struct MHD_Connection *c, struct api_request *r,
	    enum api_limit_kind kind, enum MHD_Result *ret);
/* Gives back whatever r holds; harmless when it holds nothing. */
void	api_limit_release(struct api_request *r);

#endif
