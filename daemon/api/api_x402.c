/*
 * x402 v1 on the API's payable routes; see api_x402.h. The facilitator
 * is asked only about a payment whose nonce this request reserved, and
 * is told to settle only after the job ran; its calls block the request's
 * thread for at most their timeouts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "admin/admin.h"
#include "api_db.h"
#include "api_internal.h"
#include "api_reply.h"
#include "api_request.h"
#include "api_route.h"
#include "api_x402.h"
#include "apikey.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "util.h"
#include "x402.h"

#define API_X402_URL_MAX	2300	/* a resource: scheme, host, path */
#define API_X402_CLIENT_TRIES	2	/* a wallet's first payments at once */

/* A paid request's payment, from its admission to its settlement. */
struct api_x402 {
	struct x402_payment	 pay;
	json_t			*requirements;
};

/* A payable route and what it costs. */
struct api_x402_route {
	const char	*method;
	const char	*pattern;
	const char	*description;
	char		 amount[X402_AMOUNT_MAX];	/* atomic; "" free */
};

static struct x402_config api_x402_cfg;
static struct api_x402_route api_x402_routes[] = {
	{ "POST", "/projects/upload-and-process",
	    "BOM upload: every line sourced and decided", "" },
};

#define API_X402_NROUTES \
	(sizeof(api_x402_routes) / sizeof(api_x402_routes[0]))

void
api_x402_init(const struct config *cfg)
{
	config_x402(cfg, &api_x402_cfg);
	snprintf(api_x402_routes[0].amount, sizeof(api_x402_routes[0].amount),
	    "%s", api_x402_cfg.amount);
}

/* rt's row of api_x402_routes[] when it has a price, else NULL. */
static const struct api_x402_route *
api_x402_route(const struct api_route *rt)
{
	size_t i;

	for (i = 0; api_x402_cfg.enabled && i < API_X402_NROUTES; i++)
		if (strcmp(api_x402_routes[i].method, rt->method) == 0 &&
		    strcmp(api_x402_routes[i].pattern, rt->pattern) == 0 &&
		    api_x402_routes[i].amount[0] != '\0')
			return &api_x402_routes[i];
	return NULL;
}

bool
api_x402_payable(const struct api_route *rt)
{
	return api_x402_route(rt) != NULL;
}

void
api_x402_free(struct api_x402 *x)
{
	if (x == NULL)
		return;
	x402_payment_free(&x->pay);
	json_decref(x->requirements);
	free(x);
}

/*
 * The requirements of route pr for the request's absolute URL: the host
 * it was sent to (else where we listen) and url. New reference.
 */
static json_t *
api_x402_requirements(struct MHD_Connection *c,
    const struct api_x402_route *pr, const char *url)
{
	struct x402_config cfg = api_x402_cfg;
	char resource[API_X402_URL_MAX];
	const char *host, *proto;

	host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "X-Forwarded-Proto");
	if (host == NULL || *host == '\0' ||
	    host[strcspn(host, " \t\r\n/\"\\")] != '\0')
		host = api_cfg->listen;
	snprintf(resource, sizeof(resource), "%s://%.255s%.2000s",
	    proto != NULL && strcasecmp(proto, "https") == 0 ? "https" :
	    "http", host, url);
	snprintf(cfg.amount, sizeof(cfg.amount), "%s", pr->amount);
	return x402_requirements(&cfg, resource, pr->description);
}

/* Answers 402 {x402Version, error, accepts: [x's requirements]}. */
static enum MHD_Result
api_x402_required(struct MHD_Connection *c, const struct api_x402 *x,
    const char *error)
{
	return api_json(c, MHD_HTTP_PAYMENT_REQUIRED,
	    x402_payment_required(error, json_incref(x->requirements)));
}

/*
 * Reserves p's nonce (on its network, asset and payer) before anyone is
 * asked about it: 1, 0 when it was reserved before (a replay, also one
 * under way), -1 on database trouble.
 */
