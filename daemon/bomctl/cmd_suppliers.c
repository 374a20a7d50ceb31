/*
 * bomctl suppliers: the supplier knowledge of the tenant (type, trust,
 * order cost, delivery and quality rates) under /knowledge/suppliers.
 * The server checks types and trust levels, so its words reach the user.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bomctl/bomctl.h"

#define SUPPLIERS_BASE	"/knowledge/suppliers/"

static void
cmd_suppliers_print(const json_t *s)
{
	char spend[64];

	table_kv("supplier", s, "supplier_id");
	table_kv("name", s, "name");
	table_kv("type", s, "supplier_type");
	table_kv("trust", s, "trust_level");
	table_kv("order cost", s, "order_cost");
	table_kv("on time", s, "on_time_rate");
	table_kv("quality", s, "quality_rate");
	table_kv("lead time acc", s, "lead_time_accuracy");
	table_kv("account rep", s, "account_rep");
	table_kv("payment terms", s, "payment_terms");
	table_kv("notes", s, "notes");
	table_kv("last order", s, "last_order_date");
	table_money(json_object_get(s, "total_spend_ytd"), spend,
	    sizeof(spend));
	printf("%-14s%s in %lld orders\n", "spend ytd", spend,
	    (long long)json_integer_value(json_object_get(s,
	    "order_count_ytd")));
	table_kv("created", s, "created_at");
	table_kv("updated", s, "updated_at");
}

/* suppliers [list] [--limit N] */
int
cmd_suppliers_list(struct bomctl *ctl, int argc, char **argv)
{
	char ot[16], qr[16];
	json_t *arr = NULL, *s;
	size_t i, wid;
	int rc;

	if ((rc = fetch_list(ctl, "suppliers", argc, argv,
	    "/knowledge/suppliers", "supplier", "no suppliers known yet",
	    &arr)) != BOMCTL_EXIT_OK || arr == NULL)
		return rc;
	/* SUPPLIER, TYPE 10, TRUST 7, ON-TIME 7, QUALITY 7, NAME */
	wid = table_width(arr, "supplier_id", 8, 32);
	table_cell("SUPPLIER", wid, false);
	printf("%-10s %-7s %7s %7s ", "TYPE", "TRUST", "ON-TIME", "QUALITY");
	table_cell("NAME", BOMCTL_COLUMNS - wid - 1 - 35, true);
	printf("\n");
	json_array_foreach(arr, i, s) {
		table_value(json_object_get(s, "on_time_rate"), ot,
		    sizeof(ot));
		table_value(json_object_get(s, "quality_rate"), qr,
		    sizeof(qr));
		table_cell(bomctl_str(s, "supplier_id", "?"), wid, false);
		table_cell(bomctl_str(s, "supplier_type", "-"), 10, false);
		table_cell(bomctl_str(s, "trust_level", "-"), 7, false);
		printf("%7s %7s ", ot, qr);
		table_cell(bomctl_str(s, "name", ""),
		    BOMCTL_COLUMNS - wid - 1 - 35, true);
		printf("\n");
	}
	json_decref(arr);
	return rc;
}

/* suppliers show SUPPLIER_ID */
int
cmd_suppliers_show(struct bomctl *ctl, int argc, char **argv)
{
	const char *pos[1];
	char path[BOMCTL_MAX_URL];
	json_t *s = NULL;
	int rc;

	if ((rc = bomctl_parse(ctl, "suppliers show", argc, argv, NULL, pos, 1,
	    1, "a SUPPLIER_ID")) != BOMCTL_EXIT_OK ||
	    (rc = http_id_arg(ctl, "suppliers show", "supplier id",
	    SUPPLIERS_BASE, pos[0], "", path, sizeof(path))) !=
	    BOMCTL_EXIT_OK ||
	    (rc = fetch_get(ctl, path, &s)) != BOMCTL_EXIT_OK || s == NULL)
		return rc;
	cmd_suppliers_print(s);
	json_decref(s);
	return rc;
}

/* The members add and set send, from their options. */
struct cmd_suppliers_fields {
	const char	*name, *type, *trust, *cost, *rep, *terms, *notes;
};

/*
 * Parses "suppliers add|set ID [options]" into f and pos, and the body of
 * the request (supplier_id too when add). The exit code.
 */
