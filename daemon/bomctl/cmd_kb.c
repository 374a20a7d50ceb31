/*
 * bomctl kb seed: the original's demo knowledge (its "sourcing kb seed")
 * through the API: the four demo distributors with their type, trust,
 * account rep, terms and notes; the approved alternates of the sample
 * BOM's parts; the two parts the NeuroLink intake bans. What exists is
 * left as it is.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bomctl/bomctl.h"

static const struct cmd_kb_supplier {
	const char	*id, *name, *type, *trust, *rep, *terms, *notes;
} cmd_kb_suppliers[] = {
	{ "digikey", "Digi-Key", "authorized", "high", "Jennifer Walsh",
	    "Net 30", "[procurement 2024-06-15] Excellent support for medical "
	    "device customers - dedicated compliance team\n[engineering "
	    "2024-09-20] Fast response on technical queries, good datasheets\n"
	    "[finance 2024-11-01] Approved for volume discounts on orders "
	    ">$10K" },
	{ "mouser", "Mouser", "authorized", "high", "Michael Torres",
	    "Net 30", "[procurement 2024-08-10] Good backup supplier for "
	    "hard-to-find passives\n[engineering 2024-10-15] Strong inventory "
	    "of TI and STMicro parts\n[logistics 2024-12-01] Shipping from "
	    "Texas - 2-3 day delivery typical" },
	{ "newark", "Newark", "authorized", "high", "Sarah Johnson", "Net 45",
	    "[procurement 2024-05-20] Good for Amphenol and TE connectors\n"
	    "[quality 2024-07-15] Had one issue with counterfeit capacitors "
	    "in 2023 - resolved, now require COC\n[finance 2024-09-01] Longer "
	    "payment terms available for medical projects" },
	{ "arrow", "Arrow Electronics", "authorized", "medium", "David Chen",
	    "Net 30", "[procurement 2024-04-10] Slower response times than "
	    "DigiKey/Mouser\n[engineering 2024-06-20] Good for Microchip/Atmel "
	    "parts\n[quality 2024-08-15] Requires longer lead times for full "
	    "traceability docs" },
};

/* A part: banned with reason, or approved with these alternates. */
static const struct cmd_kb_part {
	const char	*mpn;
	const char	*ban;		/* NULL: not banned */
	const char	*alternates[3];
} cmd_kb_parts[] = {
	{ "RC0805FR-0710KL", NULL, { "ERJ-6ENF1002V", "CRCW080510K0FKEA" } },
	{ "ECA-1EM101", NULL, { "UVR1E101MDD1TD" } },
	{ "ATMEGA328P-PU", NULL, { "ATMEGA328PB-AU" } },
	{ "2N2222A", NULL, { "PN2222A", "MMBT2222A" } },
	{ "1N4007-E3/54", NULL, { "1N4007-T", "S1M" } },
	{ "ADS1298", "Only 8 channels, need ADS1299 for full 8-ch "
	    "differential input", { NULL } },
	{ "STM32F4", "Insufficient processing power for real-time DSP "
	    "requirements", { NULL } },
};

#define CMD_KB_N(a)	(sizeof(a) / sizeof((a)[0]))

/* True when list (objects) has one whose member is id. */
static bool
cmd_kb_has(const json_t *list, const char *member, const char *id)
{
	const json_t *o;
	size_t i;

	json_array_foreach(list, i, o)
		if (strcmp(bomctl_str(o, member, ""), id) == 0)
			return true;
	return false;
}

/* POSTs body (taken over) to path, dropping the answer; the exit code. */
static int
cmd_kb_post(struct bomctl *ctl, const char *path, json_t *body)
{
	json_t *out = NULL;
	int rc;

	rc = http_post(ctl, path, body, &out);
	json_decref(body);
	json_decref(out);
	return rc;
}

/* The parts of the seed that are not known yet. */
static int
cmd_kb_seed_parts(struct bomctl *ctl, const json_t *known, size_t *n)
{
	const struct cmd_kb_part *p;
	char path[BOMCTL_MAX_URL];
	size_t i, k;
	int rc;

	for (i = 0; i < CMD_KB_N(cmd_kb_parts); i++) {
		p = &cmd_kb_parts[i];
		if (cmd_kb_has(known, "mpn", p->mpn))
			continue;
		for (k = 0; k < 3 && (p->ban != NULL || p->alternates[k]);
		    k++) {
			if ((rc = http_id_arg(ctl, "kb seed", "MPN",
			    "/knowledge/parts/", p->mpn, p->ban ? "/ban" :
			    "/alternates", path, sizeof(path))) !=
			    BOMCTL_EXIT_OK ||
			    (rc = cmd_kb_post(ctl, path, p->ban ? json_pack(
			    "{s:s, s:s}", "reason", p->ban, "user", "kb seed") :
			    json_pack("{s:s, s:s, s:s}", "alternate_mpn",
			    p->alternates[k], "reason", "demo knowledge",
			    "user", "kb seed"))) != BOMCTL_EXIT_OK)
				return rc;
			if (p->ban != NULL)
				break;
		}
		(*n)++;
	}
	return BOMCTL_EXIT_OK;
}

/* kb seed */
int
cmd_kb_seed(struct bomctl *ctl, int argc, char **argv)
{
	const struct cmd_kb_supplier *s;
	json_t *sup = NULL, *parts = NULL, *out;
	size_t i, nsup = 0, nparts = 0;
	int rc;

	if ((rc = bomctl_parse(ctl, "kb seed", argc, argv, NULL, NULL, 0, 0,
	    "")) != BOMCTL_EXIT_OK ||
	    (rc = http_get(ctl, "/knowledge/suppliers?limit=1000", &sup)) !=
	    BOMCTL_EXIT_OK ||
	    (rc = http_get(ctl, "/knowledge/parts?limit=1000", &parts)) !=
	    BOMCTL_EXIT_OK)
		goto out;
	for (i = 0; i < CMD_KB_N(cmd_kb_suppliers); i++) {
		s = &cmd_kb_suppliers[i];
		if (cmd_kb_has(sup, "supplier_id", s->id))
			continue;
		if ((rc = cmd_kb_post(ctl, "/knowledge/suppliers", json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "supplier_id",
		    s->id, "name", s->name, "supplier_type", s->type,
		    "trust_level", s->trust, "account_rep", s->rep,
		    "payment_terms", s->terms, "notes", s->notes))) !=
		    BOMCTL_EXIT_OK)
			goto out;
		nsup++;
	}
	if ((rc = cmd_kb_seed_parts(ctl, parts, &nparts)) != BOMCTL_EXIT_OK)
		goto out;
	if (ctl->json) {
		out = json_pack("{s:I, s:I}", "suppliers", (json_int_t)nsup,
		    "parts", (json_int_t)nparts);
		rc = bomctl_print_json(out);
		json_decref(out);
	} else
		printf("seeded %zu suppliers and %zu parts (%zu and %zu were "
		    "there already)\n", nsup, nparts,
		    CMD_KB_N(cmd_kb_suppliers) - nsup,
		    CMD_KB_N(cmd_kb_parts) - nparts);
out:
	json_decref(sup);
	json_decref(parts);
	return rc;
}
