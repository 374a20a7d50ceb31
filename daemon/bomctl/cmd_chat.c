/*
 * bomctl chat: questions to POST /v1/chat/completions about the tenant's
 * BOMs, projects and knowledge; one with a message argument, else a
 * conversation read line by line from stdin (the turns go back with each
 * question, as the original's chat mode had none).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "bomctl/bomctl.h"

#define CHAT_TIMEOUT_SEC	300L	/* an LLM may take its time */
#define CHAT_MAX_TURNS		40	/* messages kept for the context */

/* The original CLI's system prompt: a general sourcing answer. */
static const char chat_system[] =
    "You are an electronics parts sourcing expert. You help users identify "
    "parts, find alternatives, and optimize their Bill of Materials for "
    "cost, availability, and reliability. Be concise and practical in your "
    "responses.";

/*
 * Sends the conversation msgs and appends the answer to it. With --json
 * prints the server's answer, else its text. The exit code.
 */
static int
cmd_chat_ask(struct bomctl *ctl, json_t *msgs)
{
	json_t *body, *out = NULL;
	const char *text;
	char *s;
	int rc;

	body = json_pack("{s:s, s:O}", "model", "bom-agent", "messages", msgs);
	s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	rc = http_request(ctl, "/v1/chat/completions", NULL, s, true, false,
	    CHAT_TIMEOUT_SEC, &out);
	free(s);
	if (rc != BOMCTL_EXIT_OK)
		return rc;
	text = bomctl_str(json_object_get(json_array_get(json_object_get(out,
	    "choices"), 0), "message"), "content", NULL);
	if (ctl->json)
		rc = bomctl_print_json(out);
	else if (text == NULL) {
		bomctl_err("the answer has no choices[0].message.content");
		rc = BOMCTL_EXIT_ERR;
	} else
		printf("%s\n", text);
	if (text != NULL)
		json_array_append_new(msgs, json_pack("{s:s, s:s}", "role",
		    "assistant", "content", text));
	json_decref(out);
	return rc;
}

/* chat [MESSAGE] [--system TEXT] */
int
cmd_chat(struct bomctl *ctl, int argc, char **argv)
{
	const char *pos[1] = { NULL }, *system = NULL;
	const struct bomctl_opt opts[] = { { "system", &system, NULL },
	    { NULL, NULL, NULL } };
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	json_t *msgs, *m;
	int rc;

	if ((rc = bomctl_parse(ctl, "chat", argc, argv, opts, pos, 0, 1,
	    "a MESSAGE")) != BOMCTL_EXIT_OK)
		return rc;
	msgs = json_pack("[{s:s, s:s}]", "role", "system", "content",
	    system != NULL ? system : chat_system);
	if (msgs == NULL)
		return bomctl_usage_error("chat: --system is not valid UTF-8");
	if (pos[0] != NULL) {
		if ((m = json_pack("{s:s, s:s}", "role", "user", "content",
		    pos[0])) == NULL)
			rc = bomctl_usage_error("chat: the message is not "
			    "valid UTF-8");
		else {
			json_array_append_new(msgs, m);
			rc = cmd_chat_ask(ctl, msgs);
		}
		json_decref(msgs);
		return rc;
	}
	if (tty)
		printf("chat with bomd (an empty line or \"quit\" ends)\n");
	for (;;) {
		if (tty) {
			printf("you> ");
			fflush(stdout);
		}
		if ((n = getline(&line, &cap, stdin)) == -1)
			break;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (strcmp(line, "quit") == 0 || strcmp(line, "exit") == 0 ||
		    (tty && n == 0))
			break;
		if (n == 0)
			continue;
		if ((m = json_pack("{s:s, s:s}", "role", "user", "content",
		    line)) == NULL) {
			bomctl_err("chat: the line is not valid UTF-8");
			continue;
		}
		json_array_append_new(msgs, m);
		/* the system message and the latest turns */
		while (json_array_size(msgs) > CHAT_MAX_TURNS)
			json_array_remove(msgs, 1);
		if ((rc = cmd_chat_ask(ctl, msgs)) != BOMCTL_EXIT_OK)
			break;
		if (tty)
			printf("\n");
	}
	free(line);
	json_decref(msgs);
	return rc;
}
