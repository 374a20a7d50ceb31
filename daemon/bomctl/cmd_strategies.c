/*
 * bomctl strategies, and the report under bomctl show: a project's exact
 * sourcing strategies (GET /projects/ID/strategies) as one table each,
 * and its report's summary, risks and budget.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "bomctl/bomctl.h"

/* s wrapped at BOMCTL_COLUMNS after first, later lines after indent. */
static void
cmd_strategies_wrap(const char *s, const char *first, const char *indent)
{
	size_t col = table_utf8_len(first), start = col, n;

	fputs(first, stdout);
	for (;;) {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		n = strcspn(s, " ");
		if (col > start && col + 1 + n > BOMCTL_COLUMNS) {
			printf("\n%s", indent);
			col = start = strlen(indent);
		}
		if (col > start) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)n, s);
		col += n;
		s += n;
	}
	putchar('\n');
}

void
cmd_strategies_report(const json_t *proj)
{
	const json_t *rep = json_object_get(proj, "report"), *r, *f;
	const json_t *budget;
	char line[BOMCTL_MAX_URL];
	size_t i;

	if (!json_is_object(rep))
		return;
	printf("\n");
	cmd_strategies_wrap(bomctl_str(rep, "executive_summary", ""),
	    "summary: ", "  ");
	printf("risk: %s\n", bomctl_str(rep, "risk_level", "-"));
	json_array_foreach(json_object_get(rep, "risks"), i, r) {
		snprintf(line, sizeof(line), "%s %s: %s; %s",
		    bomctl_str(r, "line_id", "-"), bomctl_str(r, "mpn", ""),
		    bomctl_str(r, "risk", ""), bomctl_str(r, "mitigation", ""));
		cmd_strategies_wrap(line, "  ", "      ");
	}
	json_array_foreach(json_object_get(rep, "follow_ups"), i, f)
		if (json_is_string(f))
			cmd_strategies_wrap(json_string_value(f),
			    "follow-up: ", "  ");
	budget = json_object_get(rep, "budget");
	if (json_is_object(budget))
		cmd_strategies_wrap(bomctl_str(budget, "explain", ""),
		    "budget: ", "  ");
}

/* One strategy: its header and its selections. */
static void
cmd_strategies_one(const json_t *st)
{
	const json_t *sel, *e;
	char total[40], ext[40], qty[24], lead[24];
	size_t i, wmpn, wsup;

	table_money(json_object_get(st, "total"), total, sizeof(total));
	printf("%s: %s USD, %lld supplier%s, longest lead %lld days%s\n",
	    bomctl_str(st, "title", bomctl_str(st, "name", "?")), total,
	    (long long)json_integer_value(json_object_get(st,
	    "supplier_count")), json_integer_value(json_object_get(st,
	    "supplier_count")) == 1 ? "" : "s",
	    (long long)json_integer_value(json_object_get(st,
	    "longest_lead_time_days")), json_is_true(json_object_get(st,
	    "exact")) ? "" : " (search cut short: not proven optimal)");
	cmd_strategies_wrap(bomctl_str(st, "description", ""), "  ", "  ");
	sel = json_object_get(st, "selections");
	wmpn = table_width(sel, "selected_mpn", 3, 28);
	wsup = table_width(sel, "supplier_id", 8, 16);
	printf("  %-5s ", "LINE");
	table_cell("MPN", wmpn, false);
	table_cell("SUPPLIER", wsup, false);
	printf("%9s %12s %6s %s\n", "QTY", "EXTENDED", "DAYS", "LINE STATUS");
	json_array_foreach(sel, i, e) {
		snprintf(qty, sizeof(qty), "%lld", (long long)
		    json_integer_value(json_object_get(e, "order_qty")));
		snprintf(lead, sizeof(lead), "%lld", (long long)
		    json_integer_value(json_object_get(e, "delivery_days")));
		table_money(json_object_get(e, "extended_price"), ext,
		    sizeof(ext));
		printf("  %-5s ", bomctl_str(e, "line_id", "-"));
		table_cell(bomctl_str(e, "selected_mpn", ""), wmpn, false);
		table_cell(bomctl_str(e, "supplier_id", ""), wsup, false);
		printf("%9s %12s %6s %s\n", qty, ext, lead,
		    bomctl_str(e, "status", ""));
	}
}

/* strategies PROJECT_ID */
int
cmd_strategies(struct bomctl *ctl, int argc, char **argv)
{
	const char *pos[1];
	char path[BOMCTL_MAX_URL], m[40];
	json_t *st = NULL, *s, *u;
	size_t i;
	int rc;

	if ((rc = bomctl_parse(ctl, "strategies", argc, argv, NULL, pos, 1, 1,
	    "a PROJECT_ID")) != BOMCTL_EXIT_OK ||
	    (rc = http_id_arg(ctl, "strategies", "project id", "/projects/",
	    pos[0], "/strategies", path, sizeof(path))) != BOMCTL_EXIT_OK ||
	    (rc = fetch_get(ctl, path, &st)) != BOMCTL_EXIT_OK || st == NULL)
		return rc;
	table_money(json_object_get(st, "per_line_cheapest_total"), m,
	    sizeof(m));
	printf("project %s: %lld lines covered by %lld suppliers\n",
	    bomctl_str(st, "project_id", pos[0]), (long long)
	    json_integer_value(json_object_get(st, "lines_covered")),
	    (long long)json_integer_value(json_object_get(st,
	    "suppliers_considered")));
	printf("each line's cheapest offer alone: %s USD with order costs\n",
	    m);
	json_array_foreach(json_object_get(st, "lines_unfilled"), i, u)
		printf("not filled: %s %s (%s)\n", bomctl_str(u, "line_id",
		    "-"), bomctl_str(u, "mpn", ""), bomctl_str(u, "status",
		    ""));
	if (json_is_string(json_object_get(st, "note")))
		printf("note: %s\n", bomctl_str(st, "note", ""));
	json_array_foreach(json_object_get(st, "strategies"), i, s) {
		printf("\n");
		cmd_strategies_one(s);
	}
	json_decref(st);
	return rc;
}