static int
api_x402_reserve(const struct api_request *r, const struct x402_payment *p)
{
	char before[24];
	const char *params[5] = { p->network, p->asset, p->payer, p->nonce,
	    before };
	PGresult *res;
	int n;

	snprintf(before, sizeof(before), "%lld", (long long)p->valid_before);
	if ((res = api_db_query(r, "INSERT INTO x402_nonces (network, asset, "
	    "payer, nonce, valid_before) VALUES ($1, $2, $3, $4, "
	    "to_timestamp($5::bigint)) ON CONFLICT DO NOTHING RETURNING 1", 5,
	    params)) == NULL)
		return -1;
	n = PQntuples(res);
	PQclear(res);
	return n == 1;
}

/*
 * The client of wallet (lower case), made on its first payment: 1 with
 * its id in r, 0 when it is deactivated, -1 on database trouble.
 */
static int
api_x402_client(struct api_request *r, const char *wallet)
{
	char id[UUID_BUFSZ], name[64], slug[64];
	const char *params[4] = { wallet, id, name, slug };
	PGresult *res;
	int i, found = -1;

	if (uuid_v4(id) == -1)
		return -1;
	snprintf(name, sizeof(name), "x402 %s", wallet);
	snprintf(slug, sizeof(slug), "x402-%s", wallet + 2);
	/* two first payments at once: the loser finds the winner's row */
	for (i = 0; i < API_X402_CLIENT_TRIES && found == -1; i++) {
		/* no tenant yet: the one narrow path to every wallet */
		res = api_db_query(r, "SELECT client_id, active FROM "
		    "bomd_admin.client_for_wallet($1, $2, $3, $4)", 4,
		    params);
		if (res == NULL)
			return -1;
		if (PQntuples(res) == 1) {
			found = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
			snprintf(r->client_id, sizeof(r->client_id), "%s",
			    PQgetvalue(res, 0, 0));
		}
		PQclear(res);
	}
	return found;
}

/*
 * Checks x's X-PAYMENT against its requirements, reserves its nonce and
 * has the facilitator verify it: 0, or -1 after answering in *ret.
 */
static int
api_x402_verify(struct MHD_Connection *c, const struct api_request *r,
    struct api_x402 *x, enum MHD_Result *ret)
{
	struct x402_result res;
	const char *header;
	char err[256];
	int rc = -1;

	header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-PAYMENT");
	if (header == NULL) {
		*ret = api_x402_required(c, x, "X-PAYMENT header is required");
		return -1;
	}
	if (x402_payment_decode(header, &x->pay, err, sizeof(err)) == -1 ||
	    x402_payment_check(&x->pay, x->requirements, (int64_t)time(NULL),
	    err, sizeof(err)) == -1) {
		*ret = api_x402_required(c, x, err);
		return -1;
	}
	switch (api_x402_reserve(r, &x->pay)) {
	case -1:
		*ret = api_error_db(c);
		return -1;
	case 0:
		*ret = api_x402_required(c, x, "payment already used: its "
		    "nonce was presented before");
		return -1;
	}
	switch (x402_verify(&api_x402_cfg, &x->pay, x->requirements, &res)) {
	case X402_OK:
		rc = 0;
		break;
	case X402_REFUSED:
		*ret = api_x402_required(c, x, res.reason);
		break;
	default:
		snprintf(err, sizeof(err), "payment not verified: %s",
		    res.reason);
		*ret = api_x402_required(c, x, err);
		break;
	}
	return rc;
}

int
api_x402_admit(struct MHD_Connection *c, struct api_request *r,
    const struct api_route *rt, const char *url, enum MHD_Result *ret)
{
	const struct api_x402_route *pr = api_x402_route(rt);
	struct api_x402 *x;
	int64_t left_s;

	x = xcalloc(1, sizeof(*x));
	x->requirements = api_x402_requirements(c, pr, url);
	if (api_x402_verify(c, r, x, ret) == -1)
		goto fail;
	switch (api_x402_client(r, x->pay.payer)) {
	case -1:
		*ret = api_error_db(c);
		goto fail;
	case 0:
		*ret = api_error(c, MHD_HTTP_FORBIDDEN, "Client is "
		    "deactivated: %s", r->client_id);
		goto fail;
	}
	r->x402 = x;
	/* the settlement must reach the facilitator in time */
	left_s = x->pay.valid_before - X402_SETTLE_MARGIN_S - 1 -
	    (int64_t)time(NULL);
	r->wait_until_ms = now_ms() + (left_s > 0 ? left_s * 1000 : 0);
	return 0;
fail:
	r->client_id[0] = '\0';
	api_x402_free(x);
	return -1;
}

