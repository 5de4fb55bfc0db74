#include "pqread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec.h"
#include "encode.h"
#include "err.h"
#include "pqmeta.h"
#include "pqvalue.h"
#include "thrift_compact.h"

/* The reader in five parts: the input (mmap, or a spooled copy of a pipe),
   the footer and the schema tree, one column reader per leaf column that
   holds one decoded page at a time, record assembly from repetition and
   definition levels, and the three outputs (CSV, schema, metadata). */

#define OUT_CAP      (64 * 1024)
#define SPOOL_CHUNK  (64 * 1024)
#define MAX_DEPTH    100             /* schema nesting */

/* ---- output ---- */

struct out {
    int fd;
    uint8_t *buf;                    /* OUT_CAP bytes, from the pool */
    size_t len;
    int err, sys_errno;
};

static int out_flush(struct out *o) {
    size_t done = 0;
    if (o->err)
        return o->err;
    while (done < o->len) {
        ssize_t k = write(o->fd, o->buf + done, o->len - done);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            o->sys_errno = errno;
            o->err = ERR_IO;
            return ERR_IO;
        }
        done += (size_t)k;
    }
    o->len = 0;
    return ERR_OK;
}

static int out_put(struct out *o, const void *p, size_t n) {
    const uint8_t *s = p;
    while (n) {
        if (o->len == OUT_CAP)
            FORWARD_IF_ERROR(out_flush(o));
        size_t k = OUT_CAP - o->len < n ? OUT_CAP - o->len : n;
        memcpy(o->buf + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
    }
    return o->err;
}

static int out_byte(struct out *o, char c) {
    if (o->len == OUT_CAP)
        FORWARD_IF_ERROR(out_flush(o));
    o->buf[o->len++] = (uint8_t)c;
    return ERR_OK;
}

static int out_str(struct out *o, const char *s) {
    return out_put(o, s, strlen(s));
}

static int out_fmt(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int out_fmt(struct out *o, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ERR_INTERNAL;
    return out_put(o, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* ---- schema ---- */

struct node {
    const struct pq_schema_element *e;
    int parent;                      /* -1 for the root */
    int first_kid, n_kids;           /* into reader.kid_nodes */
    int def, rep;                    /* levels of this element */
    int leaf;                        /* leaf column index, -1 for groups */
};

enum shape { SH_LEAF, SH_STRUCT, SH_LIST, SH_MAP };

/* A value shape: a struct, list or map assembled from the levels of the
   leaf columns below it. */
struct field {
    int shape;
    int node;                        /* schema element that names it */
    int def;                         /* non-NULL when def level >= def */
    int def_elem, rep;               /* LIST, MAP: elements exist when def
                                        >= def_elem, continue at rep */
    int leaf;                        /* SH_LEAF: leaf column index */
    int first_leaf, n_leaves;        /* leaf columns below, contiguous */
    int first_kid, n_kids;           /* into reader.kid_fields */
};

/* One leaf column's reader: the column chunk's bytes, its dictionary, and
   the current page decoded into levels and values. */
struct colread {
    int active;
    int leaf;
    const struct node *nd;
    struct pqv_type vt;
    int type;                        /* enum pq_type */
    size_t width;                    /* bytes of a fixed-width value */
    int max_def, max_rep;
    int codec;
    const uint8_t *chunk, *p, *end;  /* column chunk bytes in the file */
    int64_t num_values, seen;        /* entries in the chunk, entries loaded */
    int64_t page, page_off;          /* current page index and file offset */
    int dict_uncounted;              /* no dictionary_page_offset: a first
                                        dictionary page may be left out of
                                        total_compressed_size (parquet-mr) */

    /* dictionary */
    int has_dict;
    uint32_t n_dict;
    uint8_t *dict_buf; size_t dict_cap;          /* decompressed page, pool */
    const uint8_t *dict_data;                    /* values (fixed) or base */
    uint32_t *dict_off, *dict_len;               /* byte arrays */
    size_t dict_off_cap, dict_len_cap;

    /* current page */
    uint8_t *page_buf; size_t page_cap;          /* decompressed bytes, pool */
    uint32_t *rep_lv, *def_lv;                   /* levels, pool */
    size_t rep_cap, def_cap;
    size_t n, pos;                               /* entries, next entry */
    size_t nv, vpos;                             /* values, next value */
    int vmode;                                   /* VM_* */
    const uint8_t *vals;                         /* VM_FIXED, VM_BYTES base */
    uint32_t *idx; size_t idx_cap;               /* VM_DICT */
    uint32_t *off, *len;                         /* VM_BYTES */
    size_t off_cap, len_cap;
    uint8_t *vbuf; size_t vbuf_cap;              /* decoded fixed values */
    int64_t *tmp; size_t tmp_cap;                /* delta decoding */
    uint8_t *scratch; size_t scratch_cap;        /* DELTA_BYTE_ARRAY */
};

enum { VM_FIXED, VM_BYTES, VM_DICT };

struct reader {
    pool_t *pool;
    const struct pqr_options *o;
    struct pqr_where *where;
    const char *null_str;
    size_t null_len;
    char delim;
    struct out out;

    int fd;                          /* open input, -1 when none */
    int close_fd;
    void *map; size_t map_len;
    const uint8_t *file; size_t size;
    size_t body_end;                 /* offset of the footer */

    struct pq_file_meta meta;
    int have_meta;
    struct node *nodes; int n_nodes;
    int *kid_nodes;
    struct field *fields; int n_fields;
    int *kid_fields; int n_kid_fields;
    int *leaf_nodes; int n_leaves;
    int root_field;                  /* the root struct */
    int *sel; int n_sel;             /* selected top-level fields */
    struct colread *cr;              /* one per leaf */
    int64_t rg;                      /* current row group, -1 none */
    struct pqv_text cell;
};

/* ---- errors ---- */

static void set_detail(struct reader *rd, const char *fmt, va_list ap) {
    if (fmt)
        vsnprintf(rd->where->detail, sizeof rd->where->detail, fmt, ap);
}

static void leaf_path(struct reader *rd, int leaf, char *buf, size_t size) {
    int chain[MAX_DEPTH + 1], k = 0;
    for (int i = rd->leaf_nodes[leaf]; i > 0 && k <= MAX_DEPTH; i = rd->nodes[i].parent)
        chain[k++] = i;
    size_t n = 0;
    buf[0] = 0;
    while (k-- > 0) {
        const struct pq_bytes *nm = &rd->nodes[chain[k]].e->name;
        if (n && n + 1 < size)
            buf[n++] = '.';
        for (size_t i = 0; i < nm->n && n + 1 < size; i++)
            buf[n++] = nm->p[i] < 0x20 ? '?' : (char)nm->p[i];
    }
    buf[n] = 0;
}

static int fail(struct reader *rd, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct reader *rd, int err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    set_detail(rd, fmt, ap);
    va_end(ap);
    return err;
}

static int fail_col(struct reader *rd, struct colread *cr, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail_col(struct reader *rd, struct colread *cr, int err, const char *fmt, ...) {
    struct pqr_where *w = rd->where;
    w->row_group = rd->rg;
    leaf_path(rd, cr->leaf, w->column, sizeof w->column);
    w->page = cr->page;
    w->offset = cr->page_off;
    va_list ap;
    va_start(ap, fmt);
    set_detail(rd, fmt, ap);
    va_end(ap);
    return err;
}

void pqr_where_format(const struct pqr_where *w, const char *file, char *buf, size_t size) {
    int n = snprintf(buf, size, "%s", w->file ? w->file : file);
    const char *sep = ": ";
    if (n < 0 || (size_t)n >= size)
        return;
    if (w->row_group >= 0) {
        n += snprintf(buf + n, size - (size_t)n, "%srow group %lld", sep, (long long)w->row_group);
        sep = ", ";
    }
    if (n >= 0 && (size_t)n < size && w->column[0]) {
        n += snprintf(buf + n, size - (size_t)n, "%scolumn \"%s\"", sep, w->column);
        sep = ", ";
    }
    if (n >= 0 && (size_t)n < size && w->page >= 0)
        snprintf(buf + n, size - (size_t)n, "%spage %lld", sep, (long long)w->page);
}

/* ---- pool helpers ---- */

/* Grow *p to hold n elements of size sz (contents kept). */
static int grow(pool_t *pool, void *pp, size_t *cap, size_t n, size_t sz) {
    void **p = pp;
    if (n <= *cap && *p)
        return ERR_OK;
    if (n > SIZE_MAX / sz / 2)
        return ERR_NOMEM;
    size_t want = n < 64 ? 64 : n + n / 4;
    void *q = pool_realloc(pool, *p, want * sz);
    if (!q) {
        q = pool_realloc(pool, *p, n * sz);
        if (!q)
            return ERR_NOMEM;
        want = n;
    }
    *p = q;
    *cap = want;
    return ERR_OK;
}

/* ---- input ---- */

static int spool_stdin(struct reader *rd, int in) {
    const char *dir = getenv("TMPDIR");
    char path[4096];
    if (!dir || !*dir)
        dir = "/tmp";
    if (snprintf(path, sizeof path, "%s/pq2csv-XXXXXX", dir) >= (int)sizeof path)
        return fail(rd, ERR_IO, "TMPDIR is too long");
    int fd = mkstemp(path);
    if (fd < 0) {
        rd->where->sys_errno = errno;
        return fail(rd, ERR_IO, "cannot create a temporary file in %s: %s", dir, strerror(errno));
    }
    unlink(path);
    rd->fd = fd;
    rd->close_fd = 1;
    uint8_t *buf = pool_alloc(rd->pool, SPOOL_CHUNK);
    if (!buf)
        return fail(rd, ERR_NOMEM, NULL);
    int err = ERR_OK;
    for (;;) {
        ssize_t k = read(in, buf, SPOOL_CHUNK);
        if (k == 0)
            break;
        if (k < 0) {
            if (errno == EINTR)
                continue;
            rd->where->sys_errno = errno;
            err = fail(rd, ERR_IO, "%s", strerror(errno));
            break;
        }
        for (ssize_t done = 0; done < k;) {
            ssize_t w = write(fd, buf + done, (size_t)(k - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rd->where->sys_errno = errno;
                err = fail(rd, ERR_IO, "cannot copy the input to %s: %s", dir, strerror(errno));
                break;
            }
            done += w;
        }
        if (err)
            break;
    }
    pool_free(rd->pool, buf);
    return err;
}

static int open_input(struct reader *rd, const char *path) {
    int fd;
    struct stat st;
    if (!path || !strcmp(path, "-")) {
        fd = STDIN_FILENO;
    } else {
        fd = open(path, O_RDONLY);
        if (fd < 0) {
            rd->where->sys_errno = errno;
            return fail(rd, ERR_IO, "%s", strerror(errno));
        }
        rd->close_fd = 1;
    }
    rd->fd = fd;
    if (fstat(fd, &st) < 0) {
        rd->where->sys_errno = errno;
        return fail(rd, ERR_IO, "%s", strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        rd->where->sys_errno = EISDIR;
        return fail(rd, ERR_IO, "%s", strerror(EISDIR));
    }
    if (!S_ISREG(st.st_mode)) {
        int in = fd;
        int close_in = rd->close_fd;
        rd->close_fd = 0;
        int err = spool_stdin(rd, in);
        if (close_in)
            close(in);
        FORWARD_IF_ERROR(err);
        if (fstat(rd->fd, &st) < 0) {
            rd->where->sys_errno = errno;
            return fail(rd, ERR_IO, "%s", strerror(errno));
        }
    }
    if ((uint64_t)st.st_size > SIZE_MAX / 2)
        return fail(rd, ERR_TOOBIG, "file too large to map");
    rd->size = (size_t)st.st_size;
    if (rd->size == 0)
        return fail(rd, ERR_NOTPARQUET, "empty file: not a Parquet file");
    rd->map = mmap(NULL, rd->size, PROT_READ, MAP_PRIVATE, rd->fd, 0);
    if (rd->map == MAP_FAILED) {
        rd->map = NULL;
        rd->where->sys_errno = errno;
        return fail(rd, ERR_IO, "cannot map the file: %s", strerror(errno));
    }
    rd->map_len = rd->size;
    rd->file = rd->map;
    return ERR_OK;
}

/* ---- footer and schema ---- */

static int read_footer(struct reader *rd) {
    const uint8_t *f = rd->file;
    size_t n = rd->size;
    if (n >= 4 && !memcmp(f + n - 4, "PARE", 4))
        return fail(rd, ERR_ENCRYPTED, "encrypted footer (PARE): encrypted Parquet files are not supported");
    if (n < 12)
        return fail(rd, ERR_NOTPARQUET, "%zu bytes, too short for a Parquet file", n);
    if (memcmp(f, "PAR1", 4) && memcmp(f, "PARE", 4))
        return fail(rd, ERR_NOTPARQUET, "no PAR1 magic at the start: not a Parquet file");
    if (memcmp(f + n - 4, "PAR1", 4))
        return fail(rd, ERR_NOTPARQUET, "no PAR1 magic at the end: not a Parquet file, or truncated");
    uint32_t flen = enc_load_u32le(f + n - 8);
    if (flen > n - 12) {
        rd->where->offset = (int64_t)(n - 8);
        return fail(rd, ERR_TRUNCATED, "footer says %u bytes, the file holds %zu before it", flen, n - 12);
    }
    rd->body_end = n - 8 - flen;
    rd->where->offset = (int64_t)rd->body_end;
    struct tc_reader r;
    tc_reader_init(&r, f + rd->body_end, flen);
    rd->have_meta = 1;
    int err = pqm_decode_file_meta(&r, rd->pool, &rd->meta);
    if (err == ERR_ENCRYPTED)
        return fail(rd, err, "encrypted file (encryption_algorithm set): encrypted Parquet files are not supported");
    if (err)
        return fail(rd, err, "bad footer: %s", err_str(err));
    rd->where->offset = -1;
    return ERR_OK;
}

static int name_is(const struct pq_bytes *b, const char *s) {
    size_t n = strlen(s);
    return b->n == n && !memcmp(b->p, s, n);
}

static int build_schema(struct reader *rd) {
    const struct pq_file_meta *m = &rd->meta;
    int n = (int)m->n_schema;
    if (m->n_schema == 0)
        return fail(rd, ERR_CORRUPT, "empty schema");
    if (m->n_schema > (uint32_t)INT32_MAX / 4)
        return fail(rd, ERR_TOOBIG, "schema of %u elements", m->n_schema);
    rd->nodes = pool_calloc(rd->pool, (size_t)n, sizeof *rd->nodes);
    rd->kid_nodes = pool_calloc(rd->pool, (size_t)n, sizeof *rd->kid_nodes);
    rd->leaf_nodes = pool_calloc(rd->pool, (size_t)n, sizeof *rd->leaf_nodes);
    if (!rd->nodes || !rd->kid_nodes || !rd->leaf_nodes)
        return fail(rd, ERR_NOMEM, NULL);
    rd->n_nodes = n;

    /* Depth-first: a stack of groups still owed children. */
    int stack[MAX_DEPTH + 2], left[MAX_DEPTH + 2], sp = 0, kids = 0;
    for (int i = 0; i < n; i++) {
        const struct pq_schema_element *e = &m->schema[i];
        struct node *nd = &rd->nodes[i];
        nd->e = e;
        nd->leaf = -1;
        if (i == 0) {
            nd->parent = -1;
        } else {
            if (sp == 0)
                return fail(rd, ERR_CORRUPT, "schema element %d is outside the root's %d children", i,
                            rd->nodes[0].n_kids);
            nd->parent = stack[sp - 1];
            left[sp - 1]--;
            const struct node *pa = &rd->nodes[nd->parent];
            int rep = e->has_repetition_type ? e->repetition_type : PQ_REQUIRED;
            nd->def = pa->def + (rep != PQ_REQUIRED);
            nd->rep = pa->rep + (rep == PQ_REPEATED);
            rd->kid_nodes[pa->first_kid + (pa->n_kids - left[sp - 1] - 1)] = i;
        }
        int nk = e->has_num_children ? e->num_children : 0;
        if (nk < 0 || nk > n - 1 - i)
            return fail(rd, ERR_CORRUPT, "schema element %d claims %d children, %d elements follow", i, nk,
                        n - 1 - i);
        if (i == 0 || nk > 0) {
            if (sp > MAX_DEPTH)
                return fail(rd, ERR_DEPTH, "schema nested deeper than %d levels", MAX_DEPTH);
            nd->first_kid = kids;
            nd->n_kids = nk;
            kids += nk;
            stack[sp] = i;
            left[sp] = nk;
            sp++;
        } else {
            if (!e->has_type || e->type < PQ_BOOLEAN || e->type > PQ_FIXED_LEN_BYTE_ARRAY)
                return fail(rd, ERR_CORRUPT, "schema element %d (\"%.*s\") has neither children nor a type", i,
                            (int)(e->name.n > 100 ? 100 : e->name.n), (const char *)e->name.p);
            if (e->type == PQ_FIXED_LEN_BYTE_ARRAY && (!e->has_type_length || e->type_length < 0))
                return fail(rd, ERR_CORRUPT, "FIXED_LEN_BYTE_ARRAY column \"%.*s\" without a valid length",
                            (int)(e->name.n > 100 ? 100 : e->name.n), (const char *)e->name.p);
            nd->leaf = rd->n_leaves;
            rd->leaf_nodes[rd->n_leaves++] = i;
        }
        while (sp > 0 && left[sp - 1] == 0)
            sp--;
    }
    if (sp != 0)
        return fail(rd, ERR_CORRUPT, "schema ends with %d elements missing", left[sp - 1]);
    return ERR_OK;
}

static int is_repeated(const struct node *nd) {
    return nd->e->has_repetition_type && nd->e->repetition_type == PQ_REPEATED;
}

static int is_list_group(const struct node *nd) {
    return nd->n_kids > 0 && (nd->e->logical.kind == PQ_LT_LIST ||
                              (nd->e->has_converted_type && nd->e->converted_type == PQ_CT_LIST));
}

static int is_map_group(const struct node *nd) {
    return nd->n_kids > 0 &&
           (nd->e->logical.kind == PQ_LT_MAP ||
            (nd->e->has_converted_type && (nd->e->converted_type == PQ_CT_MAP ||
                                           nd->e->converted_type == PQ_CT_MAP_KEY_VALUE)));
}

static int new_field(struct reader *rd, int shape, int node) {
    struct field *f = &rd->fields[rd->n_fields];
    memset(f, 0, sizeof *f);
    f->shape = shape;
    f->node = node;
    f->leaf = -1;
    f->first_leaf = INT32_MAX;
    return rd->n_fields++;
}

static void take_leaves(struct field *f, const struct field *kid) {
    if (kid->n_leaves == 0)
        return;
    if (f->n_leaves == 0)
        f->first_leaf = kid->first_leaf;
    f->n_leaves = kid->first_leaf + kid->n_leaves - f->first_leaf;
}

static int make_field(struct reader *rd, int node, int as_element);

/* Children fields of kids[0..n) as a contiguous block. */
static int make_kids(struct reader *rd, int fi, const int *kids, int n) {
    int first = rd->n_kid_fields;
    rd->n_kid_fields += n;
    for (int k = 0; k < n; k++) {
        int c = make_field(rd, kids[k], 0);
        rd->kid_fields[first + k] = c;
        take_leaves(&rd->fields[fi], &rd->fields[c]);
    }
    rd->fields[fi].first_kid = first;
    rd->fields[fi].n_kids = n;
    return fi;
}

/* The field for schema node `node`.  as_element: the node is the repeated
   element of a list already accounted for, so it is read as required. */
static int make_field(struct reader *rd, int node, int as_element) {
    const struct node *nd = &rd->nodes[node];
    if (!as_element && is_repeated(nd)) {
        /* a repeated field outside a LIST group: a list of required values */
        int fi = new_field(rd, SH_LIST, node);
        rd->fields[fi].def = nd->def - 1;
        rd->fields[fi].def_elem = nd->def;
        rd->fields[fi].rep = nd->rep;
        int first = rd->n_kid_fields++;
        int c = make_field(rd, node, 1);
        rd->kid_fields[first] = c;
        rd->fields[fi].first_kid = first;
        rd->fields[fi].n_kids = 1;
        take_leaves(&rd->fields[fi], &rd->fields[c]);
        return fi;
    }
    if (nd->leaf >= 0) {
        int fi = new_field(rd, SH_LEAF, node);
        rd->fields[fi].def = nd->def;
        rd->fields[fi].leaf = nd->leaf;
        rd->fields[fi].first_leaf = nd->leaf;
        rd->fields[fi].n_leaves = 1;
        return fi;
    }
    const int *kids = rd->kid_nodes + nd->first_kid;
    if (node != 0 && is_list_group(nd) && nd->n_kids == 1 && is_repeated(&rd->nodes[kids[0]])) {
        const struct node *r = &rd->nodes[kids[0]];
        int fi = new_field(rd, SH_LIST, node);
        rd->fields[fi].def = nd->def;
        rd->fields[fi].def_elem = r->def;
        rd->fields[fi].rep = r->rep;
        int elem;
        size_t nl = nd->e->name.n;
        if (r->leaf >= 0 || r->n_kids != 1 || name_is(&r->e->name, "array") ||
            (r->e->name.n == nl + 6 && !memcmp(r->e->name.p, nd->e->name.p, nl) &&
             !memcmp(r->e->name.p + nl, "_tuple", 6)))
            elem = make_field(rd, kids[0], 1);
        else
            elem = make_field(rd, rd->kid_nodes[r->first_kid], 0);
        int first = rd->n_kid_fields++;
        rd->kid_fields[first] = elem;
        rd->fields[fi].first_kid = first;
        rd->fields[fi].n_kids = 1;
        take_leaves(&rd->fields[fi], &rd->fields[elem]);
        return fi;
    }
    if (node != 0 && is_map_group(nd) && nd->n_kids == 1 && is_repeated(&rd->nodes[kids[0]]) &&
        rd->nodes[kids[0]].leaf < 0 && rd->nodes[kids[0]].n_kids <= 2) {
        /* key_value with a key and a value; with a key alone, a list of keys */
        const struct node *kv = &rd->nodes[kids[0]];
        int fi = new_field(rd, kv->n_kids == 2 ? SH_MAP : SH_LIST, node);
        rd->fields[fi].def = nd->def;
        rd->fields[fi].def_elem = kv->def;
        rd->fields[fi].rep = kv->rep;
        return make_kids(rd, fi, rd->kid_nodes + kv->first_kid, kv->n_kids);
    }
    int fi = new_field(rd, SH_STRUCT, node);
    rd->fields[fi].def = nd->def;
    return make_kids(rd, fi, kids, nd->n_kids);
}

static int build_fields(struct reader *rd) {
    size_t n = (size_t)rd->n_nodes * 2 + 2;
    rd->fields = pool_calloc(rd->pool, n, sizeof *rd->fields);
    rd->kid_fields = pool_calloc(rd->pool, n, sizeof *rd->kid_fields);
    if (!rd->fields || !rd->kid_fields)
        return fail(rd, ERR_NOMEM, NULL);
    rd->root_field = make_field(rd, 0, 1);
    return ERR_OK;
}

/* Parse --columns into the list of selected top-level fields. */
static int select_columns(struct reader *rd) {
    const struct field *root = &rd->fields[rd->root_field];
    const char *s = rd->o->columns;
    size_t n = 1;
    if (s)
        for (const char *c = s; *c; c++)
            n += *c == ',';
    else
        n = (size_t)root->n_kids;
    rd->sel = pool_calloc(rd->pool, n ? n : 1, sizeof *rd->sel);
    if (!rd->sel)
        return fail(rd, ERR_NOMEM, NULL);
    if (!s) {
        for (int k = 0; k < root->n_kids; k++)
            rd->sel[k] = rd->kid_fields[root->first_kid + k];
        rd->n_sel = root->n_kids;
        return ERR_OK;
    }
    for (;;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        int found = -1;
        for (int k = 0; k < root->n_kids && found < 0; k++) {
            int fi = rd->kid_fields[root->first_kid + k];
            const struct pq_bytes *nm = &rd->nodes[rd->fields[fi].node].e->name;
            if (nm->n == len && !memcmp(nm->p, s, len))
                found = fi;
        }
        if (found < 0)
            return fail(rd, ERR_USAGE, "no column named \"%.*s\"", (int)(len > 200 ? 200 : len), s);
        for (int k = 0; k < rd->n_sel; k++)
            if (rd->sel[k] == found)
                return fail(rd, ERR_USAGE, "column \"%.*s\" named twice", (int)(len > 200 ? 200 : len), s);
        rd->sel[rd->n_sel++] = found;
        if (!e)
            break;
        s = e + 1;
    }
    return ERR_OK;
}

/* ---- column reader ---- */

static void cr_free(struct reader *rd, struct colread *cr) {
    pool_t *p = rd->pool;
    pool_free(p, cr->dict_buf);
    pool_free(p, cr->dict_off);
    pool_free(p, cr->dict_len);
    pool_free(p, cr->page_buf);
    pool_free(p, cr->rep_lv);
    pool_free(p, cr->def_lv);
    pool_free(p, cr->idx);
    pool_free(p, cr->off);
    pool_free(p, cr->len);
    pool_free(p, cr->vbuf);
    pool_free(p, cr->tmp);
    pool_free(p, cr->scratch);
    memset(cr, 0, sizeof *cr);
}

static size_t fixed_width(int type, int32_t type_length) {
    switch (type) {
    case PQ_BOOLEAN: return 1;
    case PQ_INT32: case PQ_FLOAT: return 4;
    case PQ_INT64: case PQ_DOUBLE: return 8;
    case PQ_INT96: return 12;
    case PQ_FIXED_LEN_BYTE_ARRAY: return (size_t)type_length;
    default: return 0;
    }
}

static const char *type_name(int t) {
    static const char *const names[] = {
        "BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"
    };
    return t >= 0 && t <= PQ_FIXED_LEN_BYTE_ARRAY ? names[t] : "?";
}

static const char *encoding_name(int e) {
    static const char *const names[] = {
        "PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED", "DELTA_BINARY_PACKED",
        "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"
    };
    return e >= 0 && e <= PQ_ENC_BYTE_STREAM_SPLIT ? names[e] : "UNKNOWN";
}

/* Bounds of a column chunk's pages: [*start, *end) inside the file body. */
static int chunk_range(struct reader *rd, struct colread *cr, const struct pq_column_chunk *cc,
                       size_t *start, size_t *end) {
    const struct pq_column_meta *cm = &cc->meta_data;
    int64_t s = cm->data_page_offset;
    if (cm->has_dictionary_page_offset && cm->dictionary_page_offset > 0 &&
        cm->dictionary_page_offset < s)
        s = cm->dictionary_page_offset;
    if (s < 4 || (uint64_t)s >= rd->body_end)
        return fail_col(rd, cr, ERR_CORRUPT, "column chunk starts at offset %lld, outside the file's %zu data bytes",
                        (long long)s, rd->body_end);
    if (cm->total_compressed_size < 0)
        return fail_col(rd, cr, ERR_CORRUPT, "column chunk size %lld", (long long)cm->total_compressed_size);
    size_t e = rd->body_end;
    if ((uint64_t)cm->total_compressed_size < rd->body_end - (uint64_t)s)
        e = (size_t)s + (size_t)cm->total_compressed_size;
    *start = (size_t)s;
    *end = e;
    return ERR_OK;
}

/* Check a column chunk's metadata against the schema leaf. */
static int chunk_check(struct reader *rd, struct colread *cr, const struct pq_column_chunk *cc) {
    if (cc->is_encrypted)
        return fail_col(rd, cr, ERR_ENCRYPTED, "encrypted column chunk: encrypted Parquet files are not supported");
    if (!cc->has_meta_data)
        return fail_col(rd, cr, ERR_CORRUPT, "column chunk without metadata");
    if (cc->has_file_path && cc->file_path.n)
        return fail_col(rd, cr, ERR_UNSUPPORTED, "column chunk stored in another file (\"%.*s\")",
                        (int)(cc->file_path.n > 200 ? 200 : cc->file_path.n), (const char *)cc->file_path.p);
    if (cc->meta_data.type != rd->nodes[rd->leaf_nodes[cr->leaf]].e->type)
        return fail_col(rd, cr, ERR_CORRUPT, "column chunk of type %s, the schema says %s",
                        type_name(cc->meta_data.type), type_name(rd->nodes[rd->leaf_nodes[cr->leaf]].e->type));
    if (cc->meta_data.num_values < 0)
        return fail_col(rd, cr, ERR_CORRUPT, "column chunk of %lld values", (long long)cc->meta_data.num_values);
    return ERR_OK;
}

static void cr_init(struct reader *rd, struct colread *cr, int leaf) {
    const struct node *nd = &rd->nodes[rd->leaf_nodes[leaf]];
    cr->leaf = leaf;
    cr->nd = nd;
    cr->type = nd->e->type;
    pqv_resolve(nd->e, &cr->vt);
    cr->width = fixed_width(cr->type, nd->e->type_length);
    cr->max_def = nd->def;
    cr->max_rep = nd->rep;
    cr->page = -1;
    cr->page_off = -1;
}

static int cr_open(struct reader *rd, struct colread *cr, int leaf, const struct pq_column_chunk *cc) {
    cr_init(rd, cr, leaf);
    FORWARD_IF_ERROR(chunk_check(rd, cr, cc));
    size_t start = 0, end = 0;
    FORWARD_IF_ERROR(chunk_range(rd, cr, cc, &start, &end));
    cr->codec = cc->meta_data.codec;
    cr->chunk = cr->p = rd->file + start;
    cr->end = rd->file + end;
    cr->num_values = cc->meta_data.num_values;
    cr->dict_uncounted = !cc->meta_data.has_dictionary_page_offset;
    cr->active = 1;
    return ERR_OK;
}

/* The uncompressed bytes of a page body: points into the file when the
   page is stored uncompressed, else into buf (grown as needed). */
static int page_bytes(struct reader *rd, struct colread *cr, const uint8_t *src, size_t slen, size_t ulen,
                      uint8_t **buf, size_t *cap, const uint8_t **out, size_t *out_len) {
    if (cr->codec == CODEC_UNCOMPRESSED || ulen == 0) {
        *out = src;
        *out_len = cr->codec == CODEC_UNCOMPRESSED ? slen : 0;
        return ERR_OK;
    }
    if (cr->codec == CODEC_BROTLI || cr->codec == CODEC_LZO || cr->codec > CODEC_LZ4_RAW || cr->codec < 0)
        return fail_col(rd, cr, ERR_UNSUPPORTED, "unsupported codec %s", codec_name(cr->codec));
    if (grow(rd->pool, buf, cap, ulen, 1))
        return fail_col(rd, cr, ERR_NOMEM, "page of %zu bytes: memory budget exhausted (raise it with -m)", ulen);
    int err = codec_decompress(rd->pool, cr->codec, src, slen, *buf, ulen);
    if (err == ERR_NOMEM)
        return fail_col(rd, cr, err, NULL);
    if (err == ERR_UNSUPPORTED)
        return fail_col(rd, cr, err, "unsupported codec %s", codec_name(cr->codec));
    if (err)
        return fail_col(rd, cr, err, "%s page of %zu bytes does not decompress to %zu bytes",
                        codec_name(cr->codec), slen, ulen);
    *out = *buf;
    *out_len = ulen;
    return ERR_OK;
}

/* Decode n levels of max level `max` from [*p, end); advances *p. */
static int read_levels(struct reader *rd, struct colread *cr, int enc, int max, int v2,
                       const uint8_t **p, const uint8_t *end, uint32_t *out, size_t n, const char *what) {
    int bw = enc_bit_width((uint64_t)max);
    size_t avail = (size_t)(end - *p);
    int err;
    if (v2) {
        err = enc_rle_decode(*p, avail, bw, out, n, NULL);
        *p = end;
    } else if (enc == PQ_ENC_RLE) {
        if (avail < 4)
            return fail_col(rd, cr, ERR_TRUNCATED, "%s levels: 4-byte length missing", what);
        uint32_t len = enc_load_u32le(*p);
        if (len > avail - 4)
            return fail_col(rd, cr, ERR_TRUNCATED, "%s levels say %u bytes, %zu remain", what, len, avail - 4);
        err = enc_rle_decode(*p + 4, len, bw, out, n, NULL);
        *p += 4 + (size_t)len;
    } else if (enc == PQ_ENC_BIT_PACKED) {
        uint64_t need = ((uint64_t)n * (uint64_t)bw + 7) / 8;
        if (need > avail)
            return fail_col(rd, cr, ERR_TRUNCATED, "%s levels need %llu bytes, %zu remain", what,
                            (unsigned long long)need, avail);
        err = enc_bitpacked_legacy_decode(*p, (size_t)need, bw, out, n);
        *p += need;
    } else {
        return fail_col(rd, cr, ERR_UNSUPPORTED, "%s levels in encoding %s", what, encoding_name(enc));
    }
    if (err)
        return fail_col(rd, cr, err, "%s levels: %s (%zu expected)", what,
                        err == ERR_TRUNCATED ? "fewer levels than the page's values" : err_str(err), n);
    for (size_t i = 0; i < n; i++)
        if (out[i] > (uint32_t)max)
            return fail_col(rd, cr, ERR_CORRUPT, "%s level %u above the maximum %d", what, out[i], max);
    return ERR_OK;
}

/* PLAIN byte arrays: n length-prefixed values from [p, p+len). */
static int plain_bytes(struct reader *rd, struct colread *cr, const uint8_t *p, size_t len, size_t n,
                       uint32_t **off, size_t *off_cap, uint32_t **lens, size_t *len_cap) {
    if (n > len / 4)
        return fail_col(rd, cr, ERR_TRUNCATED, "%zu byte arrays in %zu bytes", n, len);
    if (grow(rd->pool, off, off_cap, n, 4) || grow(rd->pool, lens, len_cap, n, 4))
        return fail_col(rd, cr, ERR_NOMEM, NULL);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (len - at < 4)
            return fail_col(rd, cr, ERR_TRUNCATED, "value %zu of %zu: length prefix past the end of the page", i, n);
        uint32_t l = enc_load_u32le(p + at);
        at += 4;
        if (l > len - at)
            return fail_col(rd, cr, ERR_TRUNCATED, "value %zu of %zu says %u bytes, %zu remain", i, n, l, len - at);
        (*off)[i] = (uint32_t)at;
        (*lens)[i] = l;
        at += l;
    }
    return ERR_OK;
}

static int decode_dictionary(struct reader *rd, struct colread *cr, const struct pq_page_header *h,
                             const uint8_t *body) {
    const struct pq_dictionary_page_header *dh = &h->dictionary_page_header;
    if (!h->has_dictionary_page_header)
        return fail_col(rd, cr, ERR_CORRUPT, "dictionary page without its header");
    if (dh->num_values < 0)
        return fail_col(rd, cr, ERR_CORRUPT, "dictionary page of %d values", dh->num_values);
    if (dh->encoding != PQ_ENC_PLAIN && dh->encoding != PQ_ENC_PLAIN_DICTIONARY)
        return fail_col(rd, cr, ERR_UNSUPPORTED, "dictionary page in encoding %s", encoding_name(dh->encoding));
    const uint8_t *d;
    size_t dlen;
    FORWARD_IF_ERROR(page_bytes(rd, cr, body, (size_t)h->compressed_page_size, (size_t)h->uncompressed_page_size,
                                &cr->dict_buf, &cr->dict_cap, &d, &dlen));
    size_t n = (size_t)dh->num_values;
    cr->n_dict = 0;
    if (cr->type == PQ_BYTE_ARRAY) {
        FORWARD_IF_ERROR(plain_bytes(rd, cr, d, dlen, n, &cr->dict_off, &cr->dict_off_cap, &cr->dict_len,
                                              &cr->dict_len_cap));
        cr->dict_data = d;
    } else if (cr->type == PQ_BOOLEAN) {
        /* a dictionary of booleans: decoded into the page's value buffer
           would be overwritten, so keep the bits in dict_off as bytes */
        if (grow(rd->pool, &cr->dict_off, &cr->dict_off_cap, n / 4 + 1, 4))
            return fail_col(rd, cr, ERR_NOMEM, NULL);
        if (enc_plain_bool_decode(d, dlen, (uint8_t *)cr->dict_off, n))
            return fail_col(rd, cr, ERR_TRUNCATED, "dictionary of %zu booleans in %zu bytes", n, dlen);
        cr->dict_data = (const uint8_t *)cr->dict_off;
    } else {
        if (cr->width && n > dlen / cr->width)
            return fail_col(rd, cr, ERR_TRUNCATED, "dictionary of %zu values of %zu bytes in %zu bytes", n,
                            cr->width, dlen);
        cr->dict_data = d;
    }
    cr->n_dict = (uint32_t)n;
    cr->has_dict = 1;
    return ERR_OK;
}

static int decode_values(struct reader *rd, struct colread *cr, int enc, const uint8_t *p, size_t len) {
    size_t nv = cr->nv;
    cr->vmode = VM_FIXED;
    cr->vals = p;
    if (nv == 0)
        return ERR_OK;
    switch (enc) {
    case PQ_ENC_PLAIN:
        if (cr->type == PQ_BYTE_ARRAY) {
            cr->vmode = VM_BYTES;
            return plain_bytes(rd, cr, p, len, nv, &cr->off, &cr->off_cap, &cr->len, &cr->len_cap);
        }
        if (cr->type == PQ_BOOLEAN) {
            if (nv / 8 + (nv % 8 != 0) > len)
                return fail_col(rd, cr, ERR_TRUNCATED, "%zu booleans in %zu bytes", nv, len);
            if (grow(rd->pool, &cr->vbuf, &cr->vbuf_cap, nv, 1))
                return fail_col(rd, cr, ERR_NOMEM, NULL);
            if (enc_plain_bool_decode(p, len, cr->vbuf, nv))
                return fail_col(rd, cr, ERR_TRUNCATED, "%zu booleans in %zu bytes", nv, len);
            cr->vals = cr->vbuf;
            return ERR_OK;
        }
        if (cr->width && nv > len / cr->width)
            return fail_col(rd, cr, ERR_TRUNCATED, "%zu values of %zu bytes, the page holds %zu bytes", nv, cr->width,
                            len);
        return ERR_OK;
    case PQ_ENC_PLAIN_DICTIONARY:
    case PQ_ENC_RLE_DICTIONARY: {
        if (!cr->has_dict)
            return fail_col(rd, cr, ERR_CORRUPT, "dictionary-encoded page without a dictionary page");
        cr->vmode = VM_DICT;
        if (len < 1)
            return fail_col(rd, cr, ERR_TRUNCATED, "dictionary indices missing");
        if (p[0] > 32)
            return fail_col(rd, cr, ERR_CORRUPT, "dictionary index bit width %d", p[0]);
        if (grow(rd->pool, &cr->idx, &cr->idx_cap, nv, 4))
            return fail_col(rd, cr, ERR_NOMEM, NULL);
        int err = enc_rle_decode(p + 1, len - 1, p[0], cr->idx, nv, NULL);
        if (err)
            return fail_col(rd, cr, err, "dictionary indices: %s", err == ERR_TRUNCATED
                            ? "fewer indices than the page's values" : err_str(err));
        for (size_t i = 0; i < nv; i++)
            if (cr->idx[i] >= cr->n_dict)
                return fail_col(rd, cr, ERR_CORRUPT, "dictionary index %u, the dictionary holds %u values",
                                cr->idx[i], cr->n_dict);
        return ERR_OK;
    }
    case PQ_ENC_RLE: {
        if (cr->type != PQ_BOOLEAN)
            break;
        if (len < 4)
            return fail_col(rd, cr, ERR_TRUNCATED, "RLE booleans: 4-byte length missing");
        uint32_t l = enc_load_u32le(p);
        if (l > len - 4)
            return fail_col(rd, cr, ERR_TRUNCATED, "RLE booleans say %u bytes, %zu remain", l, len - 4);
        if (grow(rd->pool, &cr->idx, &cr->idx_cap, nv, 4) || grow(rd->pool, &cr->vbuf, &cr->vbuf_cap, nv, 1))
            return fail_col(rd, cr, ERR_NOMEM, NULL);
        int err = enc_rle_decode(p + 4, l, 1, cr->idx, nv, NULL);
        if (err)
            return fail_col(rd, cr, err, "RLE booleans: %s", err_str(err));
        for (size_t i = 0; i < nv; i++)
            cr->vbuf[i] = (uint8_t)cr->idx[i];
        cr->vals = cr->vbuf;
        return ERR_OK;
    }
    case PQ_ENC_DELTA_BINARY_PACKED: {
        if (cr->type != PQ_INT32 && cr->type != PQ_INT64)
            break;
        if (grow(rd->pool, &cr->tmp, &cr->tmp_cap, nv, 8) ||
            grow(rd->pool, &cr->vbuf, &cr->vbuf_cap, nv * cr->width, 1))
            return fail_col(rd, cr, ERR_NOMEM, NULL);
        size_t count = 0, used = 0;
        int err = enc_delta_binary_decode(p, len, cr->tmp, nv, &count, &used);
        if (!err && count != nv)
            err = ERR_CORRUPT;
        if (err)
            return fail_col(rd, cr, err, "DELTA_BINARY_PACKED values: %s", err_str(err));
        for (size_t i = 0; i < nv; i++) {
            if (cr->width == 4)
                enc_store_u32le(cr->vbuf + 4 * i, (uint32_t)cr->tmp[i]);
            else
                enc_store_u64le(cr->vbuf + 8 * i, (uint64_t)cr->tmp[i]);
        }
        cr->vals = cr->vbuf;
        return ERR_OK;
    }
    case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY: {
        if (cr->type != PQ_BYTE_ARRAY)
            break;
        if (grow(rd->pool, &cr->tmp, &cr->tmp_cap, nv, 8) ||
            grow(rd->pool, &cr->off, &cr->off_cap, nv, 4) || grow(rd->pool, &cr->len, &cr->len_cap, nv, 4))
            return fail_col(rd, cr, ERR_NOMEM, NULL);
        struct enc_byte_array ba = { NULL, cr->off, cr->len };
        size_t used = 0;
        int err = enc_delta_length_decode(p, len, nv, cr->tmp, &ba, &used);
        if (err)
            return fail_col(rd, cr, err, "DELTA_LENGTH_BYTE_ARRAY values: %s", err_str(err));
        cr->vmode = VM_BYTES;
        cr->vals = ba.data;
        return ERR_OK;
    }
    case PQ_ENC_DELTA_BYTE_ARRAY: {
        if (cr->type != PQ_BYTE_ARRAY && cr->type != PQ_FIXED_LEN_BYTE_ARRAY)
            break;
        if (nv > SIZE_MAX / 16)
            return fail_col(rd, cr, ERR_NOMEM, NULL);
        if (grow(rd->pool, &cr->tmp, &cr->tmp_cap, 2 * nv, 8) ||
            grow(rd->pool, &cr->off, &cr->off_cap, nv, 4) || grow(rd->pool, &cr->len, &cr->len_cap, nv, 4))
            return fail_col(rd, cr, ERR_NOMEM, NULL);
        struct enc_byte_array ba = { NULL, cr->off, cr->len };
        int err;
        for (;;) {
            size_t used = 0;
            err = enc_delta_byte_array_decode(p, len, nv, cr->tmp, cr->scratch, cr->scratch_cap, &ba, &used);
            if (err != ERR_TOOBIG || used <= cr->scratch_cap)
                break;
            if (grow(rd->pool, &cr->scratch, &cr->scratch_cap, used, 1))
                return fail_col(rd, cr, ERR_NOMEM, "DELTA_BYTE_ARRAY values of %zu bytes: memory budget exhausted",
                                used);
        }
        if (err)
            return fail_col(rd, cr, err, "DELTA_BYTE_ARRAY values: %s", err_str(err));
        if (cr->type == PQ_FIXED_LEN_BYTE_ARRAY)
            for (size_t i = 0; i < nv; i++)
                if (cr->len[i] != cr->width)
                    return fail_col(rd, cr, ERR_CORRUPT, "value of %u bytes in a FIXED_LEN_BYTE_ARRAY(%zu) column",
                                    cr->len[i], cr->width);
        cr->vmode = VM_BYTES;
        cr->vals = ba.data;
        return ERR_OK;
    }
    case PQ_ENC_BYTE_STREAM_SPLIT: {
        if (cr->type == PQ_BOOLEAN || cr->type == PQ_BYTE_ARRAY || cr->type == PQ_INT96 || cr->width == 0)
            break;
        if (nv > SIZE_MAX / cr->width)
            return fail_col(rd, cr, ERR_NOMEM, NULL);
        if (grow(rd->pool, &cr->vbuf, &cr->vbuf_cap, nv * cr->width, 1))
            return fail_col(rd, cr, ERR_NOMEM, NULL);
        if (len != nv * cr->width)
            return fail_col(rd, cr, ERR_CORRUPT, "BYTE_STREAM_SPLIT: %zu bytes for %zu values of %zu bytes", len, nv,
                            cr->width);
        int err = enc_byte_stream_split_decode(p, len, cr->width, cr->vbuf, nv);
        if (err)
            return fail_col(rd, cr, err, "BYTE_STREAM_SPLIT values: %s", err_str(err));
        cr->vals = cr->vbuf;
        return ERR_OK;
    }
    default:
        break;
    }
    return fail_col(rd, cr, ERR_UNSUPPORTED, "encoding %s for a %s column", encoding_name(enc), type_name(cr->type));
}

/* Levels and values of a data page (v1 or v2) whose header is h and body
   starts at body. */
static int decode_data_page(struct reader *rd, struct colread *cr, const struct pq_page_header *h,
                            const uint8_t *body) {
    int v2 = h->type == PQ_DATA_PAGE_V2;
    int32_t nvals;
    int enc;
    if (v2) {
        if (!h->has_data_page_header_v2)
            return fail_col(rd, cr, ERR_CORRUPT, "data page v2 without its header");
        nvals = h->data_page_header_v2.num_values;
        enc = h->data_page_header_v2.encoding;
    } else {
        if (!h->has_data_page_header)
            return fail_col(rd, cr, ERR_CORRUPT, "data page without its header");
        nvals = h->data_page_header.num_values;
        enc = h->data_page_header.encoding;
    }
    if (nvals < 0)
        return fail_col(rd, cr, ERR_CORRUPT, "data page of %d values", nvals);
    size_t n = (size_t)nvals;
    size_t csize = (size_t)h->compressed_page_size, usize = (size_t)h->uncompressed_page_size;
    const uint8_t *p, *end;
    size_t plen;
    if ((cr->max_def && grow(rd->pool, &cr->def_lv, &cr->def_cap, n, 4)) ||
        (cr->max_rep && grow(rd->pool, &cr->rep_lv, &cr->rep_cap, n, 4)))
        return fail_col(rd, cr, ERR_NOMEM, "page of %zu values: memory budget exhausted (raise it with -m)", n);
    if (v2) {
        const struct pq_data_page_header_v2 *d2 = &h->data_page_header_v2;
        int32_t rl = d2->repetition_levels_byte_length, dl = d2->definition_levels_byte_length;
        if (rl < 0 || dl < 0 || (size_t)rl + (size_t)dl > csize)
            return fail_col(rd, cr, ERR_CORRUPT, "level lengths %d and %d in a page of %zu bytes", rl, dl, csize);
        if ((size_t)rl + (size_t)dl > usize)
            return fail_col(rd, cr, ERR_CORRUPT, "level lengths %d and %d in a page of %zu uncompressed bytes", rl,
                            dl, usize);
        const uint8_t *lp = body;
        if (cr->max_rep && n)
            FORWARD_IF_ERROR(read_levels(rd, cr, PQ_ENC_RLE, cr->max_rep, 1, &lp, body + rl, cr->rep_lv, n,
                                         "repetition"));
        lp = body + rl;
        if (cr->max_def && n)
            FORWARD_IF_ERROR(read_levels(rd, cr, PQ_ENC_RLE, cr->max_def, 1, &lp, body + rl + dl, cr->def_lv, n,
                                         "definition"));
        const uint8_t *vs = body + rl + dl;
        size_t vslen = csize - (size_t)rl - (size_t)dl, vulen = usize - (size_t)rl - (size_t)dl;
        if (d2->is_compressed && cr->codec != CODEC_UNCOMPRESSED) {
            FORWARD_IF_ERROR(page_bytes(rd, cr, vs, vslen, vulen, &cr->page_buf, &cr->page_cap, &p, &plen));
        } else {
            p = vs;
            plen = vslen;
        }
        end = p + plen;
    } else {
        FORWARD_IF_ERROR(page_bytes(rd, cr, body, csize, usize, &cr->page_buf, &cr->page_cap, &p, &plen));
        end = p + plen;
        if (cr->max_rep && n)
            FORWARD_IF_ERROR(read_levels(rd, cr, h->data_page_header.repetition_level_encoding, cr->max_rep, 0,
                                         &p, end, cr->rep_lv, n, "repetition"));
        if (cr->max_def && n)
            FORWARD_IF_ERROR(read_levels(rd, cr, h->data_page_header.definition_level_encoding, cr->max_def, 0,
                                         &p, end, cr->def_lv, n, "definition"));
    }
    size_t nv = n;
    if (cr->max_def) {
        nv = 0;
        for (size_t i = 0; i < n; i++)
            nv += cr->def_lv[i] == (uint32_t)cr->max_def;
    }
    cr->n = n;
    cr->pos = 0;
    cr->nv = nv;
    cr->vpos = 0;
    if (cr->vt.kind == PQV_NULL && nv == 0) {
        cr->vmode = VM_FIXED;
        return ERR_OK;
    }
    return decode_values(rd, cr, enc, p, (size_t)(end - p));
}

/* Read the next page header into *h; *body points at the page's bytes,
   which are checked to lie inside the column chunk. */
static int next_page(struct reader *rd, struct colread *cr, struct pq_page_header *h, const uint8_t **body) {
    cr->page++;
    cr->page_off = (int64_t)(cr->p - rd->file);
    struct tc_reader r;
    memset(h, 0, sizeof *h);
    tc_reader_init(&r, cr->p, (size_t)(cr->end - cr->p));
    int err = pqm_decode_page_header(&r, h);
    if (err)
        return fail_col(rd, cr, err, "bad page header: %s", err_str(err));
    if (h->compressed_page_size < 0 || h->uncompressed_page_size < 0)
        return fail_col(rd, cr, ERR_CORRUPT, "page header says %d compressed, %d uncompressed bytes",
                        h->compressed_page_size, h->uncompressed_page_size);
    if (cr->page == 0 && h->type == PQ_DICTIONARY_PAGE && cr->dict_uncounted) {
        size_t extra = (size_t)(r.p - cr->p) + (size_t)h->compressed_page_size;
        size_t room = rd->body_end - (size_t)(cr->end - rd->file);
        cr->end += extra < room ? extra : room;
    }
    size_t avail = (size_t)(cr->end - r.p);
    if ((size_t)h->compressed_page_size > avail)
        return fail_col(rd, cr, ERR_TRUNCATED, "page header says %d bytes, %zu remain in the column chunk",
                        h->compressed_page_size, avail);
    *body = r.p;
    cr->p = r.p + h->compressed_page_size;
    return ERR_OK;
}

/* Load the next page with entries.  *got = 0 at the end of the chunk. */
static int cr_load(struct reader *rd, struct colread *cr, int *got) {
    *got = 0;
    while (cr->seen < cr->num_values && cr->p < cr->end) {
        struct pq_page_header h;
        const uint8_t *body;
        FORWARD_IF_ERROR(next_page(rd, cr, &h, &body));
        switch (h.type) {
        case PQ_DICTIONARY_PAGE:
            FORWARD_IF_ERROR(decode_dictionary(rd, cr, &h, body));
            break;
        case PQ_DATA_PAGE:
        case PQ_DATA_PAGE_V2:
            FORWARD_IF_ERROR(decode_data_page(rd, cr, &h, body));
            cr->seen += (int64_t)cr->n;
            if (cr->n) {
                *got = 1;
                return ERR_OK;
            }
            break;
        default:
            break;
        }
    }
    return ERR_OK;
}

/* The current entry's levels; *avail = 0 when the chunk has no more. */
static inline int cr_peek(struct reader *rd, struct colread *cr, uint32_t *rep, uint32_t *def, int *avail) {
    if (cr->pos >= cr->n) {
        int got;
        cr->n = cr->pos = 0;
        FORWARD_IF_ERROR(cr_load(rd, cr, &got));
        if (!got) {
            *avail = 0;
            return ERR_OK;
        }
    }
    *avail = 1;
    *rep = cr->max_rep ? cr->rep_lv[cr->pos] : 0;
    *def = cr->max_def ? cr->def_lv[cr->pos] : 0;
    return ERR_OK;
}

/* Consume the current entry (after cr_peek said one is there); *p, *n get
   its value when it has one (returns 1), else returns 0. */
static inline int cr_take(struct colread *cr, const uint8_t **p, size_t *n) {
    uint32_t def = cr->max_def ? cr->def_lv[cr->pos] : 0;
    cr->pos++;
    if (def != (uint32_t)cr->max_def)
        return 0;
    size_t v = cr->vpos++;
    if (v >= cr->nv)
        return -1;
    if (cr->vt.kind == PQV_NULL)
        return 0;
    switch (cr->vmode) {
    case VM_BYTES:
        *p = cr->vals + cr->off[v];
        *n = cr->len[v];
        return 1;
    case VM_DICT: {
        uint32_t i = cr->idx[v];
        if (cr->type == PQ_BYTE_ARRAY) {
            *p = cr->dict_data + cr->dict_off[i];
            *n = cr->dict_len[i];
        } else {
            *p = cr->dict_data + (size_t)i * cr->width;
            *n = cr->width;
        }
        return 1;
    }
    default:
        *p = cr->vals + v * cr->width;
        *n = cr->width;
        return 1;
    }
}

/* ---- record assembly ----

   Each leaf column is a stream of entries (repetition level, definition
   level, value when the definition level is the leaf's maximum).  A record
   starts where every leaf of a top-level field has repetition level 0.  A
   field is written by looking at the next entry of its first leaf:

     definition level below the field's own: the field is NULL there, and
       every leaf below it holds exactly one entry for it (skipped);
     a LIST or MAP whose elements' level is not reached: empty, likewise
       one entry per leaf;
     otherwise a struct writes each child in turn, and a list or map writes
       elements while its first leaf's next entry repeats at the list's
       repetition level.

   Every element consumes at least one entry of every leaf below it, so
   the loops end; a leaf that runs out in the middle of a record, or levels
   that disagree between leaves, are reported as corrupt. */

static int need_entry(struct reader *rd, struct colread *cr, uint32_t *rep, uint32_t *def) {
    int avail;
    FORWARD_IF_ERROR(cr_peek(rd, cr, rep, def, &avail));
    if (!avail)
        return fail_col(rd, cr, ERR_CORRUPT, "column chunk ends after %lld values, in the middle of a record",
                        (long long)cr->seen);
    return ERR_OK;
}

/* Skip one entry of every leaf below f (f is NULL or empty there). */
static int skip_entry(struct reader *rd, const struct field *f) {
    for (int l = f->first_leaf; l < f->first_leaf + f->n_leaves; l++) {
        uint32_t rep, def;
        const uint8_t *p;
        size_t n;
        FORWARD_IF_ERROR(need_entry(rd, &rd->cr[l], &rep, &def));
        cr_take(&rd->cr[l], &p, &n);
    }
    return ERR_OK;
}

static const struct pq_bytes *field_name(struct reader *rd, const struct field *f) {
    return &rd->nodes[f->node].e->name;
}

static int emit_json(struct reader *rd, const struct field *f, struct pqv_text *t);

/* A map key as a JSON string: the key's JSON text, quoted unless it is a
   string already. */
static int emit_key(struct reader *rd, const struct field *f, struct pqv_text *t) {
    size_t start = t->len;
    FORWARD_IF_ERROR(emit_json(rd, f, t));
    if (t->p[start] == '"')
        return ERR_OK;
    size_t len = t->len - start;
    char *copy = pool_alloc(rd->pool, len ? len : 1);
    if (!copy)
        return fail(rd, ERR_NOMEM, NULL);
    memcpy(copy, t->p + start, len);
    t->len = start;
    int err = pqv_json_string(t, copy, len);
    pool_free(rd->pool, copy);
    return err ? fail(rd, err, NULL) : ERR_OK;
}

static int put(struct reader *rd, struct pqv_text *t, const char *s, size_t n) {
    return pqv_text_put(t, s, n) ? fail(rd, ERR_NOMEM, NULL) : ERR_OK;
}

static int emit_json(struct reader *rd, const struct field *f, struct pqv_text *t) {
    uint32_t rep, def;
    struct colread *first = &rd->cr[f->first_leaf];
    if (f->n_leaves == 0)
        return put(rd, t, "null", 4);
    FORWARD_IF_ERROR(need_entry(rd, first, &rep, &def));
    if (f->shape == SH_LEAF) {
        const uint8_t *p;
        size_t n;
        int has = cr_take(first, &p, &n);
        if (has < 0)
            return fail_col(rd, first, ERR_CORRUPT, "fewer values than the definition levels announce");
        if (has == 0)
            return put(rd, t, "null", 4);
        int err = pqv_format_json(&first->vt, p, n, t);
        if (err)
            return fail_col(rd, first, err, err == ERR_CORRUPT ? "value of %zu bytes does not fit its type" : NULL, n);
        return ERR_OK;
    }
    if (def < (uint32_t)f->def) {
        FORWARD_IF_ERROR(skip_entry(rd, f));
        return put(rd, t, "null", 4);
    }
    const int *kids = rd->kid_fields + f->first_kid;
    if (f->shape == SH_STRUCT) {
        FORWARD_IF_ERROR(put(rd, t, "{", 1));
        for (int k = 0; k < f->n_kids; k++) {
            const struct field *c = &rd->fields[kids[k]];
            const struct pq_bytes *nm = field_name(rd, c);
            if (k)
                FORWARD_IF_ERROR(put(rd, t, ",", 1));
            if (pqv_json_string(t, nm->p, nm->n) || pqv_text_put(t, ":", 1))
                return fail(rd, ERR_NOMEM, NULL);
            FORWARD_IF_ERROR(emit_json(rd, c, t));
        }
        return put(rd, t, "}", 1);
    }
    int is_map = f->shape == SH_MAP;
    if (def < (uint32_t)f->def_elem) {
        FORWARD_IF_ERROR(skip_entry(rd, f));
        return put(rd, t, is_map ? "{}" : "[]", 2);
    }
    FORWARD_IF_ERROR(put(rd, t, is_map ? "{" : "[", 1));
    for (int k = 0;; k++) {
        if (k)
            FORWARD_IF_ERROR(put(rd, t, ",", 1));
        if (is_map) {
            FORWARD_IF_ERROR(emit_key(rd, &rd->fields[kids[0]], t));
            FORWARD_IF_ERROR(put(rd, t, ":", 1));
            if (f->n_kids > 1)
                FORWARD_IF_ERROR(emit_json(rd, &rd->fields[kids[1]], t));
            else
                FORWARD_IF_ERROR(put(rd, t, "null", 4));
        } else {
            FORWARD_IF_ERROR(emit_json(rd, &rd->fields[kids[0]], t));
        }
        int avail;
        FORWARD_IF_ERROR(cr_peek(rd, first, &rep, &def, &avail));
        if (!avail || rep != (uint32_t)f->rep)
            break;
    }
    return put(rd, t, is_map ? "}" : "]", 1);
}

/* ---- CSV ---- */

static int csv_field(struct reader *rd, const uint8_t *p, size_t n) {
    int quote = n == rd->null_len && (n == 0 || !memcmp(p, rd->null_str, n));
    for (size_t i = 0; i < n && !quote; i++) {
        uint8_t c = p[i];
        quote = c == (uint8_t)rd->delim || c == '"' || c == '\n' || c == '\r';
    }
    struct out *o = &rd->out;
    if (!quote)
        return out_put(o, p, n);
    FORWARD_IF_ERROR(out_byte(o, '"'));
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"') {
            FORWARD_IF_ERROR(out_put(o, p + from, i + 1 - from));
            from = i;
        }
    }
    FORWARD_IF_ERROR(out_put(o, p + from, n - from));
    return out_byte(o, '"');
}

static int write_header(struct reader *rd) {
    for (int k = 0; k < rd->n_sel; k++) {
        if (k)
            FORWARD_IF_ERROR(out_byte(&rd->out, rd->delim));
        const struct pq_bytes *nm = field_name(rd, &rd->fields[rd->sel[k]]);
        FORWARD_IF_ERROR(csv_field(rd, nm->p, nm->n));
    }
    return out_byte(&rd->out, '\n');
}

static int write_cell(struct reader *rd, const struct field *f) {
    uint32_t rep, def;
    if (f->n_leaves == 0)
        return out_put(&rd->out, rd->null_str, rd->null_len);
    if (f->shape == SH_LEAF) {
        struct colread *cr = &rd->cr[f->leaf];
        FORWARD_IF_ERROR(need_entry(rd, cr, &rep, &def));
        if (rep != 0)
            return fail_col(rd, cr, ERR_CORRUPT, "repetition level %u at the start of a record", rep);
        const uint8_t *p;
        size_t n;
        int has = cr_take(cr, &p, &n);
        if (has < 0)
            return fail_col(rd, cr, ERR_CORRUPT, "fewer values than the definition levels announce");
        if (has == 0)
            return out_put(&rd->out, rd->null_str, rd->null_len);
        if (cr->vt.kind == PQV_STRING)
            return csv_field(rd, p, n);
        rd->cell.len = 0;
        int err = pqv_format(&cr->vt, p, n, &rd->cell);
        if (err)
            return fail_col(rd, cr, err, err == ERR_CORRUPT ? "value of %zu bytes does not fit its type" : NULL, n);
        return csv_field(rd, (const uint8_t *)rd->cell.p, rd->cell.len);
    }
    for (int l = f->first_leaf; l < f->first_leaf + f->n_leaves; l++) {
        FORWARD_IF_ERROR(need_entry(rd, &rd->cr[l], &rep, &def));
        if (rep != 0)
            return fail_col(rd, &rd->cr[l], ERR_CORRUPT, "repetition level %u at the start of a record", rep);
    }
    FORWARD_IF_ERROR(need_entry(rd, &rd->cr[f->first_leaf], &rep, &def));
    if (def < (uint32_t)f->def) {
        FORWARD_IF_ERROR(skip_entry(rd, f));
        return out_put(&rd->out, rd->null_str, rd->null_len);
    }
    rd->cell.len = 0;
    FORWARD_IF_ERROR(emit_json(rd, f, &rd->cell));
    return csv_field(rd, (const uint8_t *)rd->cell.p, rd->cell.len);
}

static void close_columns(struct reader *rd) {
    if (!rd->cr)
        return;
    for (int l = 0; l < rd->n_leaves; l++)
        if (rd->cr[l].active)
            cr_free(rd, &rd->cr[l]);
}

static int write_csv(struct reader *rd) {
    if (!rd->o->no_header && rd->n_sel > 0)
        FORWARD_IF_ERROR(write_header(rd));
    int64_t left = rd->o->head;
    rd->cr = pool_calloc(rd->pool, (size_t)(rd->n_leaves ? rd->n_leaves : 1), sizeof *rd->cr);
    if (!rd->cr)
        return fail(rd, ERR_NOMEM, NULL);
    for (uint32_t g = 0; g < rd->meta.n_row_groups && left != 0 && rd->n_sel > 0; g++) {
        const struct pq_row_group *rg = &rd->meta.row_groups[g];
        rd->rg = g;
        rd->where->row_group = g;
        if (rg->num_rows < 0)
            return fail(rd, ERR_CORRUPT, "row group of %lld rows", (long long)rg->num_rows);
        if (rg->num_rows == 0)
            continue;
        if (rg->n_columns != (uint32_t)rd->n_leaves)
            return fail(rd, ERR_CORRUPT, "row group has %u column chunks, the schema %d leaf columns",
                        rg->n_columns, rd->n_leaves);
        for (int k = 0; k < rd->n_sel; k++) {
            const struct field *f = &rd->fields[rd->sel[k]];
            for (int l = f->first_leaf; l < f->first_leaf + f->n_leaves; l++)
                if (!rd->cr[l].active)
                    FORWARD_IF_ERROR(cr_open(rd, &rd->cr[l], l, &rg->columns[l]));
        }
        int64_t rows = rg->num_rows;
        if (left >= 0 && left < rows)
            rows = left;
        for (int64_t r = 0; r < rows; r++) {
            for (int k = 0; k < rd->n_sel; k++) {
                if (k)
                    FORWARD_IF_ERROR(out_byte(&rd->out, rd->delim));
                FORWARD_IF_ERROR(write_cell(rd, &rd->fields[rd->sel[k]]));
            }
            FORWARD_IF_ERROR(out_byte(&rd->out, '\n'));
        }
        if (rows == rg->num_rows) {
            for (int l = 0; l < rd->n_leaves; l++) {
                struct colread *cr = &rd->cr[l];
                uint32_t rep, def;
                int avail;
                if (!cr->active)
                    continue;
                FORWARD_IF_ERROR(cr_peek(rd, cr, &rep, &def, &avail));
                if (avail)
                    return fail_col(rd, cr, ERR_CORRUPT, "more values than the row group's %lld rows",
                                    (long long)rg->num_rows);
            }
        }
        if (left > 0)
            left -= rows;
        close_columns(rd);
        /* The row group's pages are read: drop them from the resident set
           (the mapping is read-only, so a later touch reads the file
           again), so memory does not grow with the file. */
        if (rd->map)
            madvise(rd->map, rd->map_len, MADV_DONTNEED);
    }
    return ERR_OK;
}

/* ---- --schema ---- */

static int put_name(struct reader *rd, const struct pq_bytes *b) {
    for (size_t i = 0; i < b->n; i++) {
        uint8_t c = b->p[i];
        if (c < 0x20 || c == 0x7f)
            FORWARD_IF_ERROR(out_fmt(&rd->out, "\\x%02X", c));
        else
            FORWARD_IF_ERROR(out_byte(&rd->out, (char)c));
    }
    return ERR_OK;
}

static const char *unit_name(int u) {
    return u == PQ_MILLIS ? "MILLIS" : u == PQ_MICROS ? "MICROS" : u == PQ_NANOS ? "NANOS" : "?";
}

static const char *converted_name(int c) {
    static const char *const names[] = {
        "UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE", "TIME_MILLIS", "TIME_MICROS",
        "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8",
        "INT_16", "INT_32", "INT_64", "JSON", "BSON", "INTERVAL"
    };
    return c >= 0 && c <= PQ_CT_INTERVAL ? names[c] : "UNKNOWN";
}

/* The annotation of an element, parquet-mr style, or "" */
static void annotation(const struct pq_schema_element *e, char *buf, size_t size) {
    const struct pq_logical_type *lt = &e->logical;
    buf[0] = 0;
    switch (lt->kind) {
    case PQ_LT_NONE: break;
    case PQ_LT_STRING: snprintf(buf, size, "STRING"); return;
    case PQ_LT_MAP: snprintf(buf, size, "MAP"); return;
    case PQ_LT_LIST: snprintf(buf, size, "LIST"); return;
    case PQ_LT_ENUM: snprintf(buf, size, "ENUM"); return;
    case PQ_LT_DECIMAL: snprintf(buf, size, "DECIMAL(%d,%d)", lt->precision, lt->scale); return;
    case PQ_LT_DATE: snprintf(buf, size, "DATE"); return;
    case PQ_LT_TIME:
        snprintf(buf, size, "TIME(%s,%s)", unit_name(lt->unit), lt->is_adjusted_to_utc ? "true" : "false");
        return;
    case PQ_LT_TIMESTAMP:
        snprintf(buf, size, "TIMESTAMP(%s,%s)", unit_name(lt->unit), lt->is_adjusted_to_utc ? "true" : "false");
        return;
    case PQ_LT_INTEGER:
        snprintf(buf, size, "INTEGER(%d,%s)", lt->bit_width, lt->is_signed ? "true" : "false");
        return;
    case PQ_LT_UNKNOWN: snprintf(buf, size, "UNKNOWN"); return;
    case PQ_LT_JSON: snprintf(buf, size, "JSON"); return;
    case PQ_LT_BSON: snprintf(buf, size, "BSON"); return;
    case PQ_LT_UUID: snprintf(buf, size, "UUID"); return;
    case PQ_LT_FLOAT16: snprintf(buf, size, "FLOAT16"); return;
    case PQ_LT_VARIANT: snprintf(buf, size, "VARIANT"); return;
    case PQ_LT_GEOMETRY: snprintf(buf, size, "GEOMETRY"); return;
    case PQ_LT_GEOGRAPHY: snprintf(buf, size, "GEOGRAPHY"); return;
    default: snprintf(buf, size, "UNKNOWN_LOGICAL_TYPE"); return;
    }
    if (!e->has_converted_type)
        return;
    if (e->converted_type == PQ_CT_DECIMAL)
        snprintf(buf, size, "DECIMAL(%d,%d)", e->has_precision ? e->precision : 0, e->has_scale ? e->scale : 0);
    else
        snprintf(buf, size, "%s", converted_name(e->converted_type));
}

static int schema_node(struct reader *rd, int i, int depth) {
    const struct node *nd = &rd->nodes[i];
    const struct pq_schema_element *e = nd->e;
    static const char *const reps[] = { "required", "optional", "repeated" };
    char ann[96];
    for (int k = 0; k < depth; k++)
        FORWARD_IF_ERROR(out_str(&rd->out, "  "));
    int rep = e->has_repetition_type && e->repetition_type >= 0 && e->repetition_type <= 2 ? e->repetition_type : 0;
    FORWARD_IF_ERROR(out_str(&rd->out, reps[rep]));
    if (nd->leaf >= 0) {
        static const char *const types[] = {
            "boolean", "int32", "int64", "int96", "float", "double", "binary", "fixed_len_byte_array"
        };
        FORWARD_IF_ERROR(out_fmt(&rd->out, " %s", types[e->type]));
        if (e->type == PQ_FIXED_LEN_BYTE_ARRAY)
            FORWARD_IF_ERROR(out_fmt(&rd->out, "(%d)", e->type_length));
    } else {
        FORWARD_IF_ERROR(out_str(&rd->out, " group"));
    }
    FORWARD_IF_ERROR(out_byte(&rd->out, ' '));
    FORWARD_IF_ERROR(put_name(rd, &e->name));
    annotation(e, ann, sizeof ann);
    if (ann[0])
        FORWARD_IF_ERROR(out_fmt(&rd->out, " (%s)", ann));
    if (e->has_field_id)
        FORWARD_IF_ERROR(out_fmt(&rd->out, " = %d", e->field_id));
    if (nd->leaf >= 0)
        return out_str(&rd->out, ";\n");
    FORWARD_IF_ERROR(out_str(&rd->out, " {\n"));
    for (int k = 0; k < nd->n_kids; k++)
        FORWARD_IF_ERROR(schema_node(rd, rd->kid_nodes[nd->first_kid + k], depth + 1));
    for (int k = 0; k < depth; k++)
        FORWARD_IF_ERROR(out_str(&rd->out, "  "));
    return out_str(&rd->out, "}\n");
}

static int write_schema(struct reader *rd) {
    const struct node *root = &rd->nodes[0];
    FORWARD_IF_ERROR(out_str(&rd->out, "message "));
    FORWARD_IF_ERROR(put_name(rd, &root->e->name));
    FORWARD_IF_ERROR(out_str(&rd->out, " {\n"));
    for (int k = 0; k < root->n_kids; k++)
        FORWARD_IF_ERROR(schema_node(rd, rd->kid_nodes[root->first_kid + k], 1));
    return out_str(&rd->out, "}\n");
}

/* ---- --meta ---- */

/* Text of a metadata value: control bytes as \xHH, at most max bytes. */
static int put_text(struct reader *rd, const uint8_t *p, size_t n, size_t max) {
    size_t k = n < max ? n : max;
    for (size_t i = 0; i < k; i++) {
        uint8_t c = p[i];
        if (c < 0x20 || c == 0x7f)
            FORWARD_IF_ERROR(out_fmt(&rd->out, "\\x%02X", c));
        else
            FORWARD_IF_ERROR(out_byte(&rd->out, (char)c));
    }
    if (k < n)
        FORWARD_IF_ERROR(out_fmt(&rd->out, "... (%zu bytes)", n));
    return ERR_OK;
}

static int put_stat(struct reader *rd, const char *key, const struct pqv_type *vt, const struct pq_bytes *b) {
    FORWARD_IF_ERROR(out_fmt(&rd->out, "    %s: ", key));
    rd->cell.len = 0;
    int err = vt->kind == PQV_NULL ? ERR_CORRUPT : pqv_format(vt, b->p, b->n, &rd->cell);
    if (err == ERR_NOMEM)
        return fail(rd, err, NULL);
    if (err) {
        FORWARD_IF_ERROR(out_str(&rd->out, "0x"));
        for (size_t i = 0; i < b->n && i < 256; i++)
            FORWARD_IF_ERROR(out_fmt(&rd->out, "%02x", b->p[i]));
    } else {
        FORWARD_IF_ERROR(put_text(rd, (const uint8_t *)rd->cell.p, rd->cell.len, 256));
    }
    return out_byte(&rd->out, '\n');
}

/* Count a column chunk's pages by walking their headers. */
static int count_pages(struct reader *rd, struct colread *cr, int64_t *dict, int64_t *data, int64_t *other) {
    *dict = *data = *other = 0;
    int64_t seen = 0;
    while (seen < cr->num_values && cr->p < cr->end) {
        struct pq_page_header h;
        const uint8_t *body;
        FORWARD_IF_ERROR(next_page(rd, cr, &h, &body));
        if (h.type == PQ_DICTIONARY_PAGE) {
            ++*dict;
        } else if (h.type == PQ_DATA_PAGE || h.type == PQ_DATA_PAGE_V2) {
            ++*data;
            int32_t nv = h.type == PQ_DATA_PAGE ? h.data_page_header.num_values : h.data_page_header_v2.num_values;
            if (nv < 0)
                return fail_col(rd, cr, ERR_CORRUPT, "data page of %d values", nv);
            seen += nv;
        } else {
            ++*other;
        }
    }
    return ERR_OK;
}

static int write_kv(struct reader *rd, const char *indent, const struct pq_key_value *kv, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        FORWARD_IF_ERROR(out_str(&rd->out, indent));
        FORWARD_IF_ERROR(put_text(rd, kv[i].key.p, kv[i].key.n, 256));
        if (kv[i].has_value) {
            FORWARD_IF_ERROR(out_str(&rd->out, ": "));
            FORWARD_IF_ERROR(put_text(rd, kv[i].value.p, kv[i].value.n, 256));
        }
        FORWARD_IF_ERROR(out_byte(&rd->out, '\n'));
    }
    return ERR_OK;
}

static int write_column_meta(struct reader *rd, int l, const struct pq_column_chunk *cc) {
    struct colread cr;
    memset(&cr, 0, sizeof cr);
    FORWARD_IF_ERROR(cr_open(rd, &cr, l, cc));
    const struct pq_column_meta *cm = &cc->meta_data;
    struct out *o = &rd->out;
    char path[256];
    leaf_path(rd, l, path, sizeof path);
    FORWARD_IF_ERROR(out_str(o, "  column: "));
    FORWARD_IF_ERROR(put_text(rd, (const uint8_t *)path, strlen(path), 256));
    FORWARD_IF_ERROR(out_fmt(o, "\n    type: %s", type_name(cm->type)));
    if (cm->type == PQ_FIXED_LEN_BYTE_ARRAY)
        FORWARD_IF_ERROR(out_fmt(o, "(%d)", cr.nd->e->type_length));
    FORWARD_IF_ERROR(out_fmt(o, "\n    codec: %s\n    encodings:", codec_name(cm->codec)));
    for (uint32_t i = 0; i < cm->n_encodings; i++)
        FORWARD_IF_ERROR(out_fmt(o, "%s%s", i ? "," : " ", encoding_name(cm->encodings[i])));
    FORWARD_IF_ERROR(out_fmt(o, "\n    compressed_size: %lld\n    uncompressed_size: %lld\n    num_values: %lld\n",
                             (long long)cm->total_compressed_size, (long long)cm->total_uncompressed_size,
                             (long long)cm->num_values));
    if (cm->has_statistics) {
        const struct pq_statistics *s = &cm->statistics;
        if (s->has_null_count)
            FORWARD_IF_ERROR(out_fmt(o, "    null_count: %lld\n", (long long)s->null_count));
        if (s->has_distinct_count)
            FORWARD_IF_ERROR(out_fmt(o, "    distinct_count: %lld\n", (long long)s->distinct_count));
        if (s->has_nan_count)
            FORWARD_IF_ERROR(out_fmt(o, "    nan_count: %lld\n", (long long)s->nan_count));
        if (s->has_min_value)
            FORWARD_IF_ERROR(put_stat(rd, "min", &cr.vt, &s->min_value));
        else if (s->has_min)
            FORWARD_IF_ERROR(put_stat(rd, "min (legacy)", &cr.vt, &s->min));
        if (s->has_max_value)
            FORWARD_IF_ERROR(put_stat(rd, "max", &cr.vt, &s->max_value));
        else if (s->has_max)
            FORWARD_IF_ERROR(put_stat(rd, "max (legacy)", &cr.vt, &s->max));
    }
    if (cm->has_dictionary_page_offset)
        FORWARD_IF_ERROR(out_fmt(o, "    dictionary_page_offset: %lld\n", (long long)cm->dictionary_page_offset));
    FORWARD_IF_ERROR(out_fmt(o, "    data_page_offset: %lld\n", (long long)cm->data_page_offset));
    if (cm->has_index_page_offset)
        FORWARD_IF_ERROR(out_fmt(o, "    index_page_offset: %lld\n", (long long)cm->index_page_offset));
    if (cm->n_key_value_metadata) {
        FORWARD_IF_ERROR(out_str(o, "    key_value_metadata:\n"));
        FORWARD_IF_ERROR(write_kv(rd, "      ", cm->key_value_metadata, cm->n_key_value_metadata));
    }
    int64_t nd, ndata, nother;
    FORWARD_IF_ERROR(count_pages(rd, &cr, &nd, &ndata, &nother));
    FORWARD_IF_ERROR(out_fmt(o, "    dictionary: %s\n    pages: %lld (%lld dictionary, %lld data",
                             nd ? "yes" : "no", (long long)(nd + ndata + nother), (long long)nd,
                             (long long)ndata));
    if (nother)
        FORWARD_IF_ERROR(out_fmt(o, ", %lld other", (long long)nother));
    return out_str(o, ")\n");
}

static int write_meta(struct reader *rd, const char *path) {
    const struct pq_file_meta *m = &rd->meta;
    struct out *o = &rd->out;
    FORWARD_IF_ERROR(out_str(o, "file: "));
    FORWARD_IF_ERROR(put_text(rd, (const uint8_t *)path, strlen(path), 4096));
    FORWARD_IF_ERROR(out_fmt(o, "\nfile_size: %zu\nfooter_size: %zu\nversion: %d\n", rd->size,
                             rd->size - 8 - rd->body_end, m->version));
    if (m->has_created_by) {
        FORWARD_IF_ERROR(out_str(o, "created_by: "));
        FORWARD_IF_ERROR(put_text(rd, m->created_by.p, m->created_by.n, 256));
        FORWARD_IF_ERROR(out_byte(o, '\n'));
    }
    FORWARD_IF_ERROR(out_fmt(o, "num_rows: %lld\nnum_row_groups: %u\nnum_columns: %d\n", (long long)m->num_rows,
                             m->n_row_groups, rd->n_leaves));
    if (m->n_key_value_metadata) {
        FORWARD_IF_ERROR(out_str(o, "key_value_metadata:\n"));
        FORWARD_IF_ERROR(write_kv(rd, "  ", m->key_value_metadata, m->n_key_value_metadata));
    }
    for (uint32_t g = 0; g < m->n_row_groups; g++) {
        const struct pq_row_group *rg = &m->row_groups[g];
        rd->rg = g;
        rd->where->row_group = g;
        FORWARD_IF_ERROR(out_fmt(o, "row_group: %u\n  num_rows: %lld\n  total_byte_size: %lld\n", g,
                                 (long long)rg->num_rows, (long long)rg->total_byte_size));
        if (rg->has_total_compressed_size)
            FORWARD_IF_ERROR(out_fmt(o, "  total_compressed_size: %lld\n", (long long)rg->total_compressed_size));
        if (rg->has_file_offset)
            FORWARD_IF_ERROR(out_fmt(o, "  file_offset: %lld\n", (long long)rg->file_offset));
        if (rg->n_columns != (uint32_t)rd->n_leaves)
            return fail(rd, ERR_CORRUPT, "row group has %u column chunks, the schema %d leaf columns",
                        rg->n_columns, rd->n_leaves);
        for (int l = 0; l < rd->n_leaves; l++)
            FORWARD_IF_ERROR(write_column_meta(rd, l, &rg->columns[l]));
    }
    return ERR_OK;
}

/* ---- entry ---- */

/* Everything after the input is in place: footer, schema, the output. */
static int run(struct reader *rd) {
    const struct pqr_options *o = rd->o;
    FORWARD_IF_ERROR(read_footer(rd));
    if (o->mode == PQR_COUNT)
        return out_fmt(&rd->out, "%lld\n", (long long)rd->meta.num_rows);
    FORWARD_IF_ERROR(build_schema(rd));
    FORWARD_IF_ERROR(build_fields(rd));
    if (o->mode == PQR_SCHEMA)
        return write_schema(rd);
    if (o->mode == PQR_META)
        return write_meta(rd, rd->where->file);
    FORWARD_IF_ERROR(select_columns(rd));
    return write_csv(rd);
}

static void reader_init(struct reader *rd, pool_t *pool, const char *name, int out_fd,
                        const struct pqr_options *o, struct pqr_where *where) {
    memset(rd, 0, sizeof *rd);
    memset(where, 0, sizeof *where);
    where->file = name;
    where->row_group = where->page = where->offset = -1;
    rd->pool = pool;
    rd->o = o;
    rd->where = where;
    rd->fd = -1;
    rd->rg = -1;
    rd->null_str = o->null_str ? o->null_str : "";
    rd->null_len = strlen(rd->null_str);
    rd->delim = o->delimiter ? o->delimiter : ',';
    rd->out.fd = out_fd;
    pqv_text_init(&rd->cell, pool);
}

/* Flush the output, settle the error to report, give every buffer back. */
static int reader_finish(struct reader *rd, int err) {
    pool_t *pool = rd->pool;
    struct pqr_where *where = rd->where;
    int ferr = rd->out.buf ? out_flush(&rd->out) : ERR_OK;
    if (rd->out.err) {
        err = ERR_IO;
        where->row_group = -1;
        where->column[0] = 0;
        where->page = -1;
        where->offset = -1;
        where->sys_errno = rd->out.sys_errno;
        snprintf(where->detail, sizeof where->detail, "write error: %s", strerror(rd->out.sys_errno));
    } else if (!err) {
        err = ferr;
    }
    close_columns(rd);
    pool_free(pool, rd->cr);
    pool_free(pool, rd->sel);
    pool_free(pool, rd->fields);
    pool_free(pool, rd->kid_fields);
    pool_free(pool, rd->nodes);
    pool_free(pool, rd->kid_nodes);
    pool_free(pool, rd->leaf_nodes);
    if (rd->have_meta)
        pqm_free_file_meta(pool, &rd->meta);
    pqv_text_free(&rd->cell);
    pool_free(pool, rd->out.buf);
    if (rd->map)
        munmap(rd->map, rd->map_len);
    if (rd->close_fd && rd->fd >= 0)
        close(rd->fd);
    return err;
}

int pqr_run(pool_t *pool, const char *path, int out_fd, const struct pqr_options *o, struct pqr_where *where) {
    struct reader rd;
    reader_init(&rd, pool, path && strcmp(path, "-") ? path : "<stdin>", out_fd, o, where);
    int err = ERR_OK;
    rd.out.buf = pool_alloc(pool, OUT_CAP);
    if (!rd.out.buf)
        err = fail(&rd, ERR_NOMEM, NULL);
    if (!err)
        err = open_input(&rd, path);
    if (!err)
        err = run(&rd);
    return reader_finish(&rd, err);
}

int pqr_run_mem(pool_t *pool, const void *data, size_t size, const char *name, int out_fd,
                const struct pqr_options *o, struct pqr_where *where) {
    struct reader rd;
    reader_init(&rd, pool, name ? name : "<memory>", out_fd, o, where);
    int err = ERR_OK;
    rd.out.buf = pool_alloc(pool, OUT_CAP);
    if (!rd.out.buf)
        err = fail(&rd, ERR_NOMEM, NULL);
    rd.file = data;
    rd.size = size;
    if (!err && size == 0)
        err = fail(&rd, ERR_NOTPARQUET, "empty file: not a Parquet file");
    if (!err)
        err = run(&rd);
    return reader_finish(&rd, err);
}
