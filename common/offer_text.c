/*
 * Localised distributor text to integers: prices to micro-units, stock
 * counts and lead times to days. One parser for every provider, so a
 * format seen once is handled everywhere.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "offer_text.h"
#include "util.h"

#define OFFER_TEXT_MAX		128	/* bytes of a price text */
#define OFFER_TEXT_MAX_DAYS	3650

/* Currency texts: a symbol or word and the ISO code ("" : ambiguous). */
static const struct offer_text_cur {
	const char	*text;
	const char	*code;
} offer_text_curs[] = {
	{ "\xe2\x82\xac", "EUR" },	/* € */
	{ "\xc2\xa3", "GBP" },		/* £ */
	{ "US$", "USD" },
	{ "C$", "CAD" },
	{ "CA$", "CAD" },
	{ "A$", "AUD" },
	{ "AU$", "AUD" },
	{ "R$", "BRL" },
	{ "$", "" },
	{ "\xc2\xa5", "" },		/* ¥: yen or yuan */
	{ "\xef\xbf\xa5", "" },		/* fullwidth ¥ */
	{ "\xe5\x85\x83", "CNY" },	/* 元 */
	{ "\xe2\x82\xb9", "INR" },	/* ₹ */
	{ "\xe2\x82\xa9", "KRW" },	/* ₩ */
	{ "z\xc5\x82", "PLN" },		/* zł */
	{ "K\xc4\x8d", "CZK" },		/* Kč */
	{ "Ft", "HUF" },
	{ "kr", "" },			/* SEK, DKK, NOK */
	{ "kr.", "" },
	{ "Fr.", "CHF" },
};

/* The length of the blank (ASCII or Unicode space) at s; 0 when none. */
static size_t
offer_text_blank(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (*u == ' ' || *u == '\t')
		return 1;
	if (u[0] == 0xc2 && u[1] == 0xa0)		/* no-break space */
		return 2;
	if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xaf ||
	    u[2] == 0x89 || u[2] == 0x87))	/* narrow, thin, figure */
		return 3;
	return 0;
}

/* p past the blanks it starts with. */
static const char *
offer_text_skip_blanks(const char *p)
{
	size_t k;

	while ((k = offer_text_blank(p)) > 0)
		p += k;
	return p;
}

/* s[0..n) without blanks at either end, into out; its length. */
static size_t
offer_text_trim(const char *s, size_t n, char *out, size_t outlen)
{
	size_t k, i;

	while (n > 0 && (k = offer_text_blank(s)) > 0 && k <= n) {
		s += k;
		n -= k;
	}
	/* trailing blanks: ASCII, or the last bytes of a UTF-8 one */
	for (;;) {
		if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		else if (n >= 2 && offer_text_blank(s + n - 2) == 2)
			n -= 2;
		else if (n >= 3 && offer_text_blank(s + n - 3) == 3)
			n -= 3;
		else
			break;
	}
	if (n >= outlen)
		n = outlen - 1;
	for (i = 0; i < n; i++)
		out[i] = s[i];
	out[n] = '\0';
	return n;
}

/* The ISO code an affix names into cur; -1 when it names none known. */
static int
offer_text_currency(const char *affix, char cur[4])
{
	size_t i;

	cur[0] = '\0';
	if (affix[0] == '\0')
		return 0;
	for (i = 0; i < sizeof(offer_text_curs) / sizeof(offer_text_curs[0]);
	    i++)
		if (strcmp(affix, offer_text_curs[i].text) == 0) {
			snprintf(cur, 4, "%s", offer_text_curs[i].code);
			return 0;
		}
	if (strlen(affix) == 3 && isupper((unsigned char)affix[0]) &&
	    isupper((unsigned char)affix[1]) &&
	    isupper((unsigned char)affix[2])) {
		memcpy(cur, affix, 4);
		return 0;
	}
	return -1;
}

/*
 * The digits of a number whose decimal mark is dec (0: none) and whose
 * thousands separator is grp into micro-units, rounding past 6 decimals;
 * NULL, or why they are refused.
 */