/*
 * Undoes what an unsettled paid request made: its job's project and the
 * token (key_id, or "") in one transaction; the jobs row is marked failed
 * with why, so that a run still under way commits nothing (its results
 * are fenced by that row). Logged when it cannot be done.
 */
static void
api_x402_discard(const struct api_request *r, const char *key_id,
    const char *why)
{
	const char *job[3] = { r->client_id, r->wait_job, why };
	const char *project[2] = { r->client_id, r->wait_project };
	const char *key[2] = { r->client_id, key_id };
	PGconn *db;
	int ok = 0;

	if ((db = api_db_get(r)) != NULL) {
		ok = db_begin(db) == 0 &&
		    db_exec(db, "UPDATE jobs SET status = 'failed', "
		    "error = $3, finished_at = now(), updated_at = now() "
		    "WHERE client_id = $1 AND job_id = $2", 3, job) == 0 &&
		    db_exec(db, "DELETE FROM job_checkpoints WHERE "
		    "client_id = $1 AND job_id = $2", 2, job) == 0 &&
		    db_exec(db, "DELETE FROM projects WHERE client_id = $1 "
		    "AND project_id = $2", 2, project) == 0 &&
		    (key_id[0] == '\0' || db_exec(db, "DELETE FROM api_keys "
		    "WHERE client_id = $1 AND key_id = $2", 2, key) == 0) &&
		    db_commit(db) == 0;
		if (!ok)
			db_rollback(db);
		api_db_put(db);
	}
	if (!ok)
		log_warnx("x402: project %s of client %s was not settled and "
		    "could not be removed", r->wait_project, r->client_id);
}

/*
 * Answers status with body (taken over) and project_token key, and the
 * settlement in X-PAYMENT-RESPONSE, readable by browser clients too.
 */
static enum MHD_Result
api_x402_answer(struct MHD_Connection *c, unsigned int status, json_t *body,
    const char *key, const char *settlement)
{
	struct MHD_Response *resp;
	char *s;

	json_object_set_new(body, "project_token", json_string(key));
	if ((s = json_dumps(body, JSON_COMPACT)) == NULL)
		fatalx("x402: out of memory");
	json_decref(body);
	resp = MHD_create_response_from_buffer(strlen(s), s,
	    MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "X-PAYMENT-RESPONSE", settlement);
	MHD_add_response_header(resp, "Access-Control-Expose-Headers",
	    "X-PAYMENT-RESPONSE");
	return api_reply(c, status, resp, "application/json");
}

enum MHD_Result
api_x402_finish(struct MHD_Connection *c, struct api_request *r,
    unsigned int status, json_t *body)
{
	char key[APIKEY_LEN + 1], key_id[UUID_BUFSZ] = "", err[256];
	const char *jstatus, *msg;
	struct api_x402 *x = r->x402;
	struct x402_result res;
	enum MHD_Result ret;
	char *settled;
	PGconn *db;
	int rc = ADMIN_DB;

	jstatus = json_string_value(json_object_get(body, "status"));
	if (status == MHD_HTTP_OK && (jstatus == NULL ||
	    strcmp(jstatus, "complete") != 0)) {
		msg = json_string_value(json_object_get(body, "message"));
		snprintf(err, sizeof(err), "%.200s; the payment was not taken",
		    msg ? msg : "processing failed");
		json_decref(body);
		api_x402_discard(r, key_id, err);
		return api_x402_required(c, x, err);
	}
	/* made first, so that nothing fails after the money moved */
	if ((db = api_db_get(r)) != NULL)
		rc = admin_project_token(db, r->client_id, r->wait_project, key,
		    key_id, err, sizeof(err));
	api_db_put(db);
	if (rc != ADMIN_OK) {
		json_decref(body);
		api_x402_discard(r, "", "payment not settled: no project "
		    "token");
		return api_error_db(c);
	}
	if (x402_settle(&api_x402_cfg, &x->pay, x->requirements, &res,
	    &settled) == X402_OK) {
		ret = api_x402_answer(c, status, body, key, settled);
		free(settled);
		return ret;
	}
	snprintf(err, sizeof(err), "settlement failed: %.200s", res.reason);
	json_decref(body);
	api_x402_discard(r, key_id, err);
	return api_x402_required(c, x, err);
}
