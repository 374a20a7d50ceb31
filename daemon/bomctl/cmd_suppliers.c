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

/* What suppliers show prints of a supplier before its spend. */
static const struct table_field cmd_suppliers_rows[] = {
	{ "supplier", "supplier_id" },
	{ "name", "name" },
	{ "type", "supplier_type" },
	{ "trust", "trust_level" },
	{ "order cost", "order_cost" },
	{ "on time", "on_time_rate" },
	{ "quality", "quality_rate" },
	{ "lead time acc", "lead_time_accuracy" },
	{ "account rep", "account_rep" },
	{ "payment terms", "payment_terms" },
	{ "notes", "notes" },
	{ "last order", "last_order_date" },
	{ NULL, NULL }
};

/* A supplier, as suppliers show prints it (arg unused). */
static void
cmd_suppliers_print(const json_t *s, const char *const *arg)
{
	char spend[64];

	(void)arg;
	table_fields(s, cmd_suppliers_rows);
	table_money(json_object_get(s, "total_spend_ytd"), spend,
	    sizeof(spend));
	printf("%-14s%s in %lld orders\n", "spend ytd", spend,
	    (long long)json_integer_value(json_object_get(s,
	    "order_count_ytd")));
	table_kv("created", s, "created_at");
	table_kv("updated", s, "updated_at");
}

/* The rows of suppliers as a table. */
static void
cmd_suppliers_table(const json_t *arr)
{
	char ot[16], qr[16];
	json_t *s;
	size_t i, wid;

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
}

/* suppliers [list] [--limit N] */
int
cmd_suppliers_list(struct bomctl *ctl, int argc, char **argv)
{
	return fetch_list(ctl, "suppliers", argc, argv,
	    "/knowledge/suppliers", "supplier", "no suppliers known yet",
	    cmd_suppliers_table);
}

/* suppliers show SUPPLIER_ID */
const struct fetch_one cmd_suppliers_show = {
	.cmd = "suppliers show", .posnames = "a SUPPLIER_ID",
	.what = "supplier id", .base = SUPPLIERS_BASE, .suffix = "",
	.print = cmd_suppliers_print
};

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
	cmd_suppliers_print(json_object_get(s, "supplier"), NULL);
	json_decref(s);
	return rc;
}

/* suppliers trust ID LEVEL [--reason R] [--user U] */
const struct fetch_one cmd_suppliers_trust = {
	.cmd = "suppliers trust", .posnames = "a SUPPLIER_ID and a trust "
	"level (high, medium, low or blocked)", .what = "supplier id",
	.base = SUPPLIERS_BASE, .suffix = "/trust", .post = true,
	.value = "trust_level", .opts = { "reason", "user" },
	.idkey = "supplier_id", .said = "supplier %s trust: %s"
};