static int
cmd_suppliers_fields(struct bomctl *ctl, const char *cmd, int argc,
    char **argv, bool add, const char **pos, struct cmd_suppliers_fields *f,
    json_t **body)
{
	const struct bomctl_opt opts[] = { { "name", &f->name, NULL },
	    { "type", &f->type, NULL }, { "trust", &f->trust, NULL },
	    { "order-cost", &f->cost, NULL },
	    { "account-rep", &f->rep, NULL },
	    { "payment-terms", &f->terms, NULL },
	    { "notes", &f->notes, NULL }, { NULL, NULL, NULL } };
	int rc;

	memset(f, 0, sizeof(*f));
	if ((rc = bomctl_parse(ctl, cmd, argc, argv, opts, pos, 1, 1,
	    "a SUPPLIER_ID")) != BOMCTL_EXIT_OK)
		return rc;
	if (add && (f->name == NULL || f->name[0] == '\0'))
		return bomctl_usage_error("%s: --name is required", cmd);
	/* the amount goes as a decimal string: the server parses it */
	return http_body(cmd, body, "supplier_id", add ? pos[0] : NULL,
	    "name", f->name, "supplier_type", f->type, "trust_level", f->trust,
	    "order_cost", f->cost, "account_rep", f->rep, "payment_terms",
	    f->terms, "notes", f->notes, (const char *)NULL);
}

/* suppliers add ID --name N [--type T] [--trust L] [...] */
int
cmd_suppliers_add(struct bomctl *ctl, int argc, char **argv)
{
	struct cmd_suppliers_fields f;
	const char *pos[1];
	json_t *body = NULL, *s = NULL;
	int rc;

	if ((rc = cmd_suppliers_fields(ctl, "suppliers add", argc, argv, true,
	    pos, &f, &body)) != BOMCTL_EXIT_OK ||
	    (rc = fetch_post(ctl, "/knowledge/suppliers", body, &s)) !=
	    BOMCTL_EXIT_OK || s == NULL)
		return rc;
	/* the original's {status, supplier_id, name}, the supplier beside */
	printf("supplier %s added: %s, %s, trust %s\n",
	    bomctl_str(s, "supplier_id", pos[0]), bomctl_str(s, "name", f.name),
	    bomctl_str(json_object_get(s, "supplier"), "supplier_type", "?"),
	    bomctl_str(json_object_get(s, "supplier"), "trust_level", "?"));
	json_decref(s);
	return rc;
}

/* suppliers set ID [--name N] [--type T] [--trust L] [--order-cost A] */
int
cmd_suppliers_set(struct bomctl *ctl, int argc, char **argv)
{
	struct cmd_suppliers_fields f;
	char path[BOMCTL_MAX_URL];
	const char *pos[1];
	json_t *body = NULL, *s = NULL;
	int rc;

	if ((rc = cmd_suppliers_fields(ctl, "suppliers set", argc, argv,
	    false, pos, &f, &body)) != BOMCTL_EXIT_OK)
		return rc;
	if ((rc = http_id_arg(ctl, "suppliers set", "supplier id",
	    SUPPLIERS_BASE, pos[0], "", path, sizeof(path))) !=
	    BOMCTL_EXIT_OK) {
		json_decref(body);
		return rc;
	}
	if ((rc = fetch_post(ctl, path, body, &s)) != BOMCTL_EXIT_OK ||
	    s == NULL)
		return rc;
	/* the original's {status, supplier_id, ...}, the supplier beside */
	cmd_suppliers_print(json_object_get(s, "supplier"));
	json_decref(s);
	return rc;
}

/* suppliers trust ID LEVEL [--reason R] [--user U] */
int
cmd_suppliers_trust(struct bomctl *ctl, int argc, char **argv)
{
	const char *cmd = "suppliers trust";
	const char *pos[2], *reason = NULL, *user = NULL;
	const struct bomctl_opt opts[] = { { "reason", &reason, NULL },
	    { "user", &user, NULL }, { NULL, NULL, NULL } };
	char path[BOMCTL_MAX_URL];
	json_t *body = NULL, *s = NULL;
	int rc;

	if ((rc = bomctl_parse(ctl, cmd, argc, argv, opts, pos, 2, 2,
	    "a SUPPLIER_ID and a trust level (high, medium, low or "
	    "blocked)")) != BOMCTL_EXIT_OK ||
	    (rc = http_id_arg(ctl, cmd, "supplier id", SUPPLIERS_BASE, pos[0],
	    "/trust", path, sizeof(path))) != BOMCTL_EXIT_OK ||
	    (rc = http_body(cmd, &body, "trust_level", pos[1], "reason",
	    reason, "user", user, (const char *)NULL)) != BOMCTL_EXIT_OK ||
	    (rc = fetch_post(ctl, path, body, &s)) != BOMCTL_EXIT_OK ||
	    s == NULL)
		return rc;
	printf("supplier %s trust: %s\n", bomctl_str(s, "supplier_id",
	    pos[0]), bomctl_str(s, "trust_level", pos[1]));
	json_decref(s);
	return rc;
}
