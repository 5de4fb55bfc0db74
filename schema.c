#include "schema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

#define LINE_MAX_ 65536              /* longest schema file line */

static int usage(char *err, size_t errn, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errn, fmt, ap);
    va_end(ap);
    return ERR_USAGE;
}

static char *pool_strndup(pool_t *pool, const char *s, size_t n) {
    char *d = pool_alloc(pool, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* A copy of a column name as valid UTF-8: each byte that does not begin a
   well-formed sequence becomes U+FFFD; *mended counts names changed. */
static char *utf8_name(pool_t *pool, const char *nm, size_t *mended) {
    size_t n = strlen(nm);
    if (ty_utf8_valid((const unsigned char *)nm, n))
        return pool_strndup(pool, nm, n);
    char *d = pool_alloc(pool, 3 * n + 1);
    if (!d)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t len = 1;
        while (len <= 4 && i + len <= n && !ty_utf8_valid((const unsigned char *)nm + i, len))
            len++;
        if (len <= 4 && i + len <= n) {
            memcpy(d + k, nm + i, len);
            k += len;
            i += len;
        } else {
            memcpy(d + k, "\xef\xbf\xbd", 3);
            k += 3;
            i++;
        }
    }
    d[k] = 0;
    (*mended)++;
    return d;
}

static int64_t utf8_chars(const unsigned char *s, size_t n) {
    int64_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (s[i] & 0xc0) != 0x80;
    return k;
}

static int is_digits(const char *s, size_t n) {
    if (n == 0 || n > 9)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* The output column a reference names: a CSV column name, an output name,
   or a 1-based position among the CSV columns.  -1 when none; -2 when the
   CSV column exists but is not selected. */
static long find(const struct sc_schema *s, const char *const *csv_names, size_t ncsv,
                 const char *ref, size_t n) {
    for (size_t c = 0; c < s->ncols; c++) {
        const char *cn = csv_names[s->cols[c].source];
        if (strlen(cn) == n && memcmp(cn, ref, n) == 0)
            return (long)c;
    }
    for (size_t c = 0; c < s->ncols; c++)
        if (strlen(s->cols[c].name) == n && memcmp(s->cols[c].name, ref, n) == 0)
            return (long)c;
    for (size_t i = 0; i < ncsv; i++)
        if (strlen(csv_names[i]) == n && memcmp(csv_names[i], ref, n) == 0)
            return -2;
    if (is_digits(ref, n)) {
        size_t pos = (size_t)strtoul(ref, NULL, 10);
        if (pos >= 1 && pos <= ncsv) {
            for (size_t c = 0; c < s->ncols; c++)
                if (s->cols[c].source == pos - 1)
                    return (long)c;
            return -2;
        }
    }
    return -1;
}

static int no_column(char *err, size_t errn, const char *where, const char *ref, size_t n,
                     long k) {
    return usage(err, errn, "%s: %s \"%.*s\"", where,
                 k == -2 ? "column not selected by --columns:" : "no column", (int)n, ref);
}

/* ---- schema file lines ---- */

struct cursor { const char *p, *end; };

static void skip_space(struct cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
        c->p++;
}

/* The next token: a double-quoted string ("" for a quote, unquoted into
   buf) or a run up to a space; a '(' keeps spaces until its ')'.  Returns
   the length, -1 at the end of the line, -2 for an unterminated quote. */
static long token(struct cursor *c, char *buf, size_t cap, int key_value) {
    skip_space(c);
    if (c->p >= c->end || *c->p == '#')
        return -1;
    size_t n = 0;
    int depth = 0;
    while (c->p < c->end) {
        char ch = *c->p;
        if (ch == '"' && (n == 0 || (key_value && n && buf[n - 1] == '='))) {
            c->p++;
            for (;;) {
                if (c->p >= c->end)
                    return -2;
                if (*c->p == '"') {
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        c->p++;
                    } else {
                        c->p++;
                        break;
                    }
                }
                if (n + 1 < cap)
                    buf[n++] = *c->p;
                c->p++;
            }
            continue;
        }
        if ((ch == ' ' || ch == '\t' || ch == '\r') && depth == 0)
            break;
        if (ch == '(') depth++;
        if (ch == ')' && depth) depth--;
        if (n + 1 < cap)
            buf[n++] = ch;
        c->p++;
    }
    buf[n] = 0;
    return (long)n;
}

static int set_rule(pool_t *pool, struct sc_column *col, const char *tok, size_t n,
                    char *err, size_t errn, const char *where) {
    struct sc_rules *r = &col->rules;
    const char *eq = memchr(tok, '=', n);
    if (!eq)
        return usage(err, errn, "%s: unknown rule \"%.*s\" (not null, min=, max=, minlen=, "
                     "maxlen=, pattern=)", where, (int)n, tok);
    size_t kn = (size_t)(eq - tok), vn = n - kn - 1;
    const char *v = eq + 1;
    col->has_rules = 1;
    if (kn == 3 && !memcmp(tok, "min", 3)) {
        r->min_text = pool_strndup(pool, v, vn);
        return r->min_text ? ERR_OK : ERR_NOMEM;
    }
    if (kn == 3 && !memcmp(tok, "max", 3)) {
        r->max_text = pool_strndup(pool, v, vn);
        return r->max_text ? ERR_OK : ERR_NOMEM;
    }
    if ((kn == 6 && !memcmp(tok, "minlen", 6)) || (kn == 6 && !memcmp(tok, "maxlen", 6))) {
        char *end;
        errno = 0;
        long long x = vn ? strtoll(v, &end, 10) : -1;
        if (!vn || errno || end != v + vn || x < 0)
            return usage(err, errn, "%s: %.*s takes a number of characters, not \"%.*s\"",
                         where, (int)kn, tok, (int)vn, v);
        if (tok[1] == 'i') r->minlen = x; else r->maxlen = x;
        return ERR_OK;
    }
    if (kn == 7 && !memcmp(tok, "pattern", 7)) {
        r->pattern = pool_strndup(pool, v, vn);
        char *anchored = pool_alloc(pool, vn + 5);
        if (!r->pattern || !anchored)
            return ERR_NOMEM;
        snprintf(anchored, vn + 5, "^(%s)$", r->pattern);
        int rc = regcomp(&r->re, anchored, REG_EXTENDED | REG_NOSUB);
        pool_free(pool, anchored);
        if (rc) {
            char msg[128];
            regerror(rc, &r->re, msg, sizeof msg);
            pool_free(pool, r->pattern);
            r->pattern = NULL;
            return usage(err, errn, "%s: pattern=%.*s: %s", where, (int)vn, v, msg);
        }
        return ERR_OK;
    }
    return usage(err, errn, "%s: unknown rule \"%.*s\" (not null, min=, max=, minlen=, "
                 "maxlen=, pattern=)", where, (int)kn, tok);
}

/* One line of a schema file, its first token (the column name) in tok
   and the rest after the cursor; returns ERR_OK or stops the walk. */
typedef int (*schema_line_fn)(void *ctx, const char *where, char *tok, size_t n,
                              struct cursor *c, char *err, size_t errn);

/* Call fn for each line of the schema file that names a column (blank and
   comment lines skipped), with "PATH:LINE" as where. */
static int schema_lines(pool_t *pool, const char *path, schema_line_fn fn, void *ctx,
                        char *err, size_t errn) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return ERR_IO;
    }
    char *line = pool_alloc(pool, LINE_MAX_), *tok = pool_alloc(pool, LINE_MAX_);
    int e = line && tok ? ERR_OK : ERR_NOMEM;
    for (long lineno = 1; e == ERR_OK && fgets(line, LINE_MAX_, f); lineno++) {
        size_t len = strlen(line);
        char where[512];
        snprintf(where, sizeof where, "%s:%ld", path, lineno);
        if (len == LINE_MAX_ - 1 && line[len - 1] != '\n') {
            e = usage(err, errn, "%s: line longer than %d bytes", where, LINE_MAX_);
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        struct cursor c = { line, line + len };
        long n = token(&c, tok, LINE_MAX_, 0);
        if (n == -1)
            continue;
        if (n == -2)
            e = usage(err, errn, "%s: unterminated quote", where);
        else
            e = fn(ctx, where, tok, (size_t)n, &c, err, errn);
    }
    if (e == ERR_OK && ferror(f)) {
        snprintf(err, errn, "%s: read error: %s", path, strerror(errno));
        e = ERR_IO;
    }
    fclose(f);
    pool_free(pool, line);
    pool_free(pool, tok);
    return e;
}

