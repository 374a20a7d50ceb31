/*
 * bomctl: the command-line client for bomd's HTTP API. This file holds
 * main, the command table, the usage text and the command line: global
 * options, each command's options (getopt_long) and subcommand dispatch.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "version.h"
#include "bomctl/bomctl.h"

static const char bomctl_usage_text[] =
"usage: bomctl [--json] COMMAND [ARGS]\n"
"\n"
"Command-line client for the bomd BOM sourcing service.\n"
"\n"
"Commands:\n"
"  submit BOM.csv [--intake FILE.yaml] [--wait|--async]\n"
"                         upload a BOM (and optional intake YAML) and\n"
"                         process it. --wait (default): the server waits\n"
"                         for the result, then the project is summarised.\n"
"                         --async: answer at once and print the job id;\n"
"                         --async --wait: follow the project's progress\n"
"                         (GET /projects/ID/events; a bar on a terminal,\n"
"                         one line per status change otherwise) until the\n"
"                         job finishes; polls the job when the stream is\n"
"                         unavailable. A failed job exits 1.\n"
"  projects [--limit N]   list your projects, newest first (default 100)\n"
"  show PROJECT_ID        the decision table of a project, its totals,\n"
"                         and its report: summary, risks and budget\n"
"  strategies PROJECT_ID  the exact sourcing strategies of a project:\n"
"                         lowest total with order costs, fewest\n"
"                         suppliers, soonest, single supplier\n"
"  trace PROJECT_ID [--no-reasoning] [--no-timing]\n"
"                         the processing trace: timestamp, step, agent,\n"
"                         message and the time since the step before,\n"
"                         each agent's reasoning under its step\n"
"  watch PROJECT_ID       the trace as it grows (the project's event\n"
"                         stream) until the job is done; failed exits 1\n"
"  chat [MESSAGE] [--system TEXT]\n"
"                         ask about your BOMs, projects and knowledge\n"
"                         (POST /v1/chat/completions); without MESSAGE,\n"
"                         a conversation read line by line from stdin\n"
"  jobs show JOB_ID       the state of a job\n"
"  jobs dead [--limit N]  your dead jobs (out of attempts or crashing a\n"
"                         worker every time): attempts, when, and why\n"
"  jobs retry JOB_ID      queue a dead or failed job again, attempts\n"
"                         reset (409 when it is neither)\n"
"\n"
"  parts [list] [--limit N]\n"
"                         the parts your organisation knows: banned or\n"
"                         not, approved alternates, times used\n"
"  parts show MPN         everything known about one part\n"
"  parts ban MPN --reason R [--user U]\n"
"                         never buy this part again (its approved\n"
"                         alternate is proposed instead); --reason is\n"
"                         required\n"
"  parts unban MPN [--user U]\n"
"                         lift a ban\n"
"  parts alternates MPN   the approved alternates of a part\n"
"  parts add-alternate MPN ALT [--reason R] [--user U]\n"
"                         approve ALT as a drop-in alternate for MPN\n"
"                         (an MPN may contain '/': it is sent encoded)\n"
"\n"
"  suppliers [list] [--limit N]\n"
"                         your suppliers: type, trust, on-time and\n"
"                         quality rates\n"
"  suppliers show SUPPLIER_ID\n"
"                         everything known about one supplier\n"
"  suppliers add SUPPLIER_ID --name NAME [--type authorized|broker|direct]\n"
"      [--trust high|medium|low|blocked] [--order-cost AMOUNT]\n"
"      [--account-rep R] [--payment-terms T] [--notes N]\n"
"                         add a supplier (defaults: authorized, medium,\n"
"                         order cost 0)\n"
"  suppliers set SUPPLIER_ID [--name N] [--type T] [--trust L]\n"
"      [--order-cost AMOUNT] [--account-rep R] [--payment-terms T]\n"
"      [--notes N]        change what is given; the order cost is the\n"
"                         shipping and handling of one order from it\n"
"  suppliers trust SUPPLIER_ID high|medium|low|blocked [--reason R]\n"
"      [--user U]         set a supplier's trust; blocked suppliers are\n"
"                         never chosen\n"
"\n"
"  keys [list] [--limit N]\n"
"                         your client's API keys (never their secrets)\n"
"  keys create --name N [--scope all|read|project:ID,...]\n"
"                         a new key for your client, shown once\n"
"  keys revoke KEY_ID     stop a key working, at once\n"
"  kb seed                the original service's demo knowledge: four\n"
"                         distributors, alternates of the sample parts,\n"
"                         two banned parts (what exists is kept)\n"
"\n"
"  admin status           is an admin key set, how many clients and keys\n"
"                         (no key needed)\n"
"  admin bootstrap [--name N] [--slug S] [--key-name K]\n"
"                         a client (default \"Demo Client\", slug demo)\n"
"                         and a key for it, or a new key for the client\n"
"                         of that slug (BOMCTL_ADMIN_KEY)\n"
"  admin reset-demo       revoke the demo client's keys and deactivate it\n"
"                         (BOMCTL_ADMIN_KEY)\n"
"  search MPN [--manufacturer M] [--provider digikey,mouser,nexar]\n"
"                         live offers from the distributors the server\n"
"                         has configured, by unit price, and what each\n"
"                         distributor said (ok, failed, out of budget)\n"
"\n"
"Options:\n"
"  --json                 print the server's JSON answer (pretty) instead\n"
"                         of tables; progress, if any, goes to stderr on\n"
"                         a terminal only\n"
"  --limit N              at most N rows (1 to 1000000; the server caps\n"
"                         it)\n"
"  -h, --help             print this help and exit\n"
"  -V, --version          print the version and exit\n"
"  Options take their value as \"--opt VALUE\" or \"--opt=VALUE\"; \"--\"\n"
"  ends the options (for an MPN that starts with \"-\").\n"
"\n"
"Environment:\n"
"  BOMCTL_URL             the bomd API (default " BOMCTL_DEFAULT_URL ")\n"
"  BOMCTL_API_KEY         your API key, sent as X-API-Key (required for\n"
"                         every command but admin)\n"
"  BOMCTL_ADMIN_KEY       the server's admin_key, sent as X-Admin-Key by\n"
"                         admin bootstrap and admin reset-demo\n"
"\n"
"Exit status:\n"
"  0 success, 1 error (HTTP error with the server's detail, failed job),\n"
"  2 usage error, 3 server unreachable, 4 API key refused (401),\n"
"  5 not found (404: project, job, part or supplier)\n";

/*
 * A command, or a subcommand of a group ("parts show"), and what runs
 * it. The subcommand marked dflt runs when its group is given
 * none ("parts", "parts --limit 5").
 */
