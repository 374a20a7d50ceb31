/*
 * Distributor text to numbers: localised prices ("1.234,56 €", "7,20 kr",
 * "¥32.8", "$0.0125"), stock ("6178 In Stock", "12 345") and lead times
 * ("42 Days", "6 Weeks", "8-10 weeks") as the APIs send them.
 */
#ifndef BOMD_OFFER_TEXT_H
#define BOMD_OFFER_TEXT_H

#include <stdint.h>

/*
 * Parses a price with an optional currency symbol or code before or after
 * it. Blanks, no-break spaces (U+00A0, U+202F, U+2009) and apostrophes
 * group thousands; with both '.' and ',' the last one is the decimal
 * mark, and one of them alone is the decimal mark once but a thousands
 * separator when repeated. Digits past the sixth decimal are rounded.
 * Returns 0 with *micros, and in cur the ISO code the text names when it
 * is unambiguous ("€" EUR, "£" GBP, "US$" USD, "CHF", ...; "" for "$",
 * "¥" or "kr", which several currencies write), or -1 with a static
 * reason in *why (cur and why may be NULL).
 */
int	offer_text_price(const char *s, int64_t *micros, char cur[4],
	    const char **why);

/*
 * Parses the leading whole number of s ("6178 In Stock", "6,178",
 * "12 345 pcs"): separators between groups of three digits are skipped.
 * Returns 0 with *n, or -1 with a static reason ("no number" for "None",
 * "On Order", "").
 */
int	offer_text_qty(const char *s, int64_t *n, const char **why);

/*
 * Parses a lead time into days: "42 Days", "6 Weeks", "6 Wochen", "3 wk",
 * a range ("8-10 weeks": the longer end), or a bare number, which counts
 * unit_days each (7 for DigiKey's ManufacturerLeadWeeks). Returns 0 with
 * *days (at most 3650), or -1 with a static reason ("unknown" for "N/A",
 * "", "Contact us").
 */
int	offer_text_days(const char *s, int unit_days, int64_t *days,
	    const char **why);

#endif