struct read_ctx {
    pool_t *pool;
    struct sc_schema *s;
    const char *const *csv_names;
    size_t ncsv;
};

/* A schema file line: the column's type and rules. */
static int read_line(void *ctx, const char *where, char *tok, size_t n0, struct cursor *c,
                     char *err, size_t errn) {
    struct read_ctx *x = ctx;
    long k = find(x->s, x->csv_names, x->ncsv, tok, n0);
    if (k < 0)
        return no_column(err, errn, where, tok, n0, k);
    struct sc_column *col = &x->s->cols[k];
    long n = token(c, tok, LINE_MAX_, 0);
    if (n < 0)
        return usage(err, errn, "%s: column \"%s\" needs a type", where, col->name);
    if (strcmp(tok, "auto") == 0)
        col->given = 0;
    else if (ty_spec_parse(tok, &col->spec))
        col->given = 1;
    else
        return usage(err, errn, "%s: unknown type \"%s\"", where, tok);
    int e = ERR_OK;
    while (e == ERR_OK && (n = token(c, tok, LINE_MAX_, 1)) != -1) {
        if (n == -2)
            return usage(err, errn, "%s: unterminated quote", where);
        if (!strcmp(tok, "not")) {
            n = token(c, tok, LINE_MAX_, 1);
            if (n < 0 || strcmp(tok, "null"))
                return usage(err, errn, "%s: \"not\" must be followed by \"null\"", where);
            col->rules.not_null = 1;
            col->has_rules = 1;
            continue;
        }
        e = set_rule(x->pool, col, tok, (size_t)n, err, errn, where);
    }
    return e;
}

