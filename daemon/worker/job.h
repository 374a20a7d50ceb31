/*
 * One job as the worker sees it: the queue entry, the parsed request, the
 * parsed BOM and context, the decisions and the trace, and the reason when
 * it fails.
 */
#ifndef BOMD_JOB_H
#define BOMD_JOB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "log.h"
#include "util.h"

struct bom;
struct line_decision;
struct queue_entry;

enum stage_rc {
	STAGE_OK = 0,
	STAGE_RETRY = 1,	/* transient: leave the entry pending */
	STAGE_FAIL = 2		/* permanent: the job fails with job->error */
};

/* How a job of a batch ends. */
enum job_outcome {
	JOB_RUNNING = 0,	/* still in the flow */
	JOB_COMPLETE,		/* commit it complete */
	JOB_FAILED,		/* commit it failed (job->error) */
	JOB_DEAD,		/* commit it dead, then to bomd:dead */
	JOB_RETRY,		/* transient: to the retry set, nothing written */
	JOB_REJECTED,		/* names no usable client: rejected_jobs */
	JOB_HANDLED		/* already moved or acknowledged */
};

struct job {
	char			 stream_id[32];
	char			 client_id[UUID_BUFSZ];
	char			 job_id[129];
	char			 project_id[UUID_BUFSZ];
	bool			 reprocess;	/* the job named a project */
	char			*bom_csv;	/* owned */
	char			*bom_filename;	/* owned, may be NULL */
	char			*project_name;	/* owned, may be NULL */
	json_t			*intake;	/* request's intake: from req or own */
	json_t			*req;		/* the parsed job field, or NULL */
	json_t			*own_intake;	/* intake parsed alone (no req) */
	const char		*req_text;	/* the job field, borrowed */
	size_t			 req_len;
	const char		*intake_text;	/* intake's JSON in req_text, */
	size_t			 intake_len;	/* when scanned (job_parse) */
	char			*context_text;	/* context as stored, or NULL */
	json_t			*context;	/* normalised project context */
	struct bom		*bom;
	struct line_decision	*decisions;	/* one per bom line */
	size_t			 ndecisions;
	/*
	 * Each decision's output_data as stored, once the checkpoint wrote
	 * it (the trees are freed then), or NULL: [ndecisions].
	 */
	char			**od_text;
	/*
	 * Once decided: od_text packed (job_od_pack()), od_text then NULL;
	 * job_od_unpack() before anything changes them, job_od_peek() for
	 * a read-only copy beside them (the LLM review's 64 jobs are some
	 * 100 KB of text each).
	 */
	unsigned char		 *od_z;
	size_t			  od_zlen, od_rawlen;
	json_t			*totals;
	json_t			*warnings;	/* project-level warnings */
	/* the steps as jansson dumps them, comma-separated, no brackets
	 * (written straight: building, dumping and freeing the objects
	 * was a tenth of a job) */
	struct buf		 trace;
	json_t			*llm_calls;	/* llm_calls rows, or NULL */
	char			*basis;		/* decided quietly: basis.h */
	json_t			*sets;		/* offer sets the basis names,
						 * not known stored: hash → text */
	int			 attempts;	/* this try's number, from 1 */
	bool			 checkpointed;	/* a checkpoint row exists */
	const struct queue_entry *entry;	/* borrowed from the batch */
	enum job_outcome	 outcome;
	bool			 dup;		/* was final already: ack only */
	int64_t			 started_ms;	/* wall clock */
	char			 error[512];
};

struct job	*job_new(const char *stream_id);
void		 job_free(struct job *job);
/*
 * Packs job->od_text (the decided lines' output_data as stored) with
 * zlib while the job waits on the LLM: JSON of like lines is a fifth of
 * the memory so. A job without od_text stays as it is. 0, or -1 (then
 * od_text stays as it was).
 */
int		 job_od_pack(struct job *job);
/* Back to job->od_text; nothing when not packed. 0, or -1 (corrupt). */
int		 job_od_unpack(struct job *job);
/*
 * job->od_text read from the packed texts, which stay packed: a copy for
 * readers (checkpoint, commit) that need one job's texts at a time, and
 * must not change them. Nothing when not packed or already read. 0, or
 * -1 (corrupt). job_od_unpeek() (or job_od_pack()) frees the copy.
 */
int		 job_od_peek(struct job *job);
void		 job_od_unpeek(struct job *job);
/*
 * Parses the job field (JSON, at most QUEUE_MAX_JOB bytes), which must
 * outlive the job (job->req_text). The common shape is scanned directly
 * (job->req stays NULL); anything else goes through jansson, with the
 * same results. Returns 0, or -1 with job->error set; such a job can
 * never succeed.
 */
int		 job_parse(struct job *job, const char *text, size_t len);
/* The same through jansson only: for tests comparing the two. */
int		 job_parse_jansson(struct job *job, const char *text,
		    size_t len);
/* The job field as JSON (a new reference), or NULL when unparsable. */
json_t		*job_request(const struct job *job);
/* Sets job->error (printf style). */
void		 job_seterr(struct job *job, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Appends a trace step; refs may be NULL (taken over otherwise). */
void		 job_trace(struct job *job, const char *step, const char *agent,
		    json_t *refs, const char *reasoning, const char *fmt, ...)
		    __attribute__((format(printf, 6, 7)));

/*
 * Appends the one step that stands for the decisions of the job's n
 * lines; whoever reads the trace writes it out as a step per line (line,
 * MPN, status, the line's reasoning), so the words are not stored twice.
 */
void		 job_trace_lines(struct job *job, const char *step,
		    const char *agent, size_t n);
/* Appends the trace, a JSON array, to out. */
void		 job_trace_text(const struct job *job, struct buf *out);
/* Replaces the trace with the steps of the array t (a checkpoint's). */
void		 job_trace_set(struct job *job, const json_t *t);

/* A line at level that names the job and its tenant. */
void	log_job(enum log_level level, const struct job *job, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));
#define log_job_warnx(job, ...)	log_job(LOG_LEVEL_WARN, (job), __VA_ARGS__)
#define log_job_info(job, ...)	log_job(LOG_LEVEL_INFO, (job), __VA_ARGS__)

#endif
