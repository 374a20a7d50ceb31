/*
 * The live state of running jobs: the worker keeps a job's progress in
 * Redis until its commit (daemon/worker/progress.c), and the API reads it
 * to answer GET /projects/{id} and GET /jobs/{id} meanwhile.
 */
#ifndef BOMD_API_LIVE_H
#define BOMD_API_LIVE_H

#include <stddef.h>

#include <libpq-fe.h>

struct bom;

/*
 * The live project_id of client_id: its status, line status and lines
 * (JSON), each malloc'd (caller frees). The lines are not in Redis: the
 * job's BOM (from its stream entry, or stored with the project, read on
 * db) is parsed again, as the worker parsed it. 1 found, 0 none or Redis
 * down (the three are NULL then).
 */
int	api_live_project(PGconn *db, const char *client_id,
	    const char *project_id, char **status, char **line_status,
	    char **lines);
/* A parsed BOM's lines as a lines document, every line pending (malloc). */
char	*api_live_lines(const struct bom *bom);
/*
 * The project of client_id's running job job_id, into project_id (len
 * bytes). 1 found, 0 none or Redis down.
 */
int	api_live_job(const char *client_id, const char *job_id,
	    char *project_id, size_t len);

#endif