static int read_schema_file(pool_t *pool, struct sc_schema *s, const char *const *csv_names,
                            size_t ncsv, const char *path, char *err, size_t errn) {
    struct read_ctx x = { pool, s, csv_names, ncsv };
    return schema_lines(pool, path, read_line, &x, err, errn);
}

struct names_ctx {
    pool_t *pool;
    char **v;
    size_t n, cap;
};

/* A schema file line: its column name kept. */
static int name_line(void *ctx, const char *where, char *tok, size_t n, struct cursor *c,
                     char *err, size_t errn) {
    (void)where, (void)c, (void)err, (void)errn;
    struct names_ctx *x = ctx;
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 16;
        char **w = pool_realloc(x->pool, x->v, cap * sizeof *w);
        if (!w)
            return ERR_NOMEM;
        x->v = w;
        x->cap = cap;
    }
    if (!(x->v[x->n] = pool_alloc(x->pool, n + 1)))
        return ERR_NOMEM;
    memcpy(x->v[x->n++], tok, n + 1);
    return ERR_OK;
}

int sc_file_names(pool_t *pool, const char *path, char ***names, size_t *n,
                  char *err, size_t errn) {
    err[0] = 0;
    struct names_ctx x = { pool, NULL, 0, 0 };
    int e = schema_lines(pool, path, name_line, &x, err, errn);
    if (e != ERR_OK) {
        for (size_t i = 0; i < x.n; i++)
            pool_free(pool, x.v[i]);
        pool_free(pool, x.v);
        x.v = NULL;
        x.n = 0;
    }
    *names = x.v;
    *n = x.n;
    return e;
}

/* ---- building ---- */

