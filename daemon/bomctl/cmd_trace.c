/*
 * bomctl trace and watch: a project's processing trace, one line per step
 * with the time since the step before and the agent's reasoning under it
 * (as the original's "sourcing trace"), and the same live from the
 * project's event stream until its job is done.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "bomctl/bomctl.h"

#define TRACE_WSTEP	14	/* step column while watching */
#define TRACE_WAGENT	16	/* agent column while watching */

/* What trace lines are printed with, and the step before. */
struct trace_out {
	bool	reasoning;
	bool	timing;
	size_t	wstep;
	size_t	wagent;
	int64_t	prev_ms;	/* -1: no step yet */
	bool	done;		/* watch: the job ended */
	char	status[32];	/* watch: its final status */
};

/* Milliseconds since the epoch of an RFC 3339 UTC time; -1 if not one. */
static int64_t
trace_ms(const char *ts)
{
	struct tm tm;
	const char *frac;
	int64_t ms = 0, scale = 100;

	memset(&tm, 0, sizeof(tm));
	if (ts == NULL || sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	    &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((frac = strchr(ts, '.')) != NULL)
		for (frac++; *frac >= '0' && *frac <= '9' && scale > 0;
		    frac++, scale /= 10)
			ms += (*frac - '0') * scale;
	return (int64_t)timegm(&tm) * 1000 + ms;
}

/*
 * One step: timestamp, step, agent, message, "(+1.2s)" since the step
 * before; its reasoning indented under it.
 */
static void
trace_print(struct trace_out *t, const json_t *st)
{
	const char *reason = bomctl_str(st, "reasoning", "");
	int64_t ms = trace_ms(bomctl_str(st, "timestamp", NULL)), d;
	char line[1024];

	table_cell(bomctl_str(st, "timestamp", "-"), 27, false);
	table_cell(bomctl_str(st, "step", "-"), t->wstep, false);
	table_cell(bomctl_str(st, "agent", "-"), t->wagent, false);
	printf("%s", bomctl_str(st, "message", ""));
	if (t->timing && t->prev_ms >= 0 && ms >= 0) {
		d = ms > t->prev_ms ? ms - t->prev_ms : 0;
		if (d >= 1000)
			printf(" (+%.1fs)", (double)d / 1000);
		else
			printf(" (+%lldms)", (long long)d);
	}
	printf("\n");
	if (ms >= 0)
		t->prev_ms = ms;
	if (t->reasoning && *reason != '\0') {
		table_oneline(reason, SIZE_MAX, line, sizeof(line));
		printf("    \xe2\x94\x94\xe2\x94\x80 %s\n", line);
	}
}

/* trace PROJECT_ID [--no-reasoning] [--no-timing] */
int
cmd_trace(struct bomctl *ctl, int argc, char **argv)
{
	bool noreason = false, notime = false;
	const struct bomctl_opt opts[] = {
		{ "no-reasoning", NULL, &noreason },
		{ "no-timing", NULL, &notime },
		{ NULL, NULL, NULL }
	};
	struct trace_out t;
	const char *pos[1];
	char path[BOMCTL_MAX_URL];
	json_t *trace = NULL, *st;
	size_t i;
	int rc;

	if ((rc = bomctl_parse(ctl, "trace", argc, argv, opts, pos, 1, 1,
	    "a PROJECT_ID")) != BOMCTL_EXIT_OK ||
	    (rc = http_id_arg(ctl, "trace", "project id", "/projects/", pos[0],
	    "/trace", path, sizeof(path))) != BOMCTL_EXIT_OK ||
	    (rc = fetch_get(ctl, path, &trace)) != BOMCTL_EXIT_OK ||
	    trace == NULL)
		return rc;
	if (json_array_size(trace) == 0)
		printf("no trace steps yet\n");
	memset(&t, 0, sizeof(t));
	t.reasoning = !noreason;
	t.timing = !notime;
	t.wstep = table_width(trace, "step", 4, 16);
	t.wagent = table_width(trace, "agent", 5, 16);
	t.prev_ms = -1;
	json_array_foreach(trace, i, st)
		trace_print(&t, st);
	json_decref(trace);
	return rc;
}

/* One event of the watched stream. */
static void
trace_watch_event(const char *event, const json_t *data, void *arg)
{
	struct trace_out *t = arg;
	const char *status;

	if (strcmp(event, "trace") == 0)
		trace_print(t, data);
	else if (strcmp(event, "status") == 0 || strcmp(event, "done") == 0) {
		status = bomctl_str(data, "status", "?");
		if (strcmp(status, t->status) != 0)
			printf("-- status %s\n", status);
		snprintf(t->status, sizeof(t->status), "%s", status);
		t->done = strcmp(event, "done") == 0;
	}
	fflush(stdout);
}

/*
 * watch PROJECT_ID: the trace as it grows, from the project's event
 * stream, until the job is done. A failed job exits 1.
 */
int
cmd_watch(struct bomctl *ctl, int argc, char **argv)
{
	struct trace_out t;
	const char *pos[1];
	char path[BOMCTL_MAX_URL], why[512];
	json_t *proj = NULL;
	int rc;

	if ((rc = bomctl_parse(ctl, "watch", argc, argv, NULL, pos, 1, 1,
	    "a PROJECT_ID")) != BOMCTL_EXIT_OK ||
	    (rc = http_id_arg(ctl, "watch", "project id", "/projects/", pos[0],
	    "", path, sizeof(path))) != BOMCTL_EXIT_OK)
		return rc;
	/* the project exists and is the caller's: 404 now, not mid-stream */
	if ((rc = http_get(ctl, path, &proj)) != BOMCTL_EXIT_OK)
		return rc;
	if (strcmp(bomctl_str(proj, "status", ""), "created") == 0) {
		bomctl_err("watch %s: not being processed (status created); "
		    "start it with POST /projects/ID/process", pos[0]);
		json_decref(proj);
		return BOMCTL_EXIT_ERR;
	}
	json_decref(proj);
	memset(&t, 0, sizeof(t));
	t.reasoning = t.timing = true;
	t.wstep = TRACE_WSTEP;
	t.wagent = TRACE_WAGENT;
	t.prev_ms = -1;
	printf("watching %s (Ctrl-C stops)\n", pos[0]);
	if (events_watch(ctl, pos[0], trace_watch_event, &t, why,
	    sizeof(why)) == -1) {
		bomctl_err("watch %s: %s", pos[0], why);
		return BOMCTL_EXIT_ERR;
	}
	printf("%s\n", strcmp(t.status, "complete") == 0 ?
	    "processing complete" : "processing failed");
	return strcmp(t.status, "complete") == 0 ? BOMCTL_EXIT_OK :
	    BOMCTL_EXIT_ERR;
}
