/*
 * GET / and GET /health; see api_service.h. GET / answers as the original
 * service (its name and API version) and names bomd's own version beside.
 */
#include <stdbool.h>
#include <string.h>

#include "api_db.h"
#include "api_redis.h"
#include "api_reply.h"
#include "api_service.h"
#include "db.h"
#include "version.h"

#define API_SERVICE_HEALTH_DB_MS	2000

/*
 * The endpoints GET / lists, by name: the original service's four, then
 * bomd's own.
 */
static const struct api_service_endpoint {
	const char	*name;
	const char	*path;
} api_service_endpoints[] = {
	{ "projects", "/projects" },
	{ "knowledge", "/knowledge" },
	{ "chat", "/v1/chat/completions" },
	{ "health", "/health" },
	{ "models", "/v1/models" },
	{ "jobs", "/jobs" },
	{ "api_keys", "/api-keys" },
	{ "clients", "/clients" },
	{ "admin", "/admin" },
	{ "metrics", "/metrics" },
	{ NULL, NULL }
};

enum MHD_Result
api_service_health(struct MHD_Connection *c, struct api_request *r)
{
	const char *pg = "ok", *rd = "ok";
	redisContext *rc;
	redisReply *rep = NULL;
	PGresult *res;
	PGconn *db;
	bool healthy;

	(void)r;
	if ((db = api_db_tenant(NULL, API_SERVICE_HEALTH_DB_MS)) == NULL)
		pg = "unavailable";
	else {
		if ((res = db_query(db, "SELECT 1", 0, NULL, NULL, 0)) == NULL)
			pg = "unavailable";
		PQclear(res);
		api_db_put(db);
	}
	if ((rc = api_redis_acquire()) != NULL)
		rep = redisCommand(rc, "PING");
	if (rep == NULL || rep->type == REDIS_REPLY_ERROR)
		rd = "unavailable";
	if (rep != NULL)
		freeReplyObject(rep);
	api_redis_release();
	healthy = strcmp(pg, "ok") == 0 && strcmp(rd, "ok") == 0;
	return api_json(c, healthy ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
	    json_pack("{s:s, s:s, s:s}", "status", healthy ? "healthy" :
	    "unhealthy", "postgres", pg, "redis", rd));
}

enum MHD_Result
api_service_root(struct MHD_Connection *c, struct api_request *r)
{
	const struct api_service_endpoint *e;
	json_t *list = json_object();

	(void)r;
	for (e = api_service_endpoints; e->name != NULL; e++)
		json_object_set_new(list, e->name, json_string(e->path));
	return api_json(c, MHD_HTTP_OK, json_pack("{s:s, s:s, s:s, s:s, s:o}",
	    "service", "BOM Agent Service", "version", BOMD_API_COMPAT,
	    "implementation", "bomd", "implementation_version", BOMD_VERSION,
	    "endpoints", list));
}