static int by_name(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ERR_USAGE when two output columns have one name: sorted, in n log n, as
   a header may have a hundred thousand of them. */
static int unique_names(pool_t *pool, const struct sc_schema *s, char *err, size_t errn) {
    if (s->ncols < 2)
        return ERR_OK;
    const char **v = pool_alloc(pool, s->ncols * sizeof *v);
    if (!v)
        return ERR_NOMEM;
    for (size_t c = 0; c < s->ncols; c++)
        v[c] = s->cols[c].name;
    qsort(v, s->ncols, sizeof *v, by_name);
    int e = ERR_OK;
    for (size_t c = 1; c < s->ncols && e == ERR_OK; c++)
        if (!strcmp(v[c], v[c - 1]))
            e = usage(err, errn, "two output columns are named \"%s\" (use --rename)", v[c]);
    pool_free(pool, v);
    return e;
}

int sc_create(pool_t *pool, const char *const *csv_names, size_t ncsv,
              const struct sc_args *a, struct sc_schema **out, char *err, size_t errn) {
    *out = NULL;
    err[0] = 0;
    struct sc_schema *s = pool_calloc(pool, 1, sizeof *s);
    size_t cap = ncsv;
    if (a->columns) {
        cap = 1;
        for (const char *p = a->columns; *p; p++)
            cap += *p == ',';
    }
    if (!s || !(s->cols = pool_calloc(pool, cap ? cap : 1, sizeof *s->cols))) {
        pool_free(pool, s);
        return ERR_NOMEM;
    }
    int e = ERR_OK;
    if (a->columns) {
        const char *p = a->columns;
        for (;;) {
            const char *q = strchr(p, ',');
            size_t n = q ? (size_t)(q - p) : strlen(p);
            long src = -1;
            for (size_t i = 0; i < ncsv && src < 0; i++)
                if (strlen(csv_names[i]) == n && memcmp(csv_names[i], p, n) == 0)
                    src = (long)i;
            if (src < 0 && is_digits(p, n)) {
                unsigned long pos = strtoul(p, NULL, 10);
                if (pos >= 1 && pos <= ncsv)
                    src = (long)pos - 1;
            }
            if (src < 0) {
                e = usage(err, errn, "--columns: no column \"%.*s\"", (int)n, p);
                goto fail;
            }
            for (size_t c = 0; c < s->ncols; c++)
                if (s->cols[c].source == (size_t)src) {
                    e = usage(err, errn, "--columns: \"%.*s\" is named twice", (int)n, p);
                    goto fail;
                }
            s->cols[s->ncols++].source = (size_t)src;
            if (!q)
                break;
            p = q + 1;
        }
    } else {
        for (size_t c = 0; c < ncsv; c++)
            s->cols[s->ncols++].source = c;
    }
    for (size_t c = 0; c < s->ncols; c++) {
        struct sc_column *col = &s->cols[c];
        const char *nm = csv_names[col->source];
        if (!(col->name = utf8_name(pool, nm, &s->mended_names))) {
            e = ERR_NOMEM;
            goto fail;
        }
        col->spec = ty_spec_of(TY_STRING);
        col->mask = TY_ALL;
        col->rules.minlen = col->rules.maxlen = -1;
    }
    if (a->schema_file &&
        (e = read_schema_file(pool, s, csv_names, ncsv, a->schema_file, err, errn)) != ERR_OK)
        goto fail;
    for (size_t i = 0; i < a->n_renames; i++) {
        const char *eq = strrchr(a->renames[i], '=');
        size_t n = (size_t)(eq - a->renames[i]);
        long k = find(s, csv_names, ncsv, a->renames[i], n);
        if (k < 0) {
            e = no_column(err, errn, "--rename", a->renames[i], n, k);
            goto fail;
        }
        char *nm = pool_strndup(pool, eq + 1, strlen(eq + 1));
        if (!nm) {
            e = ERR_NOMEM;
            goto fail;
        }
        pool_free(pool, s->cols[k].name);
        s->cols[k].name = nm;
    }
    for (size_t i = 0; i < a->n_types; i++) {
        const char *eq = strrchr(a->types[i], '=');
        size_t n = (size_t)(eq - a->types[i]);
        long k = find(s, csv_names, ncsv, a->types[i], n);
        if (k < 0) {
            e = no_column(err, errn, "--type", a->types[i], n, k);
            goto fail;
        }
        if (!strcmp(eq + 1, "auto")) {
            s->cols[k].given = 0;
        } else if (ty_spec_parse(eq + 1, &s->cols[k].spec)) {
            s->cols[k].given = 1;
        } else {
            e = usage(err, errn, "--type %s: unknown type \"%s\" (boolean, int8 ... int64, "
                      "uint8 ... uint64, float, double, decimal(P,S), date, time, timestamp, "
                      "timestamp_utc, string, binary)", a->types[i], eq + 1);
            goto fail;
        }
    }
    for (size_t c = 0; c < s->ncols; c++)
        s->any_rules |= s->cols[c].has_rules;
    if ((e = unique_names(pool, s, err, errn)) != ERR_OK)
        goto fail;
    *out = s;
    return ERR_OK;
fail:
    sc_free(pool, s);
    return e;
}

int sc_resolve(struct sc_schema *s, const struct ty_format *f, char *err, size_t errn) {
    for (size_t c = 0; c < s->ncols; c++) {
        struct sc_column *col = &s->cols[c];
        struct sc_rules *r = &col->rules;
        int t = col->spec.type;
        int textual = t == TY_STRING || t == TY_BINARY;
        r->has_min = r->min_text != NULL;
        r->has_max = r->max_text != NULL;
        char tn[64];
        ty_spec_format(&col->spec, tn, sizeof tn);
        if (!textual && r->min_text &&
            !ty_parse_value(&col->spec, f, r->min_text, strlen(r->min_text), &r->min))
            return usage(err, errn, "column \"%s\": min=%s is not a %s value", col->name,
                         r->min_text, tn);
        if (!textual && r->max_text &&
            !ty_parse_value(&col->spec, f, r->max_text, strlen(r->max_text), &r->max))
            return usage(err, errn, "column \"%s\": max=%s is not a %s value", col->name,
                         r->max_text, tn);
    }
    return ERR_OK;
}

void sc_free(pool_t *pool, struct sc_schema *s) {
    if (!s)
        return;
    for (size_t c = 0; s->cols && c < s->ncols; c++) {
        struct sc_column *col = &s->cols[c];
        pool_free(pool, col->name);
        pool_free(pool, col->rules.min_text);
        pool_free(pool, col->rules.max_text);
        if (col->rules.pattern) {
            regfree(&col->rules.re);
            pool_free(pool, col->rules.pattern);
        }
    }
    pool_free(pool, s->cols);
    pool_free(pool, s);
}

/* ---- checking ---- */

/* Byte order of s[0..n) against the string t. */
static int bytes_cmp(const char *s, size_t n, const char *t) {
    size_t tn = strlen(t), k = n < tn ? n : tn;
    int d = memcmp(s, t, k);
    return d ? d : (n > tn) - (n < tn);
}

int sc_check(const struct sc_column *c, const struct ty_format *f, int check_type,
             int is_null, const char *s, size_t n, char *reason, size_t rn) {
    const struct sc_rules *r = &c->rules;
    if (is_null) {
        if (r->not_null) {
            snprintf(reason, rn, "not null");
            return 1;
        }
        return 0;
    }
    int t = c->spec.type;
    int textual = t == TY_STRING || t == TY_BINARY;
    union ty_value v;
    int have = 0;
    if (!textual) {
        have = ty_parse_value(&c->spec, f, s, n, &v);
        if (!have && check_type) {
            char tn[64];
            ty_spec_format(&c->spec, tn, sizeof tn);
            snprintf(reason, rn, "is %s", tn);
            return 1;
        }
    } else if (check_type && t == TY_STRING && !ty_utf8_valid((const unsigned char *)s, n)) {
        snprintf(reason, rn, "invalid UTF-8");
        return 1;
    }
    if (!c->has_rules)
        return 0;
    if (r->has_min) {
        int below = textual ? bytes_cmp(s, n, r->min_text) < 0
                            : have && ty_compare(&c->spec, &v, &r->min) < 0;
        if (below) {
            snprintf(reason, rn, "min=%s", r->min_text);
            return 1;
        }
    }
    if (r->has_max) {
        int above = textual ? bytes_cmp(s, n, r->max_text) > 0
                            : have && ty_compare(&c->spec, &v, &r->max) > 0;
        if (above) {
            snprintf(reason, rn, "max=%s", r->max_text);
            return 1;
        }
    }
    if (r->minlen >= 0 || r->maxlen >= 0) {
        int64_t len = utf8_chars((const unsigned char *)s, n);
        if (r->minlen >= 0 && len < r->minlen) {
            snprintf(reason, rn, "minlen=%lld", (long long)r->minlen);
            return 1;
        }
        if (r->maxlen >= 0 && len > r->maxlen) {
            snprintf(reason, rn, "maxlen=%lld", (long long)r->maxlen);
            return 1;
        }
    }
    if (r->pattern) {
        regmatch_t m[1] = { { 0, (regoff_t)n } };
        if (regexec(&r->re, s, 1, m, REG_STARTEND) != 0) {
            snprintf(reason, rn, "pattern=%s", r->pattern);
            return 1;
        }
    }
    return 0;
}

/* ---- printing ---- */

static void put_word(FILE *f, const char *s) {
    int plain = *s != 0;
    for (const char *p = s; *p; p++)
        if (*p == ' ' || *p == '\t' || *p == '"' || *p == '#' || (unsigned char)*p < 0x20)
            plain = 0;
    if (plain) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

static void put_value(FILE *f, const char *key, const char *v) {
    fprintf(f, " %s=", key);
    put_word(f, v);
}

void sc_print(const struct sc_schema *s, FILE *f) {
    for (size_t c = 0; c < s->ncols; c++) {
        const struct sc_column *col = &s->cols[c];
        const struct sc_rules *r = &col->rules;
        char tn[64];
        ty_spec_format(&col->spec, tn, sizeof tn);
        put_word(f, col->name);
        fprintf(f, " %s", tn);
        if (r->not_null)
            fputs(" not null", f);
        if (r->min_text)
            put_value(f, "min", r->min_text);
        if (r->max_text)
            put_value(f, "max", r->max_text);
        if (r->minlen >= 0)
            fprintf(f, " minlen=%lld", (long long)r->minlen);
        if (r->maxlen >= 0)
            fprintf(f, " maxlen=%lld", (long long)r->maxlen);
        if (r->pattern)
            put_value(f, "pattern", r->pattern);
        fputc('\n', f);
    }
}
