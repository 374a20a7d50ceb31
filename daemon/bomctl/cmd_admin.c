/*
 * bomctl admin: the original service's setup routes. status needs no key;
 * bootstrap and reset-demo send BOMCTL_ADMIN_KEY as X-Admin-Key.
 */
#include <stdbool.h>
#include <stdio.h>

#include "bomctl/bomctl.h"

static const struct table_field cmd_admin_status_fields[] = {
	{ "admin key set", "admin_configured" },
	{ "clients", "client_count" },
	{ "api keys", "key_count" },
	{ NULL, NULL }
};

/* The new client and its key; the key is shown only now. */
static const struct table_field cmd_admin_bootstrap_fields[] = {
	{ "client", "client_id" },
	{ "client name", "client_name" },
	{ "key", "key_id" },
	{ "key name", "key_name" },
	{ "api key", "api_key" },
	{ NULL, NULL }
};

/* admin status */
int
cmd_admin_status(struct bomctl *ctl, int argc, char **argv)
{
	json_t *st = NULL;
	int rc;

	ctl->auth = BOMCTL_AUTH_NONE;
	if ((rc = bomctl_parse(ctl, "admin status", argc, argv, NULL, NULL, 0,
	    0, "")) != BOMCTL_EXIT_OK ||
	    (rc = fetch_get(ctl, "/admin/status", &st)) != BOMCTL_EXIT_OK ||
	    st == NULL)
		return rc;
	table_fields(st, cmd_admin_status_fields);
	json_decref(st);
	return rc;
}

/* admin bootstrap [--name N] [--slug S] [--key-name K] */
int
cmd_admin_bootstrap(struct bomctl *ctl, int argc, char **argv)
{
	const char *name = NULL, *slug = NULL, *key = NULL;
	const struct bomctl_opt opts[] = { { "name", &name, NULL },
	    { "slug", &slug, NULL }, { "key-name", &key, NULL },
	    { NULL, NULL, NULL } };
	json_t *body = NULL, *out = NULL;
	int rc;

	ctl->auth = BOMCTL_AUTH_ADMIN;
	if ((rc = bomctl_parse(ctl, "admin bootstrap", argc, argv, opts, NULL,
	    0, 0, "")) != BOMCTL_EXIT_OK ||
	    (rc = http_body("admin bootstrap", &body, "client_name", name,
	    "client_slug", slug, "key_name", key, (const char *)NULL)) !=
	    BOMCTL_EXIT_OK ||
	    (rc = fetch_post(ctl, "/admin/bootstrap", body, &out)) !=
	    BOMCTL_EXIT_OK || out == NULL)
		return rc;
	table_fields(out, cmd_admin_bootstrap_fields);
	printf("%s (the key is shown only now)\n", bomctl_str(out, "message",
	    ""));
	json_decref(out);
	return rc;
}

/* admin reset-demo */
int
cmd_admin_reset_demo(struct bomctl *ctl, int argc, char **argv)
{
	json_t *out = NULL;
	int rc;

	ctl->auth = BOMCTL_AUTH_ADMIN;
	if ((rc = bomctl_parse(ctl, "admin reset-demo", argc, argv, NULL, NULL,
	    0, 0, "")) != BOMCTL_EXIT_OK ||
	    (rc = fetch_post(ctl, "/admin/reset-demo", NULL, &out)) !=
	    BOMCTL_EXIT_OK || out == NULL)
		return rc;
	printf("%s\n", bomctl_str(out, "message", "done"));
	json_decref(out);
	return rc;
}