static const char *
offer_text_digits(const char *num, char dec, char grp, int64_t *micros)
{
	int64_t units = 0, frac = 0;
	int nfrac = 0, since = -1, round = 0;
	bool in_frac = false;
	const char *p;

	for (p = num; *p != '\0'; p++) {
		if (*p == grp && !in_frac) {
			/* groups of three after the first */
			if (since == 0 || (since > 0 && since != 3) ||
			    p == num)
				return "misplaced thousands separator";
			since = 0;
			continue;
		}
		if (*p == dec) {
			if (since >= 0 && since != 3)
				return "misplaced thousands separator";
			in_frac = true;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			return "not a number";
		if (in_frac) {
			if (nfrac < 6)
				frac = frac * 10 + (*p - '0');
			else if (nfrac == 6)
				round = *p >= '5';
			nfrac++;
			continue;
		}
		if (since >= 0)
			since++;
		if (units > (INT64_MAX / MICROS_PER_UNIT - 9) / 10)
			return "out of range";
		units = units * 10 + (*p - '0');
	}
	if (since >= 0 && since != 3)
		return "misplaced thousands separator";
	for (; nfrac < 6; nfrac++)
		frac *= 10;
	*micros = units * MICROS_PER_UNIT + frac + round;
	return NULL;
}

/* offer_text_price() (cur not NULL): NULL, or why s is refused. */
static const char *
offer_text_read_price(const char *s, int64_t *micros, char cur[4])
{
	const char *first = NULL, *last = NULL, *p, *why;
	char num[OFFER_TEXT_MAX], pre[32], post[32], dec, grp;
	size_t n = 0, k, ndot = 0, ncomma = 0;
	const char *lastdot = NULL, *lastcomma = NULL;

	cur[0] = '\0';
	if (s == NULL || strlen(s) >= OFFER_TEXT_MAX)
		return s == NULL ? "empty" : "too long";
	for (p = s; *p != '\0'; p++)
		if (isdigit((unsigned char)*p)) {
			if (first == NULL)
				first = p;
			last = p;
		}
	if (first == NULL)
		return "not a number";
	/* ".5" and ",50": a mark right before the first digit belongs */
	if (first > s && (first[-1] == '.' || first[-1] == ',') &&
	    (first - 1 == s || !isalpha((unsigned char)first[-2])))
		first--;
	for (p = s; p < first; p++)
		if (*p == '-')
			return "negative";
	for (p = first; p <= last; p += k) {
		if ((k = offer_text_blank(p)) > 0)
			continue;
		k = 1;
		if (*p == '\'')
			continue;
		if (*p == '.') {
			ndot++;
			lastdot = p;
		} else if (*p == ',') {
			ncomma++;
			lastcomma = p;
		} else if (!isdigit((unsigned char)*p)) {
			return "not a number";
		}
		num[n++] = *p;
	}
	num[n] = '\0';
	if (ndot > 0 && ncomma > 0) {
		dec = lastdot > lastcomma ? '.' : ',';
		grp = dec == '.' ? ',' : '.';
		if ((dec == '.' ? ndot : ncomma) != 1)
			return "two decimal marks";
	} else if (ndot + ncomma == 1) {
		dec = ndot ? '.' : ',';
		grp = 0;
	} else if (ndot + ncomma > 1) {
		dec = 0;
		grp = ndot ? '.' : ',';
	} else
		dec = grp = 0;
	if ((why = offer_text_digits(num, dec, grp, micros)) != NULL)
		return why;
	offer_text_trim(s, (size_t)(first - s), pre, sizeof(pre));
	offer_text_trim(last + 1, strlen(last + 1), post, sizeof(post));
	if (pre[0] != '\0' && post[0] != '\0')
		return "text on both sides of the number";
	if (offer_text_currency(pre[0] != '\0' ? pre : post, cur) == -1)
		return "unknown currency text";
	return NULL;
}

int
offer_text_price(const char *s, int64_t *micros, char cur[4],
    const char **why)
{
	char curbuf[4];

	return parse_result(offer_text_read_price(s, micros,
	    cur != NULL ? cur : curbuf), why);
}

/* Bytes of a thousands separator at p followed by three digits, or 0. */
static size_t
offer_text_group(const char *p)
{
	size_t k = offer_text_blank(p);

	if (k == 0 && (*p == ',' || *p == '.' || *p == '\''))
		k = 1;
	if (k == 0 || !isdigit((unsigned char)p[k]) ||
	    !isdigit((unsigned char)p[k + 1]) ||
	    !isdigit((unsigned char)p[k + 2]) ||
	    isdigit((unsigned char)p[k + 3]))
		return 0;
	return k;
}

/* offer_text_qty(): NULL, or why s is refused. */
static const char *
offer_text_read_qty(const char *s, int64_t *n)
{
	const char *p;
	int64_t v = 0;
	size_t k;

	if (s == NULL)
		return "no number";
	p = offer_text_skip_blanks(s);
	if (*p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return *p == '-' ? "negative" : "no number";
	for (;;) {
		if (isdigit((unsigned char)*p)) {
			if (v > (INT64_MAX - 9) / 10)
				return "out of range";
			v = v * 10 + (*p++ - '0');
			continue;
		}
		if ((k = offer_text_group(p)) == 0)
			break;
		p += k;
	}
	*n = v;
	return NULL;
}

int
offer_text_qty(const char *s, int64_t *n, const char **why)
{
	return parse_result(offer_text_read_qty(s, n), why);
}

/* Days in one unit word (lower case); 0 when the word is no time unit. */
static int
offer_text_unit(const char *w, int unit_days)
{
	static const struct {
		const char	*word;
		int		 days;
	} units[] = {
		{ "d", 1 }, { "day", 1 }, { "days", 1 }, { "tag", 1 },
		{ "tage", 1 }, { "jour", 1 }, { "jours", 1 }, { "dia", 1 },
		{ "dias", 1 }, { "giorni", 1 }, { "dni", 1 },
		{ "w", 7 }, { "wk", 7 }, { "wks", 7 }, { "week", 7 },
		{ "weeks", 7 }, { "woche", 7 }, { "wochen", 7 },
		{ "semaine", 7 }, { "semaines", 7 }, { "semana", 7 },
		{ "semanas", 7 }, { "settimane", 7 },
		{ "month", 30 }, { "months", 30 },
	};
	size_t i;

	if (w[0] == '\0')
		return unit_days;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(w, units[i].word) == 0)
			return units[i].days;
	return 0;
}

/* offer_text_days(): NULL, or why s is refused. */
static const char *
offer_text_read_days(const char *s, int unit_days, int64_t *days)
{
	const char *p;
	char word[16];
	int64_t v, hi;
	size_t k, n = 0;
	int per;

	if (s == NULL)
		return "unknown";
	p = offer_text_skip_blanks(s);
	if (!isdigit((unsigned char)*p))
		return "unknown";
	for (v = 0; isdigit((unsigned char)*p) && v < 100000; p++)
		v = v * 10 + (*p - '0');
	p = offer_text_skip_blanks(p);
	/* a range: the longer end */
	if (*p == '-' || strncasecmp(p, "to ", 3) == 0) {
		p += *p == '-' ? 1 : 3;
		p = offer_text_skip_blanks(p);
		if (!isdigit((unsigned char)*p))
			return "bad range";
		for (hi = 0; isdigit((unsigned char)*p) && hi < 100000; p++)
			hi = hi * 10 + (*p - '0');
		if (hi > v)
			v = hi;
		p = offer_text_skip_blanks(p);
	}
	while (isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80) {
		if (n + 1 >= sizeof(word))
			return "unknown unit";
		/* "días": the accent dropped */
		if ((unsigned char)p[0] == 0xc3 && (unsigned char)p[1] == 0xad) {
			word[n++] = 'i';
			p += 2;
			continue;
		}
		word[n++] = (char)tolower((unsigned char)*p++);
	}
	word[n] = '\0';
	while ((k = offer_text_blank(p)) > 0 || *p == '.')
		p += k ? k : 1;
	if ((per = offer_text_unit(word, unit_days)) == 0 || *p != '\0')
		return "unknown unit";
	if (v > OFFER_TEXT_MAX_DAYS / per)
		return "too long";
	*days = v * per;
	return NULL;
}

int
offer_text_days(const char *s, int unit_days, int64_t *days,
    const char **why)
{
	return parse_result(offer_text_read_days(s, unit_days, days), why);
}