struct bomctl_cmd {
	const char	*name;
	const char	*sub;		/* NULL: a command of its own */
	int		(*fn)(struct bomctl *, int, char **);
	const struct fetch_one *one;	/* for fn NULL: fetch_one() runs it */
	bool		 dflt;
};

/*
 * The commands, as the first arguments name them; a group's rows together.
 * Each row says what runs it: its function, or fetch_one() with a
 * command on one thing.
 */
static const struct bomctl_cmd bomctl_cmds[] = {
	{ "submit", NULL, .fn = cmd_submit },
	{ "projects", NULL, .fn = cmd_projects },
	{ "show", NULL, .fn = cmd_show },
	{ "trace", NULL, .fn = cmd_trace },
	{ "watch", NULL, .fn = cmd_watch },
	{ "chat", NULL, .fn = cmd_chat },
	{ "keys", "list", .fn = cmd_keys_list, .dflt = true },
	{ "keys", "create", .fn = cmd_keys_create },
	{ "keys", "revoke", .one = &cmd_keys_revoke },
	{ "kb", "seed", .fn = cmd_kb_seed },
	{ "admin", "status", .fn = cmd_admin_status },
	{ "admin", "bootstrap", .fn = cmd_admin_bootstrap },
	{ "admin", "reset-demo", .fn = cmd_admin_reset_demo },
	{ "jobs", "show", .one = &cmd_jobs_show },
	{ "jobs", "dead", .fn = cmd_jobs_dead },
	{ "jobs", "retry", .one = &cmd_jobs_retry },
	{ "parts", "list", .fn = cmd_parts_list, .dflt = true },
	{ "parts", "show", .one = &cmd_parts_show },
	{ "parts", "ban", .one = &cmd_parts_ban },
	{ "parts", "unban", .one = &cmd_parts_unban },
	{ "parts", "alternates", .fn = cmd_parts_alternates },
	{ "parts", "add-alternate", .one = &cmd_parts_add_alternate },
	{ "suppliers", "list", .fn = cmd_suppliers_list, .dflt = true },
	{ "suppliers", "show", .one = &cmd_suppliers_show },
	{ "suppliers", "add", .fn = cmd_suppliers_add },
	{ "suppliers", "set", .fn = cmd_suppliers_set },
	{ "suppliers", "trust", .one = &cmd_suppliers_trust },
	{ "search", NULL, .fn = cmd_search },
	{ "strategies", NULL, .fn = cmd_strategies },
	{ .name = NULL }
};

