/*
 * bomctl keys: the API keys of the caller's own client under /api-keys
 * (list, create, revoke); a new key is shown once.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "bomctl/bomctl.h"

/* The rows of keys as a table. */
static void
cmd_keys_table(const json_t *arr)
{
	char created[40], used[40], scopes[128];
	json_t *k;
	size_t i, wname;

	/* KEY 36, ACTIVE 6, CREATED 20, LAST USED 20, SCOPES, NAME */
	wname = table_width(arr, "name", 4, 24);
	table_cell("KEY", 36, false);
	printf("%-6s ", "ACTIVE");
	table_cell("CREATED", 20, false);
	table_cell("LAST USED", 20, false);
	table_cell("NAME", wname, false);
	table_cell("SCOPES", 12, true);
	printf("\n");
	json_array_foreach(arr, i, k) {
		table_ts(bomctl_str(k, "created_at", "-"), created,
		    sizeof(created));
		table_ts(bomctl_str(k, "last_used", "never"), used,
		    sizeof(used));
		table_value(json_object_get(k, "scopes"), scopes,
		    sizeof(scopes));
		table_cell(bomctl_str(k, "key_id", "?"), 36, false);
		printf("%-6s ", json_is_true(json_object_get(k, "is_active")) ?
		    "yes" : "no");
		table_cell(created, 20, false);
		table_cell(used, 20, false);
		table_cell(bomctl_str(k, "name", ""), wname, false);
		table_cell(scopes, 12, true);
		printf("\n");
	}
}

/* keys [list] [--limit N] */
int
cmd_keys_list(struct bomctl *ctl, int argc, char **argv)
{
	return fetch_list(ctl, "keys", argc, argv, "/api-keys", "key",
	    "no keys", cmd_keys_table);
}

/* keys create --name N [--scope S,...] */
int
cmd_keys_create(struct bomctl *ctl, int argc, char **argv)
{
	const char *name = NULL, *scope = NULL, *p, *comma;
	const struct bomctl_opt opts[] = { { "name", &name, NULL },
	    { "scope", &scope, NULL }, { NULL, NULL, NULL } };
	json_t *body = NULL, *scopes, *out = NULL, *key;
	int rc;

	if ((rc = bomctl_parse(ctl, "keys create", argc, argv, opts, NULL, 0,
	    0, "")) != BOMCTL_EXIT_OK)
		return rc;
	if (name == NULL || *name == '\0')
		return bomctl_usage_error("keys create: --name is required "
		    "(say what the key is for)");
	if ((rc = http_body("keys create", &body, "name", name,
	    (const char *)NULL)) != BOMCTL_EXIT_OK)
		return rc;
	if (scope != NULL) {
		scopes = json_array();
		for (p = scope; p != NULL; p = comma ? comma + 1 : NULL) {
			comma = strchr(p, ',');
			json_array_append_new(scopes, json_stringn(p, comma ?
			    (size_t)(comma - p) : strlen(p)));
		}
		json_object_set_new(body, "scopes", scopes);
	}
	if ((rc = fetch_post(ctl, "/api-keys", body, &out)) !=
	    BOMCTL_EXIT_OK || out == NULL)
		return rc;
	key = json_object_get(out, "key");
	printf("key %s (%s) created; it is shown only now:\n%s\n",
	    bomctl_str(key, "key_id", "?"), bomctl_str(key, "name", name),
	    bomctl_str(out, "raw_key", "?"));
	json_decref(out);
	return rc;
}

/* keys revoke KEY_ID */
const struct fetch_one cmd_keys_revoke = {
	.cmd = "keys revoke", .posnames = "a KEY_ID", .what = "key id",
	.base = "/api-keys/", .suffix = "/revoke", .post = true,
	.idkey = "key_id", .said = "key %s revoked"
};
