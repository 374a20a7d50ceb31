/*
 * bomctl search: live offers for one MPN from the distributors the server
 * has configured (POST /search/parts), as a table by unit price, then
 * one line on what each distributor said.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bomctl/bomctl.h"

/* The width of the SKU column; the rest have fixed widths. */
#define SEARCH_FIXED	(8 + 1 + 16 + 1 + 10 + 1 + 8 + 1 + 10 + 1 + 4 + 1 + 6)

/* "digikey,mouser" as a JSON list of names; NULL on a usage error. */
static json_t *
cmd_search_providers(const char *list)
{
	json_t *a = json_array();
	const char *p = list, *comma;
	char name[32];
	size_t n;

	for (; p != NULL && *p != '\0'; p = comma ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == 0 || n >= sizeof(name)) {
			json_decref(a);
			return NULL;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		json_array_append_new(a, json_string(name));
	}
	return a;
}

static void
cmd_search_table(const json_t *results)
{
	const json_t *o, *lead;
	char price[32], days[16];
	size_t i, wid;

	wid = table_width(results, "sku", 3, BOMCTL_COLUMNS - SEARCH_FIXED -
	    1);
	printf("%-8s ", "SOURCE");
	table_cell("SUPPLIER", 16, false);
	table_cell("SKU", wid, false);
	printf("%10s %8s %10s %-4s %6s\n", "STOCK", "MOQ", "UNIT PRICE",
	    "CUR", "LEAD");
	json_array_foreach(results, i, o) {
		table_money(json_object_get(o, "unit_price"), price,
		    sizeof(price));
		lead = json_object_get(o, "lead_time_days");
		if (json_is_integer(lead))
			snprintf(days, sizeof(days), "%lld d",
			    (long long)json_integer_value(lead));
		else
			snprintf(days, sizeof(days), "-");
		table_cell(bomctl_str(o, "source", "?"), 8, false);
		table_cell(bomctl_str(o, "supplier_name", "?"), 16, false);
		table_cell(bomctl_str(o, "sku", "?"), wid, false);
		printf("%10lld %8lld %10s %-4s %6s\n",
		    (long long)json_integer_value(json_object_get(o, "stock")),
		    (long long)json_integer_value(json_object_get(o, "moq")),
		    price, bomctl_str(o, "currency", "-"), days);
	}
}

/* One line per distributor asked: "mouser: failed (http 503)". */
static void
cmd_search_sources(const json_t *byp)
{
	const char *name, *st, *why;
	const json_t *v;

	json_object_foreach((json_t *)byp, name, v) {
		st = bomctl_str(v, "status", "?");
		why = bomctl_str(v, "reason", NULL);
		printf("%s: %s", name, st);
		if (strcmp(st, "ok") == 0)
			printf(", %lld offers", (long long)json_integer_value(
			    json_object_get(v, "count")));
		if (why != NULL)
			printf(" (%s)", why);
		printf("\n");
	}
}

/* search MPN [--manufacturer M] [--provider digikey,mouser,nexar] */
int
cmd_search(struct bomctl *ctl, int argc, char **argv)
{
	const char *pos[1], *mfr = NULL, *prov = NULL;
	const struct bomctl_opt opts[] = { { "manufacturer", &mfr, NULL },
	    { "provider", &prov, NULL }, { NULL, NULL, NULL } };
	json_t *body = NULL, *list, *ans = NULL, *results;
	int rc;

	if ((rc = bomctl_parse(ctl, "search", argc, argv, opts, pos, 1, 1,
	    "an MPN")) != BOMCTL_EXIT_OK)
		return rc;
	if ((rc = http_body("search", &body, "query", pos[0], "manufacturer",
	    mfr, (const char *)NULL)) != BOMCTL_EXIT_OK)
		return rc;
	if (prov != NULL) {
		if ((list = cmd_search_providers(prov)) == NULL) {
			json_decref(body);
			return bomctl_usage_error("search: --provider wants "
			    "names such as digikey,mouser,nexar");
		}
		json_object_set_new(body, "providers", list);
	}
	if ((rc = fetch_post(ctl, "/search/parts", body, &ans)) !=
	    BOMCTL_EXIT_OK || ans == NULL)
		return rc;
	results = json_object_get(ans, "results");
	if (json_array_size(results) == 0)
		printf("no offers for %s\n", pos[0]);
	else
		cmd_search_table(results);
	cmd_search_sources(json_object_get(ans, "results_by_provider"));
	json_decref(ans);
	return rc;
}
