/*
 * options.c - the tunables' values and every way to set them, from the
 * table in options.h. In order of precedence, lowest first:
 *
 *   1. the defaults (glibc's, where glibc has the knob);
 *   2. glibc's environment variables (MALLOC_MMAP_THRESHOLD_, ...);
 *   3. GLIBC_TUNABLES=glibc.malloc.name=value:...;
 *   4. BUDDYMALLOC_OPTIONS=name=value,... (sizes take K, M, G);
 *   5. mallopt() at run time.
 *
 * The environment is read once, at initialisation, straight from the envp
 * array: no getenv, no allocation. A bad value costs one line on stderr
 * and leaves the option as it was; an unknown glibc.malloc tunable (glibc
 * has some we have no use for, like tcache_count) is ignored quietly.
 * BUDDYMALLOC_OPTIONS=help prints the table and the values in effect.
 */
#include <string.h>

#include "options.h"
#include "report.h"

struct options opt = {
#define X(name, type, def, min, max, unit, param, env, tunable, doc) .name = (def),
	OPTION_LIST(X)
#undef X
};

const struct opt_def opt_table[] = {
#define X(name, type, def, min, max, unit, param, env, tunable, doc) \
	{ #name, type, def, min, max, unit, param, env, tunable, doc, offsetof(struct options, name) },
	OPTION_LIST(X)
#undef X
};
const size_t opt_count = sizeof(opt_table) / sizeof(opt_table[0]);

size_t opt_slab_limit = SLAB_MAX;
/* one buffer per option, so that two string options keep their own values */
static char string_buf[sizeof(opt_table) / sizeof(opt_table[0])][256];
bool opt_trim_explicit;

static size_t *value_of(const struct opt_def *d)
{
	return (size_t *)((char *)&opt + d->offset);
}

const char *opt_string(size_t value)
{
	return (const char *)(uintptr_t)value;
}

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
	if (len == 2 && v[0] == '-' && v[1] == '1') {	/* glibc's "never" */
		*out = SIZE_MAX;
		return true;
	}
	if (len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {	/* as glibc's tunables */
		for (i = 2; i < len; i++) {
			char c = v[i];
			unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
				     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
				     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
			if (d == 16 || n > (SIZE_MAX >> 4))
				return false;
			n = n * 16 + d;
		}
		*out = n;
		return true;
	}
	for (; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
		if (n > (SIZE_MAX - 9) / 10)
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
		if (n > (SIZE_MAX >> shift))
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
	case OPT_STRING: {
		char pattern[sizeof(string_buf[0])], check[sizeof(string_buf[0]) + 24];
		if (len == 0 || len >= sizeof(string_buf[0]))
			return false;
		memcpy(pattern, v, len);
		pattern[len] = 0;
		if (!fmt_path(check, sizeof(check), pattern, UINT32_MAX))
			return false;	/* a % other than %p and %% */
		memcpy(string_buf[d - opt_table], pattern, len + 1);
		*out = (size_t)(uintptr_t)string_buf[d - opt_table];
		return true;
	}
	case OPT_SIZE:
	case OPT_COUNT:
		if (!parse_number(v, len, d->type == OPT_SIZE, out))
			return false;
		if (*out == SIZE_MAX && d->max != SIZE_MAX)
			return false;
		return *out >= d->min && *out <= d->max;
	}
	return false;
}

/* Stores a value that passed its range check, and what follows from it. */
static void opt_store(const struct opt_def *d, size_t v)
{
	*value_of(d) = v;
	if (value_of(d) == &opt.check_action)
		opt.invalid_free = (v & 2) ? 0 : 1;
	if (value_of(d) == &opt.invalid_free)
		opt.check_action = (opt.check_action & ~(size_t)2) | (v ? 0 : 2);
	if (value_of(d) == &opt.trim_threshold || value_of(d) == &opt.top_pad)
		opt_trim_explicit = true;
	opt_slab_limit = opt.mmap_threshold <= SLAB_MAX ?
		(opt.mmap_threshold ? opt.mmap_threshold - 1 : 0) : SLAB_MAX;
}

static void complain(const char *what, const char *s, size_t len, const char *where)
{
	struct out o;
	out_init_stderr(&o);
	out_str(&o, "buddymalloc: ");
	out_str(&o, what);
	out_str(&o, " '");
	out_mem(&o, s, len > 80 ? 80 : len);
	out_str(&o, "' in ");
	out_str(&o, where);
	out_str(&o, "\n");
	out_flush(&o);
}

static const struct opt_def *find(const char *name, size_t len)
{
	for (size_t i = 0; i < opt_count; i++)
		if (word_eq(name, len, opt_table[i].name))
			return &opt_table[i];
	return NULL;
}

/* 0 when set; -1 unknown name; -2 bad value (the option keeps its value). */
int opt_set(const char *name, size_t namelen, const char *value, size_t valuelen)
{
	const struct opt_def *d = find(name, namelen);
	size_t v = 0;
	if (!d)
		return -1;
	if (!parse_value(d, value, valuelen, &v))
		return -2;
	opt_store(d, v);
	return 0;
}

/*
 * mallopt. glibc's own parameters take any value glibc takes and answer 1
 * as glibc does (M_MXFAST excepted, which glibc range-checks too): a
 * negative size means "unlimited" (M_TRIM_THRESHOLD -1: never trim), a
 * negative M_MMAP_MAX no mappings, M_PERTURB keeps its low byte, and the
 * rest is clamped into the table's range. Our own parameters answer 0 for
 * a value out of range; a parameter nobody knows is ignored and answers 1,
 * as glibc's mallopt does.
 */
int opt_mallopt(int param, int value)
{
	for (size_t i = 0; i < opt_count; i++) {
		const struct opt_def *d = &opt_table[i];
		size_t v = value < 0 ? SIZE_MAX : (size_t)value;
		if (d->param != param || param == 0)
			continue;
		if (param < 0) {
			if (value < 0 && value_of(d) == &opt.mmap_max)
				v = 0;
			if (value_of(d) == &opt.perturb)
				v = (size_t)value & 0xff;
			if (value_of(d) == &opt.check_action)
				v = (size_t)value & 7;
			v = v < d->min ? d->min : v > d->max ? d->max : v;
		} else if ((value < 0 && !(value == -1 && d->max == SIZE_MAX)) ||
			   v < d->min || v > d->max) {
			return 0;	/* ours: -1 is "unlimited" where the range allows it */
		}
		opt_store(d, v);
		return 1;
	}
	return 1;
}

static bool help_wanted;

static void parse_list(const char *s, char sep, bool tunables, const char *where)
{
	static const char prefix[] = "glibc.malloc.";
	while (*s) {
		const char *end = strchr(s, sep);
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *eq = memchr(s, '=', len);
		const char *name = s;
		size_t namelen = eq ? (size_t)(eq - s) : len;
		if (tunables) {
			const struct opt_def *d = NULL;
			if (namelen > sizeof(prefix) - 1 && memcmp(s, prefix, sizeof(prefix) - 1) == 0)
				for (size_t i = 0; i < opt_count && eq; i++)
					if (opt_table[i].tunable && word_eq(s, namelen, opt_table[i].tunable))
						d = &opt_table[i];
			if (d && opt_set(d->name, strlen(d->name), eq + 1, len - namelen - 1) < 0)
				complain("bad value", s, len, where);
		} else if (len && word_eq(s, len, "help")) {
			help_wanted = true;	/* printed once every option is in */
		} else if (len) {
			int r = eq ? opt_set(name, namelen, eq + 1, len - namelen - 1) : -1;
			if (r == -1)
				complain("unknown option", s, namelen, where);
			else if (r == -2)
				complain("bad value (previous value kept)", s, len, where);
		}
		s += len;
		if (*s == sep)
			s++;
	}
}

/* The value of NAME in envp, or NULL. */
static const char *env_value(char **envp, const char *name)
{
	size_t n = strlen(name);
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

void opt_init(char **envp)
{
	const char *v;
	for (size_t i = 0; i < opt_count; i++) {
		const struct opt_def *d = &opt_table[i];
		if (d->env && (v = env_value(envp, d->env)) != NULL &&
		    opt_set(d->name, strlen(d->name), v, strlen(v)) < 0)
			complain("bad value", v, strlen(v), d->env);
	}
	if ((v = env_value(envp, "GLIBC_TUNABLES")) != NULL)
		parse_list(v, ':', true, "GLIBC_TUNABLES");
	if ((v = env_value(envp, "BUDDYMALLOC_OPTIONS")) != NULL)
		parse_list(v, ',', false, "BUDDYMALLOC_OPTIONS");
	if (help_wanted)
		opt_print_help();
}

static void print_value(struct out *o, const struct opt_def *d, size_t v)
{
	if (d->type == OPT_STRING) {
		out_str(o, v ? opt_string(v) : "-");
	} else if (d->type == OPT_CHOICE) {
		const char *p = d->unit;
		for (size_t i = 0; i < v && strchr(p, '|'); i++)
			p = strchr(p, '|') + 1;
		const char *bar = strchr(p, '|');
		out_mem(o, p, bar ? (size_t)(bar - p) : strlen(p));
	} else if (v == SIZE_MAX) {
		out_str(o, "-1");
	} else {
		out_u64(o, v);
	}
}

void opt_print_help(void)
{
	struct out o;
	out_init_stderr(&o);
	out_str(&o, "libbuddymalloc options: BUDDYMALLOC_OPTIONS=name=value,... "
		    "(sizes take K, M, G; -1 is \"never\")\n");
	out_str(&o, "name");
	out_pad(&o, 16);
	out_str(&o, "in effect");
	out_pad(&o, 30);
	out_str(&o, "default");
	out_pad(&o, 42);
	out_str(&o, "range / unit");
	out_pad(&o, 66);
	out_str(&o, "mallopt, glibc\n");
	for (size_t i = 0; i < opt_count; i++) {
		const struct opt_def *d = &opt_table[i];
		out_str(&o, d->name);
		out_pad(&o, 16);
		print_value(&o, d, *value_of(d));
		out_pad(&o, 30);
		print_value(&o, d, d->def);
		out_pad(&o, 42);
		if (d->type == OPT_SIZE || d->type == OPT_COUNT) {
			out_u64(&o, d->min);
			out_str(&o, "..");
			print_value(&o, d, d->max);
			out_str(&o, " ");
		}
		out_str(&o, d->unit);
		out_pad(&o, 66);
		if (d->param) {
			out_i64(&o, d->param);
			out_str(&o, " ");
		}
		if (d->env) {
			out_str(&o, d->env);
			out_str(&o, " ");
		}
		if (d->tunable)
			out_str(&o, d->tunable);
		out_str(&o, "\n    ");
		out_str(&o, d->doc);
		out_str(&o, "\n");
	}
	out_flush(&o);
}