/* getopt_long() codes beside the short options and 1 (a positional). */
enum {
	BOMCTL_OPT_STOP = -2,	/* bomctl_next(): stop with *rc */
	BOMCTL_OPT_JSON = 256,
	BOMCTL_OPT_CMD = 512,	/* + the index in the command's options */
	BOMCTL_MAX_OPTS = 8	/* options of one command */
};

/* The global options, accepted before the command and among its own. */
static const struct option bomctl_global_opts[] = {
	{ "json", no_argument, NULL, BOMCTL_OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};
#define BOMCTL_NGLOBAL \
	(sizeof(bomctl_global_opts) / sizeof(bomctl_global_opts[0]))

void
bomctl_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("bomctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
bomctl_usage_error(const char *fmt, ...)
{
	char msg[BOMCTL_MAX_URL];	/* cut there: argv words can be long */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bomctl_err("%s (see bomctl --help)", msg);
	return BOMCTL_EXIT_USAGE;
}

/*
 * The next option of argv from getopt_long(), the global ones acted on
 * here: the option's code (1 for a positional, in optarg), or -1 at the
 * end. BOMCTL_OPT_STOP with *rc set after --help or --version, and after
 * an unknown option or a missing value (a usage error naming cmd, or
 * quietly BOMCTL_EXIT_USAGE unless report).
 */
static int
bomctl_next(struct bomctl *ctl, const char *cmd, int argc, char **argv,
    const char *optstring, const struct option *lo, bool report, int *rc)
{
	const char *sep = cmd != NULL ? ": " : "";
	int c, at;

	if (cmd == NULL)
		cmd = "";
	for (;;) {
		/* the element getopt_long() reads (optind 0: it restarts) */
		at = optind > 0 ? optind : 1;
		switch ((c = getopt_long(argc, argv, optstring, lo, NULL))) {
		case BOMCTL_OPT_JSON:
			ctl->json = true;
			continue;
		case 'h':
			fputs(bomctl_usage_text, stdout);
			*rc = BOMCTL_DONE;
			return BOMCTL_OPT_STOP;
		case 'V':
			printf("bomctl %s (%s)\n", BOMD_VERSION,
			    curl_version());
			*rc = BOMCTL_DONE;
			return BOMCTL_OPT_STOP;
		case ':':
		case '?':
			*rc = BOMCTL_EXIT_USAGE;
			if (!report)
				return BOMCTL_OPT_STOP;
			/*
			 * No short option takes a value; one may sit inside
			 * "-xy", so it is named alone.
			 */
			if (strncmp(argv[at], "--", 2) != 0)
				*rc = bomctl_usage_error("%s%sunknown option "
				    "-%c", cmd, sep, optopt);
			else if (c == ':')
				*rc = bomctl_usage_error("%s%s%s needs a value",
				    cmd, sep, argv[at]);
			else
				*rc = bomctl_usage_error("%s%sunknown option "
				    "%s", cmd, sep, argv[at]);
			return BOMCTL_OPT_STOP;
		default:
			return c;
		}
	}
}

/* Adds arg to the npos positionals of pos; the exit code. */
static int
bomctl_pos(const char *cmd, const char *arg, const char **pos, int *npos,
    int maxpos)
{
	if (*npos == maxpos)
		return bomctl_usage_error("%s: unexpected argument %s", cmd,
		    arg);
	pos[(*npos)++] = arg;
	return BOMCTL_EXIT_OK;
}

int
bomctl_parse(struct bomctl *ctl, const char *cmd, int argc, char **argv,
    const struct bomctl_opt *opts, const char **pos, int minpos, int maxpos,
    const char *posnames)
{
	struct option lo[BOMCTL_MAX_OPTS + BOMCTL_NGLOBAL];
	const struct bomctl_opt *o;
	size_t n;
	int c, i, rc, npos = 0;

	for (n = 0; opts != NULL && opts[n].name != NULL; n++) {
		if (n == BOMCTL_MAX_OPTS)
			fatalx("%s: more than %d options", cmd,
			    BOMCTL_MAX_OPTS);
		lo[n].name = opts[n].name;
		lo[n].has_arg = opts[n].value != NULL ? required_argument :
		    no_argument;
		lo[n].flag = NULL;
		lo[n].val = BOMCTL_OPT_CMD + (int)n;
	}
	memcpy(lo + n, bomctl_global_opts, sizeof(bomctl_global_opts));
	/* "-": positionals come back in order, between the options */
	optind = 0;
	while ((c = bomctl_next(ctl, cmd, argc, argv, "-:hV", lo, true,
	    &rc)) != -1) {
		if (c == BOMCTL_OPT_STOP)
			return rc;
		if (c == 1) {
			if ((rc = bomctl_pos(cmd, optarg, pos, &npos,
			    maxpos)) != BOMCTL_EXIT_OK)
				return rc;
			continue;
		}
		o = &opts[c - BOMCTL_OPT_CMD];
		if (o->value != NULL)
			*o->value = optarg;
		else
			*o->flag = true;
	}
	/* what follows "--" */
	for (i = optind; i < argc; i++)
		if ((rc = bomctl_pos(cmd, argv[i], pos, &npos, maxpos)) !=
		    BOMCTL_EXIT_OK)
			return rc;
	if (npos < minpos)
		return bomctl_usage_error("%s: needs %s", cmd, posnames);
	for (i = 0; i < npos; i++)
		if (pos[i][0] == '\0')
			return bomctl_usage_error("%s: needs %s, not an empty "
			    "string", cmd, posnames);
	return http_open(ctl);
}

/*
 * The row of bomctl_cmds named word: a command (or a group's first row)
 * when group is NULL, else that subcommand of group. NULL when none is.
 */
static const struct bomctl_cmd *
bomctl_find(const char *group, const char *word)
{
	const struct bomctl_cmd *c;

	for (c = bomctl_cmds; c->name != NULL; c++)
		if (group == NULL ? strcmp(c->name, word) == 0 :
		    strcmp(c->name, group) == 0 && strcmp(c->sub, word) == 0)
			return c;
	return NULL;
}

/* group's subcommand marked dflt, or NULL (always NULL for no group). */
static const struct bomctl_cmd *
bomctl_default(const char *group)
{
	const struct bomctl_cmd *c;

	for (c = bomctl_cmds; group != NULL && c->name != NULL; c++)
		if (c->dflt && strcmp(c->name, group) == 0)
			return c;
	return NULL;
}

/* The subcommands of group as "a, b and c" into out. */
static void
bomctl_subnames(const char *group, char *out, size_t len)
{
	const struct bomctl_cmd *c;
	size_t n = 0, i = 0, at = 0;
	int w;

	out[0] = '\0';
	for (c = bomctl_cmds; c->name != NULL; c++)
		n += strcmp(c->name, group) == 0;
	for (c = bomctl_cmds; c->name != NULL && at < len; c++) {
		if (strcmp(c->name, group) != 0)
			continue;
		w = snprintf(out + at, len - at, "%s%s", i == 0 ? "" :
		    i + 1 == n ? " and " : ", ", c->sub);
		if (w < 0)
			return;
		at += (size_t)w;
		i++;
	}
}

/* Runs c on argv (argv[0] is its name); the exit code. */
static int
bomctl_run(struct bomctl *ctl, const struct bomctl_cmd *c, int argc,
    char **argv)
{
	if (c->fn != NULL)
		return c->fn(ctl, argc, argv);
	return fetch_one(ctl, c->one, argc, argv);
}

/*
 * Runs the command of bomctl_cmds that the first argument after the
 * global options names: a command (group NULL) or a subcommand of group
 * (argv[0]). Without one, or when options come first, runs group's
 * default subcommand, or says which subcommands there are. The exit code,
 * as bomctl_parse() gives it.
 */
static int
bomctl_dispatch(struct bomctl *ctl, const char *group, int argc,
    char **argv)
{
	const struct bomctl_cmd *c, *dflt = bomctl_default(group);
	char names[256];
	int rc;

	/* "+": the global options up to the (sub)command's name */
	optind = 0;
	if (bomctl_next(ctl, group, argc, argv, "+:hV", bomctl_global_opts,
	    dflt == NULL, &rc) != -1) {
		if (rc == BOMCTL_DONE || dflt == NULL)
			return rc;
		/* an option of the default subcommand ("parts --limit 5") */
		return bomctl_run(ctl, dflt, argc, argv);
	}
	if (optind == argc && dflt != NULL)
		return bomctl_run(ctl, dflt, argc, argv);
	if (optind == argc && group == NULL)
		return bomctl_usage_error("no command given");
	if (group != NULL)
		bomctl_subnames(group, names, sizeof(names));
	if (optind == argc)
		return bomctl_usage_error("%s: the subcommands are %s", group,
		    names);
	if ((c = bomctl_find(group, argv[optind])) != NULL)
		return group == NULL && c->sub != NULL ?
		    bomctl_dispatch(ctl, c->name, argc - optind,
		    argv + optind) : bomctl_run(ctl, c, argc - optind,
		    argv + optind);
	if (group == NULL)
		return bomctl_usage_error("unknown command \"%s\"",
		    argv[optind]);
	return bomctl_usage_error("%s: unknown subcommand \"%s\"; the "
	    "subcommands are %s", group, argv[optind], names);
}

const char *
bomctl_str(const json_t *obj, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : dflt;
}

int
bomctl_print_json(const json_t *v)
{
	char *s;

	if ((s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY)) == NULL) {
		bomctl_err("cannot format JSON");
		return BOMCTL_EXIT_ERR;
	}
	printf("%s\n", s);
	free(s);
	return BOMCTL_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct bomctl ctl;
	int rc;

	memset(&ctl, 0, sizeof(ctl));
	opterr = 0;	/* bomctl_next() says what is wrong, in one line */
	if ((rc = bomctl_dispatch(&ctl, NULL, argc, argv)) == BOMCTL_DONE)
		rc = BOMCTL_EXIT_OK;
	http_close(&ctl);
	if (fflush(stdout) == EOF && rc == BOMCTL_EXIT_OK) {
		bomctl_err("cannot write output: %s", strerror(errno));
		rc = BOMCTL_EXIT_ERR;
	}
	return rc;
}
