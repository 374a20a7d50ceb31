/*
 * Waiting without a thread per waiter: a request that waits for its job
 * (upload-and-process, /process) or an event stream with nothing to send
 * is suspended, and one thread resumes it when its time comes.
 */
#ifndef BOMD_API_WAIT_H
#define BOMD_API_WAIT_H

#include <stdbool.h>

#include <microhttpd.h>

struct api_request;

/* Starts the thread that resumes waiters. 0, or -1 when it cannot. */
int		api_wait_init(void);
/* Stops the thread and resumes every waiter (they answer 202). */
void		api_wait_shutdown(void);

/*
 * Answers job_id of project_id: 202 at once when async, when sync_wait is
 * 0 or when too many requests already wait; otherwise suspends c until
 * the job is final (200 with its outcome) or sync_wait passes (202), or
 * r->wait_until_ms when that comes first. A paid request's answer goes
 * through api_x402_finish().
 */
enum MHD_Result	api_wait_job(struct MHD_Connection *c, struct api_request *r,
		    const char *project_id, const char *job_id, bool async);
/*
 * The access handler's call for a request in a job wait: MHD_YES while it
 * is suspended, the job's answer once resumed.
 */
enum MHD_Result	api_wait_resumed(struct MHD_Connection *c,
		    struct api_request *r);
/*
 * Suspends c for ms (an event stream with nothing to send). 0, or -1 when
 * too many requests already wait (c is not suspended then).
 */
int		api_wait_sleep(struct MHD_Connection *c, int ms);

#endif
