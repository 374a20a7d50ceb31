/*
 * The front every command shares once its arguments are parsed: the
 * request, --json output of the server's answer as it is, and for lists
 * the --limit option and the checks before a command's printer gets the
 * rows. Lists and commands on one thing (struct fetch_one) run here whole.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "bomctl/bomctl.h"

#define FETCH_MAX_LIMIT	1000000

/*
 * With --json prints the answer v and drops it; otherwise hands it to
 * *out. The exit code.
 */
static int
fetch_reply(struct bomctl *ctl, json_t *v, json_t **out)
{
	int rc;

	if (!ctl->json) {
		*out = v;
		return BOMCTL_EXIT_OK;
	}
	rc = bomctl_print_json(v);
	json_decref(v);
	return rc;
}

int
fetch_get(struct bomctl *ctl, const char *path, json_t **out)
{
	json_t *v = NULL;
	int rc;

	*out = NULL;
	if ((rc = http_get(ctl, path, &v)) != BOMCTL_EXIT_OK)
		return rc;
	return fetch_reply(ctl, v, out);
}

int
fetch_post(struct bomctl *ctl, const char *path, json_t *body,
    json_t **out)
{
	json_t *v = NULL;
	int rc;

	*out = NULL;
	rc = http_post(ctl, path, body, &v);
	json_decref(body);
	if (rc != BOMCTL_EXIT_OK)
		return rc;
	return fetch_reply(ctl, v, out);
}

/* "?limit=N" from a --limit value (NULL: none) into out; the exit code. */
static int
fetch_limit(const char *v, char *out, size_t len)
{
	const char *why;
	int64_t limit;

	out[0] = '\0';
	if (v == NULL)
		return BOMCTL_EXIT_OK;
	if (parse_i64(v, 1, FETCH_MAX_LIMIT, &limit, &why) == -1)
		return bomctl_usage_error("--limit %s: %s", v, why);
	snprintf(out, len, "?limit=%lld", (long long)limit);
	return BOMCTL_EXIT_OK;
}

int
fetch_list(struct bomctl *ctl, const char *cmd, int argc, char **argv,
    const char *base, const char *noun, const char *empty_msg,
    void (*print)(const json_t *rows))
{
	const char *limit = NULL;
	const struct bomctl_opt opts[] = { { "limit", &limit, NULL },
	    { NULL, NULL, NULL } };
	char path[128], q[32];
	json_t *arr = NULL;
	int rc;

	if ((rc = bomctl_parse(ctl, cmd, argc, argv, opts, NULL, 0, 0, "")) !=
	    BOMCTL_EXIT_OK ||
	    (rc = fetch_limit(limit, q, sizeof(q))) != BOMCTL_EXIT_OK)
		return rc;
	/* a base with a query string takes the limit as "&limit=" */
	if (q[0] != '\0' && strchr(base, '?') != NULL)
		q[0] = '&';
	snprintf(path, sizeof(path), "%s%s", base, q);
	if ((rc = fetch_get(ctl, path, &arr)) != BOMCTL_EXIT_OK ||
	    arr == NULL)
		return rc;
	if (!json_is_array(arr)) {
		bomctl_err("the server's %s list is not an array", noun);
		rc = BOMCTL_EXIT_ERR;
	} else if (json_array_size(arr) == 0)
		printf("%s\n", empty_msg);
	else
		print(arr);
	json_decref(arr);
	return rc;
}

/* Prints the answer of one (see struct fetch_one). */
static void
fetch_one_print(const struct fetch_one *one, const json_t *out,
    const char *const *arg)
{
	const char *first = one->value != NULL ? one->value : one->opts[0];
	const char *sent = one->value != NULL ? arg[1] : arg[2];

	if (one->print != NULL) {
		one->print(out, arg);
		return;
	}
	printf(one->said, bomctl_str(out, one->idkey, arg[0]),
	    first != NULL ? bomctl_str(out, first, sent) : "");
	putchar('\n');
}

int
fetch_one(struct bomctl *ctl, const struct fetch_one *one, int argc,
    char **argv)
{
	const char *arg[2 + FETCH_ONE_OPTS] = { NULL };
	struct bomctl_opt opts[FETCH_ONE_OPTS + 1];
	char path[BOMCTL_MAX_URL];
	json_t *body = NULL, *out = NULL;
	int i, npos = one->value != NULL ? 2 : 1, rc;

	for (i = 0; i < FETCH_ONE_OPTS && one->opts[i] != NULL; i++)
		opts[i] = (struct bomctl_opt){ one->opts[i], &arg[2 + i],
		    NULL };
	opts[i] = (struct bomctl_opt){ NULL, NULL, NULL };
	if ((rc = bomctl_parse(ctl, one->cmd, argc, argv, opts, arg, npos,
	    npos, one->posnames)) != BOMCTL_EXIT_OK)
		return rc;
	if (one->need != NULL && (arg[2] == NULL || arg[2][0] == '\0'))
		return bomctl_usage_error("%s: --%s is required %s", one->cmd,
		    one->opts[0], one->need);
	if ((rc = http_id_arg(ctl, one->cmd, one->what, one->base, arg[0],
	    one->suffix, path, sizeof(path))) != BOMCTL_EXIT_OK)
		return rc;
	if (!one->post)
		rc = fetch_get(ctl, path, &out);
	else {
		/* an empty POST when there is nothing to send */
		if (one->value != NULL || one->opts[0] != NULL)
			body = json_object();
		if (one->value != NULL)
			rc = http_body_set(one->cmd, body, one->value, arg[1]);
		for (i = 0; rc == BOMCTL_EXIT_OK && i < FETCH_ONE_OPTS &&
		    one->opts[i] != NULL; i++)
			rc = http_body_set(one->cmd, body, one->opts[i],
			    arg[2 + i]);
		if (rc != BOMCTL_EXIT_OK) {
			json_decref(body);
			return rc;
		}
		rc = fetch_post(ctl, path, body, &out);
	}
	if (rc == BOMCTL_EXIT_OK && out != NULL)
		fetch_one_print(one, out, arg);
	json_decref(out);
	return rc;
}
