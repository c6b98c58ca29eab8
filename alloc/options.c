/*
 * options.c - the tunables' values, and the parser that sets them from
 * BUDDYMALLOC_OPTIONS ("name=value,name=value"; sizes take K, M or G).
 *
 * The environment is read once, at initialisation, straight from the
 * envp array: no getenv, no allocation. A bad entry costs one line on
 * stderr and leaves that option at its default.
 */
#include <string.h>

#include "internal.h"

struct options opt = {
#define X(name, type, def, min, max, unit, doc) .name = (def),
	OPTION_LIST(X)
#undef X
};

const struct opt_def opt_table[] = {
#define X(name, type, def, min, max, unit, doc) \
	{ #name, type, def, min, max, unit, doc, offsetof(struct options, name) },
	OPTION_LIST(X)
#undef X
};
const size_t opt_count = sizeof(opt_table) / sizeof(opt_table[0]);

static bool word_eq(const char *a, size_t alen, const char *b)
{
	return strlen(b) == alen && memcmp(a, b, alen) == 0;
}

/* Index of word v in "a|b|c", or -1. */
static long choice_index(const char *choices, const char *v, size_t vlen)
{
	long i = 0;
	for (const char *p = choices;; i++) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == vlen && memcmp(p, v, n) == 0)
			return i;
		if (!bar)
			return -1;
		p = bar + 1;
	}
}

static bool parse_number(const char *v, size_t len, bool with_unit, size_t *out)
{
	size_t n = 0, i = 0;
	if (len == 0)
		return false;
	for (; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
		if (n > ((size_t)-1 - 9) / 10)
			return false;
		n = n * 10 + (size_t)(v[i] - '0');
	}
	if (i == 0)
		return false;
	if (i < len && with_unit) {
		unsigned shift;
		switch (v[i]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return false;
		}
		if (n > ((size_t)-1 >> shift))
			return false;
		n <<= shift;
		i++;
		if (i < len && (v[i] == 'b' || v[i] == 'B'))	/* "256KB" */
			i++;
	}
	if (i != len)
		return false;
	*out = n;
	return true;
}

static bool parse_value(const struct opt_def *d, const char *v, size_t len, size_t *out)
{
	switch (d->type) {
	case OPT_BOOL:
		if (word_eq(v, len, "1") || word_eq(v, len, "yes") || word_eq(v, len, "on") || word_eq(v, len, "true"))
			*out = 1;
		else if (word_eq(v, len, "0") || word_eq(v, len, "no") || word_eq(v, len, "off") || word_eq(v, len, "false"))
			*out = 0;
		else
			return false;
		return true;
	case OPT_CHOICE: {
		long i = choice_index(d->unit, v, len);
		if (i < 0)
			return false;
		*out = (size_t)i;
		return true;
	}
	case OPT_SIZE:
	case OPT_COUNT:
		return parse_number(v, len, d->type == OPT_SIZE, out) && *out >= d->min && *out <= d->max;
	}
	return false;
}

static void complain(const char *what, const char *s, size_t len, const char *tail)
{
	char buf[200];
	size_t n = 0;
	const char *head = "buddymalloc: ";
	memcpy(buf, head, strlen(head));
	n += strlen(head);
	memcpy(buf + n, what, strlen(what));
	n += strlen(what);
	buf[n++] = '\'';
	if (len > 80)
		len = 80;
	memcpy(buf + n, s, len);
	n += len;
	buf[n++] = '\'';
	if (strlen(tail) > sizeof(buf) - n - 2)
		tail = "";
	memcpy(buf + n, tail, strlen(tail));
	n += strlen(tail);
	buf[n++] = '\n';
	os_write_stderr(buf, n);
}

/* 0 when set; -1 unknown name; -2 bad value (the option keeps its value). */
int opt_set(const char *name, size_t namelen, const char *value, size_t valuelen)
{
	for (size_t i = 0; i < opt_count; i++) {
		const struct opt_def *d = &opt_table[i];
		size_t v = 0;
		if (!word_eq(name, namelen, d->name))
			continue;
		if (!parse_value(d, value, valuelen, &v))
			return -2;
		*(size_t *)((char *)&opt + d->offset) = v;
		return 0;
	}
	return -1;
}

static void parse_options(const char *s)
{
	while (*s) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *eq = memchr(s, '=', len);
		if (len) {
			int r = eq ? opt_set(s, (size_t)(eq - s), eq + 1, len - (size_t)(eq - s) - 1) : -2;
			if (r == -1 || (!eq && r == -2))
				complain(eq ? "unknown option " : "option without a value ", s,
					 eq ? (size_t)(eq - s) : len, " in BUDDYMALLOC_OPTIONS (ignored)");
			else if (r == -2)
				complain("bad value in BUDDYMALLOC_OPTIONS: ", s, len, " (default kept)");
		}
		s += len;
		if (*s == ',')
			s++;
	}
}

void opt_init(char **envp)
{
	static const char key[] = "BUDDYMALLOC_OPTIONS=";
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, key, sizeof(key) - 1) == 0)
			parse_options(*e + sizeof(key) - 1);
}
