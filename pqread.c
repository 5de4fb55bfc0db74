#include "pqread.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
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
   definition levels, and the three outputs (CSV, made a batch of rows and
   a field at a time, by several threads; schema; metadata). */

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

/* Write p[0..n) to the output's file descriptor, all of it. */
static int out_write_all(struct out *o, const uint8_t *p, size_t n) {
    while (n) {
        ssize_t k = write(o->fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            o->sys_errno = errno;
            o->err = ERR_IO;
            return ERR_IO;
        }
        p += k;
        n -= (size_t)k;
    }
    return ERR_OK;
}

static int out_flush(struct out *o) {
    if (o->err)
        return o->err;
    FORWARD_IF_ERROR(out_write_all(o, o->buf, o->len));
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

/* Write p[0..n) after what is buffered, without copying it. */
static int out_write(struct out *o, const void *p, size_t n) {
    FORWARD_IF_ERROR(out_flush(o));
    return out_write_all(o, p, n);
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
    uint8_t *rep_lv, *def_lv;                    /* levels (at most MAX_DEPTH), pool */
    size_t rep_cap, def_cap;
    size_t n, pos;                               /* entries, next entry */
    size_t nv, vpos;                             /* values, next value */
    int vmode;                                   /* VM_* */
    const uint8_t *vals;                         /* VM_FIXED, VM_BYTES, VM_PLAIN base */
    size_t at;                                   /* VM_PLAIN: offset of the next value */
    void *idx; size_t idx_cap;                   /* VM_DICT: indices of idx_w bytes */
    int idx_w;                                   /* 1, 2 or 4, the fewest that hold n_dict - 1 */
    uint32_t *off, *len;                         /* VM_BYTES */
    size_t off_cap, len_cap;
    uint8_t *vbuf; size_t vbuf_cap;              /* decoded fixed values */
    int64_t *tmp; size_t tmp_cap;                /* delta decoding */
    uint8_t *scratch; size_t scratch_cap;        /* DELTA_BYTE_ARRAY */

    /* CSV cells of dictionary entries, made on first use (see CSV) */
    int dict_new;                                /* a dictionary page since */
    size_t dict_bytes;                           /* the dictionary page's size */
    size_t dict_cells_max;                       /* bytes; 0: no cells kept */
    struct pqv_text dict_cells;                  /* cells with their separator */
    struct dict_cell *dict_cell; size_t dict_cell_cap;   /* n_dict of them */
};

struct dict_cell {
    uint32_t off, len;               /* in colread.dict_cells; len 0: not made */
};

/* VM_PLAIN: PLAIN byte arrays, read in order through their length
   prefixes (checked when the page is loaded); VM_BYTES: byte arrays at
   (off, len). */
enum { VM_FIXED, VM_BYTES, VM_PLAIN, VM_DICT };

static inline uint32_t dict_index(const struct colread *cr, size_t v) {
    return cr->idx_w == 1 ? ((const uint8_t *)cr->idx)[v]
         : cr->idx_w == 2 ? ((const uint16_t *)cr->idx)[v] : ((const uint32_t *)cr->idx)[v];
}

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
    uint32_t *wide; size_t wide_cap;             /* levels and indices before they are narrowed (pool) */

    /* CSV output (see CSV) */
    struct cells *cells;             /* n_sel of them (pool) */
    int *order;                      /* n_sel: the order fields are made in */
    struct crew *crew;               /* threads (pool) */
    char *obuf; size_t obuf_cap;     /* rows of a round (pool) */
    size_t batch_rows;               /* rows of the next round */
    size_t batch_bytes, cells_limit; /* BATCH_BYTES, CELLS_LIMIT, less with a small -m */
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
    size_t want = n < 64 ? 64 : n + n / 16;
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
    pqv_text_free(&cr->dict_cells);
    pool_free(p, cr->dict_cell);
    memset(cr, 0, sizeof *cr);
}

/* Forget the column chunk but keep the buffers for the next row group's:
   a buffer given back and taken again would be faulted in and cleared
   again (the pool returns large free blocks to the system). */
static void cr_close(struct colread *cr) {
    struct colread keep = *cr;
    memset(cr, 0, sizeof *cr);
    cr->dict_buf = keep.dict_buf, cr->dict_cap = keep.dict_cap;
    cr->dict_off = keep.dict_off, cr->dict_off_cap = keep.dict_off_cap;
    cr->dict_len = keep.dict_len, cr->dict_len_cap = keep.dict_len_cap;
    cr->page_buf = keep.page_buf, cr->page_cap = keep.page_cap;
    cr->rep_lv = keep.rep_lv, cr->rep_cap = keep.rep_cap;
    cr->def_lv = keep.def_lv, cr->def_cap = keep.def_cap;
    cr->idx = keep.idx, cr->idx_cap = keep.idx_cap;
    cr->off = keep.off, cr->off_cap = keep.off_cap;
    cr->len = keep.len, cr->len_cap = keep.len_cap;
    cr->vbuf = keep.vbuf, cr->vbuf_cap = keep.vbuf_cap;
    cr->tmp = keep.tmp, cr->tmp_cap = keep.tmp_cap;
    cr->scratch = keep.scratch, cr->scratch_cap = keep.scratch_cap;
    cr->dict_cells = keep.dict_cells;
    cr->dict_cells.len = 0;
    cr->dict_cell = keep.dict_cell, cr->dict_cell_cap = keep.dict_cell_cap;
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
    if (!cr->dict_cells.pool)
        pqv_text_init(&cr->dict_cells, rd->pool);
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

/* The mapped file's whole pages inside [p, p + n), read and no longer
   needed, leave the resident set (a later touch reads them again). */
static void drop_mapped(struct reader *rd, const uint8_t *p, size_t n) {
    const uintptr_t page = 4096;
    uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1), hi = ((uintptr_t)p + n) & ~(page - 1);
    if (rd->map && hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
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
    drop_mapped(rd, src, slen);
    return ERR_OK;
}

/* Decode n levels of max level `max` from [*p, end) into out, one byte
   each (max <= MAX_DEPTH); advances *p. */
static int read_levels(struct reader *rd, struct colread *cr, int enc, int max, int v2,
                       const uint8_t **p, const uint8_t *end, uint8_t *lv, size_t n, const char *what) {
    int bw = enc_bit_width((uint64_t)max);
    if (grow(rd->pool, &rd->wide, &rd->wide_cap, n, 4))
        return fail_col(rd, cr, ERR_NOMEM, "page of %zu values: memory budget exhausted (raise it with -m)", n);
    uint32_t *out = rd->wide;
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
    for (size_t i = 0; i < n; i++) {
        if (out[i] > (uint32_t)max)
            return fail_col(rd, cr, ERR_CORRUPT, "%s level %u above the maximum %d", what, out[i], max);
        lv[i] = (uint8_t)out[i];
    }
    return ERR_OK;
}

/* PLAIN byte arrays: n length-prefixed values from [p, p+len); with off
   NULL only checked to lie there. */
static int plain_bytes(struct reader *rd, struct colread *cr, const uint8_t *p, size_t len, size_t n,
                       uint32_t **off, size_t *off_cap, uint32_t **lens, size_t *len_cap) {
    if (n > len / 4)
        return fail_col(rd, cr, ERR_TRUNCATED, "%zu byte arrays in %zu bytes", n, len);
    if (off && (grow(rd->pool, off, off_cap, n, 4) || grow(rd->pool, lens, len_cap, n, 4)))
        return fail_col(rd, cr, ERR_NOMEM, NULL);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (len - at < 4)
            return fail_col(rd, cr, ERR_TRUNCATED, "value %zu of %zu: length prefix past the end of the page", i, n);
        uint32_t l = enc_load_u32le(p + at);
        at += 4;
        if (l > len - at)
            return fail_col(rd, cr, ERR_TRUNCATED, "value %zu of %zu says %u bytes, %zu remain", i, n, l, len - at);
        if (off) {
            (*off)[i] = (uint32_t)at;
            (*lens)[i] = l;
        }
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
    cr->dict_new = 1;
    cr->dict_bytes = dlen;
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
            cr->vmode = VM_PLAIN;
            cr->at = 0;
            return plain_bytes(rd, cr, p, len, nv, NULL, NULL, NULL, NULL);
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
        if (grow(rd->pool, &rd->wide, &rd->wide_cap, nv, 4))
            return fail_col(rd, cr, ERR_NOMEM, NULL);
        uint32_t *wide = rd->wide;
        int err = enc_rle_decode(p + 1, len - 1, p[0], wide, nv, NULL);
        if (err)
            return fail_col(rd, cr, err, "dictionary indices: %s", err == ERR_TRUNCATED
                            ? "fewer indices than the page's values" : err_str(err));
        for (size_t i = 0; i < nv; i++)
            if (wide[i] >= cr->n_dict)
                return fail_col(rd, cr, ERR_CORRUPT, "dictionary index %u, the dictionary holds %u values",
                                wide[i], cr->n_dict);
        cr->idx_w = cr->n_dict <= 0x100 ? 1 : cr->n_dict <= 0x10000 ? 2 : 4;
        if (grow(rd->pool, &cr->idx, &cr->idx_cap, nv * (size_t)cr->idx_w, 1))
            return fail_col(rd, cr, ERR_NOMEM, NULL);
        if (cr->idx_w == 1)
            for (size_t i = 0; i < nv; i++)
                ((uint8_t *)cr->idx)[i] = (uint8_t)wide[i];
        else if (cr->idx_w == 2)
            for (size_t i = 0; i < nv; i++)
                ((uint16_t *)cr->idx)[i] = (uint16_t)wide[i];
        else
            memcpy(cr->idx, wide, nv * 4);
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
        if (grow(rd->pool, &rd->wide, &rd->wide_cap, nv, 4) || grow(rd->pool, &cr->vbuf, &cr->vbuf_cap, nv, 1))
            return fail_col(rd, cr, ERR_NOMEM, NULL);
        int err = enc_rle_decode(p + 4, l, 1, rd->wide, nv, NULL);
        if (err)
            return fail_col(rd, cr, err, "RLE booleans: %s", err_str(err));
        for (size_t i = 0; i < nv; i++)
            cr->vbuf[i] = (uint8_t)rd->wide[i];
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
    if ((cr->max_def && grow(rd->pool, &cr->def_lv, &cr->def_cap, n, 1)) ||
        (cr->max_rep && grow(rd->pool, &cr->rep_lv, &cr->rep_cap, n, 1)))
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
    case VM_PLAIN:
        *n = enc_load_u32le(cr->vals + cr->at);
        *p = cr->vals + cr->at + 4;
        cr->at += 4 + *n;
        return 1;
    case VM_DICT: {
        uint32_t i = dict_index(cr, v);
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

/* ---- CSV ----

   Rows are written a batch at a time, about batch_bytes of text.  For a
   batch, each selected top-level field's cells are made into its struct
   cells: a cell is the value's CSV text followed by the delimiter, or by
   the line end for the last field.  Fields read disjoint leaf columns, so
   with threads several are made at once, each by one thread.  The rows
   are then assembled from the cells, slices of rows by the threads at
   once, and written in order.

   A field stops early when its cells pass cells_limit bytes (rows far
   longer than the batch before): the rows every field has are written and
   the cells left over are kept for the next round.  Only the rows asked
   for are read, so the pages loaded and the errors met are those of a
   row-by-row walk: an error ends the output after the cells that come
   before it in row order, and the output is the same for every number of
   threads.  A flat column's values are formatted in a loop of their own
   (pqv_put); a dictionary entry's cell is made once and copied after. */

#define BATCH_BYTES  ((size_t)512 << 10)     /* CSV text of a batch, about (or 1/64 of -m) */
#define FIRST_ROWS   256                     /* rows of the first batch */
#define BATCH_ROWS   8192                    /* rows of a batch at most */
#define CELLS_LIMIT  ((size_t)4 << 20)       /* a field's cells, about, at most (or 1/32 of -m) */
#define PAD          32                      /* spare bytes after cells (copy_cell) */
#define MAX_THREADS  16
#define THREAD_STACK ((size_t)512 << 10)

enum { FMT_NULL, FMT_DOUBLE, FMT_INT64, FMT_INT32, FMT_PUT, FMT_STRING, FMT_OTHER };

/* One selected field's cells of the current round. */
struct cells {
    int field;                       /* index into reader.fields */
    char sep;                        /* after each cell: delimiter or '\n' */
    int fmt;                         /* FMT_*, for a flat leaf */
    int quote_check;                 /* a pqv_put() text may need quoting */
    struct pqv_text text;            /* the cells back to back, PAD spare */
    size_t *end; size_t end_cap;     /* cell i is text[end[i], end[i + 1]) (pool) */
    size_t rows;                     /* cells held */
    struct pqv_day day;              /* the last date written */
    int err;                         /* an error met after `rows` cells */
    struct pqr_where where;          /* its place */
    uint64_t ns;                     /* time of the last round, for the job order */
};

/* Threads: the caller and crew.n others take the jobs of one phase (a
   field's cells, or a slice of rows) until none is left. */
enum { PH_CELLS, PH_ROWS };

struct worker {
    struct reader *rd;
    pthread_t thread;
    struct reader view;              /* the reader as its jobs see it: copied
                                        before each round, with its own error
                                        place, cell and wide buffers (pool) */
};

struct crew {
    pthread_mutex_t lock;
    pthread_cond_t go, done;
    int n;                           /* threads started besides the caller */
    struct worker w[MAX_THREADS];    /* [0] is the caller */
    int phase, jobs, next, busy, quit;
    size_t target;                   /* PH_CELLS: rows each field should hold */
    size_t rows;                     /* PH_ROWS: rows of the round */
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Whether s[0..n) must be quoted: it holds the delimiter, a quote, CR or
   LF, or it equals the NULL text. */
static int needs_quote(const struct reader *rd, const uint8_t *s, size_t n) {
    if (n == rd->null_len && (n == 0 || !memcmp(s, rd->null_str, n)))
        return 1;
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const uint64_t d = ones * (uint8_t)rd->delim, q = ones * '"', lf = ones * '\n', cr = ones * '\r';
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t a = x ^ d, b = x ^ q, c = x ^ lf, e = x ^ cr;
        if ((((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c) | ((e - ones) & ~e)) & highs)
            return 1;
    }
    for (; i < n; i++)
        if (s[i] == (uint8_t)rd->delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            return 1;
    return 0;
}

/* Append s[0..n) as a CSV field, quoted (quotes doubled) when it needs
   it, then sep unless sep is 0; PAD spare bytes stay after it. */
static int csv_put(struct reader *rd, struct pqv_text *t, const uint8_t *s, size_t n, char sep) {
    static const uint8_t none[1];
    if (n == 0)
        s = none;                        /* no NULL pointer into memchr or memcpy */
    int quote = needs_quote(rd, s, n);
    size_t quotes = 0;
    for (const uint8_t *q = s; quote && (q = memchr(q, '"', (size_t)(s + n - q))) != NULL; q++)
        quotes++;
    if (n > SIZE_MAX / 4 || pqv_text_reserve(t, n + quotes + 3 + PAD))
        return fail(rd, ERR_NOMEM, NULL);
    char *w = t->p + t->len;
    if (!quote) {
        memcpy(w, s, n);
        w += n;
    } else {
        *w++ = '"';
        const uint8_t *from = s, *q;
        while ((q = memchr(from, '"', (size_t)(s + n - from))) != NULL) {
            memcpy(w, from, (size_t)(q + 1 - from));
            w += q + 1 - from;
            *w++ = '"';
            from = q + 1;
        }
        memcpy(w, from, (size_t)(s + n - from));
        w += s + n - from;
        *w++ = '"';
    }
    if (sep)
        *w++ = sep;
    t->len = (size_t)(w - t->p);
    return ERR_OK;
}

/* n bytes from src to dst; src has 16 readable bytes past n, and so has
   dst when dst + 16 <= lim, else nothing past n is written. */
static inline void copy_cell(char *dst, const char *src, size_t n, const char *lim) {
    if (n <= 16 && dst + 16 <= lim) {
        memcpy(dst, src, 16);
    } else if (n <= 16) {
        memcpy(dst, src, n);
    } else if (n <= 32) {
        memcpy(dst, src, 16);
        memcpy(dst + n - 16, src + n - 16, 16);
    } else {
        memcpy(dst, src, n);
    }
}

static int write_header(struct reader *rd) {
    struct pqv_text *t = &rd->cell;
    t->len = 0;
    for (int k = 0; k < rd->n_sel; k++) {
        const struct pq_bytes *nm = field_name(rd, &rd->fields[rd->sel[k]]);
        FORWARD_IF_ERROR(csv_put(rd, t, nm->p, nm->n, k + 1 < rd->n_sel ? rd->delim : '\n'));
    }
    return out_put(&rd->out, t->p, t->len);
}

/* Room for one more cell of at most n bytes. */
static inline int cell_room(struct reader *rd, struct cells *c, size_t n) {
    if (c->text.cap - c->text.len >= n + PAD || pqv_text_reserve(&c->text, n + PAD) == ERR_OK)
        return ERR_OK;
    return fail(rd, ERR_NOMEM, NULL);
}

static inline int null_cell(struct reader *rd, struct cells *c) {
    FORWARD_IF_ERROR(cell_room(rd, c, rd->null_len + 1));
    char *w = c->text.p + c->text.len;
    memcpy(w, rd->null_str, rd->null_len);
    w[rd->null_len] = c->sep;
    c->text.len += rd->null_len + 1;
    return ERR_OK;
}

/* The cell of the value p[0..n) of flat leaf column cr. */
static int value_cell(struct reader *rd, struct colread *cr, struct cells *c, const uint8_t *p, size_t n) {
    if (c->fmt == FMT_STRING)
        return csv_put(rd, &c->text, p, n, c->sep);
    if (c->fmt == FMT_OTHER) {
        rd->cell.len = 0;
        int err = pqv_format(&cr->vt, p, n, &rd->cell);
        if (err)
            return fail_col(rd, cr, err, err == ERR_CORRUPT ? "value of %zu bytes does not fit its type" : NULL, n);
        return csv_put(rd, &c->text, (const uint8_t *)rd->cell.p, rd->cell.len, c->sep);
    }
    FORWARD_IF_ERROR(cell_room(rd, c, PQV_PUT_MAX + 1));
    char *w = c->text.p + c->text.len;
    size_t k;
    switch (c->fmt) {
    case FMT_DOUBLE: {
        uint64_t u = enc_load_u64le(p);
        double d;
        memcpy(&d, &u, 8);
        k = pqv_put_double(d, w);
        break;
    }
    case FMT_INT64:
        k = pqv_put_i64((int64_t)enc_load_u64le(p), w);
        break;
    case FMT_INT32:
        k = pqv_put_i64((int32_t)enc_load_u32le(p), w);
        break;
    default:
        k = pqv_put(&cr->vt, p, &c->day, w);
        break;
    }
    if (c->quote_check && needs_quote(rd, (const uint8_t *)w, k)) {
        char tmp[PQV_PUT_MAX];
        memcpy(tmp, w, k);
        return csv_put(rd, &c->text, (const uint8_t *)tmp, k, c->sep);
    }
    w[k] = c->sep;
    c->text.len += k + 1;
    return ERR_OK;
}

/* A new dictionary: no entry has its cell yet.  Without the memory for
   the table the entries are formatted each time. */
static void dict_reset(struct reader *rd, struct colread *cr) {
    cr->dict_new = 0;
    cr->dict_cells.len = 0;
    cr->dict_cells_max = 0;
    if (grow(rd->pool, &cr->dict_cell, &cr->dict_cell_cap, cr->n_dict ? cr->n_dict : 1, sizeof *cr->dict_cell))
        return;
    memset(cr->dict_cell, 0, (size_t)cr->n_dict * sizeof *cr->dict_cell);
    cr->dict_cells_max = 3 * cr->dict_bytes + ((size_t)64 << 10);
}

/* The cell of dictionary entry i: copied when made before, else made and
   kept while the cells stay under three times the dictionary's size. */
static int dict_value_cell(struct reader *rd, struct colread *cr, struct cells *c, uint32_t i) {
    struct pqv_text *t = &c->text;
    if (cr->dict_cells_max && cr->dict_cell[i].len) {
        const struct dict_cell *dc = &cr->dict_cell[i];
        FORWARD_IF_ERROR(cell_room(rd, c, dc->len));
        copy_cell(t->p + t->len, cr->dict_cells.p + dc->off, dc->len, t->p + t->cap);
        t->len += dc->len;
        return ERR_OK;
    }
    const uint8_t *p;
    size_t n;
    if (cr->type == PQ_BYTE_ARRAY) {
        p = cr->dict_data + cr->dict_off[i];
        n = cr->dict_len[i];
    } else {
        p = cr->dict_data + (size_t)i * cr->width;
        n = cr->width;
    }
    size_t at = t->len;
    FORWARD_IF_ERROR(value_cell(rd, cr, c, p, n));
    size_t k = t->len - at;
    struct pqv_text *dt = &cr->dict_cells;
    if (cr->dict_cells_max && k <= cr->dict_cells_max - dt->len && dt->len + k + PAD < UINT32_MAX &&
        pqv_text_reserve(dt, k + PAD) == ERR_OK) {
        memcpy(dt->p + dt->len, t->p + at, k);
        cr->dict_cell[i].off = (uint32_t)dt->len;
        cr->dict_cell[i].len = (uint32_t)k;
        dt->len += k;
    }
    return ERR_OK;
}

/* Up to want more cells of a flat leaf field (fewer past cells_limit). */
static int leaf_cells(struct reader *rd, const struct field *f, struct cells *c, size_t want) {
    struct colread *cr = &rd->cr[f->leaf];
    while (want > 0 && c->text.len < rd->cells_limit) {
        uint32_t rep, def;
        FORWARD_IF_ERROR(need_entry(rd, cr, &rep, &def));
        if (rep != 0)
            return fail_col(rd, cr, ERR_CORRUPT, "repetition level %u at the start of a record", rep);
        if (cr->vmode == VM_DICT && cr->dict_new)
            dict_reset(rd, cr);
        size_t k = cr->n - cr->pos < want ? cr->n - cr->pos : want;
        if (grow(rd->pool, &c->end, &c->end_cap, c->rows + k + 2, sizeof *c->end))
            return fail(rd, ERR_NOMEM, NULL);
        size_t i = 0;
        while (i < k) {
            uint32_t d = cr->max_def ? cr->def_lv[cr->pos] : 0;
            int has = 0;
            cr->pos++;
            i++;
            if (d == (uint32_t)cr->max_def) {
                size_t v = cr->vpos++;
                if (v >= cr->nv)
                    return fail_col(rd, cr, ERR_CORRUPT, "fewer values than the definition levels announce");
                has = c->fmt != FMT_NULL;
            }
            if (!has)
                FORWARD_IF_ERROR(null_cell(rd, c));
            else if (cr->vmode == VM_FIXED)
                FORWARD_IF_ERROR(value_cell(rd, cr, c, cr->vals + (cr->vpos - 1) * cr->width, cr->width));
            else if (cr->vmode == VM_DICT)
                FORWARD_IF_ERROR(dict_value_cell(rd, cr, c, dict_index(cr, cr->vpos - 1)));
            else if (cr->vmode == VM_PLAIN) {
                size_t at = cr->at;
                uint32_t len = enc_load_u32le(cr->vals + at);
                cr->at = at + 4 + len;
                FORWARD_IF_ERROR(value_cell(rd, cr, c, cr->vals + at + 4, len));
            } else {
                static const uint8_t none[1];        /* (no buffer when every value is empty) */
                size_t len = cr->len[cr->vpos - 1];
                FORWARD_IF_ERROR(value_cell(rd, cr, c, len ? cr->vals + cr->off[cr->vpos - 1] : none,
                                            len));
            }
            c->end[++c->rows] = c->text.len;
            if (c->text.len >= rd->cells_limit)
                break;
        }
        want -= i;
    }
    return ERR_OK;
}

/* Up to want more cells of a nested field (or of one without leaves),
   each a JSON text. */
static int nested_cells(struct reader *rd, const struct field *f, struct cells *c, size_t want) {
    for (; want > 0 && c->text.len < rd->cells_limit; want--) {
        uint32_t rep, def;
        if (grow(rd->pool, &c->end, &c->end_cap, c->rows + 2, sizeof *c->end))
            return fail(rd, ERR_NOMEM, NULL);
        if (f->n_leaves == 0) {
            FORWARD_IF_ERROR(null_cell(rd, c));
            c->end[++c->rows] = c->text.len;
            continue;
        }
        for (int l = f->first_leaf; l < f->first_leaf + f->n_leaves; l++) {
            FORWARD_IF_ERROR(need_entry(rd, &rd->cr[l], &rep, &def));
            if (rep != 0)
                return fail_col(rd, &rd->cr[l], ERR_CORRUPT, "repetition level %u at the start of a record", rep);
        }
        FORWARD_IF_ERROR(need_entry(rd, &rd->cr[f->first_leaf], &rep, &def));
        if (def < (uint32_t)f->def) {
            FORWARD_IF_ERROR(skip_entry(rd, f));
            FORWARD_IF_ERROR(null_cell(rd, c));
        } else {
            rd->cell.len = 0;
            FORWARD_IF_ERROR(emit_json(rd, f, &rd->cell));
            FORWARD_IF_ERROR(csv_put(rd, &c->text, (const uint8_t *)rd->cell.p, rd->cell.len, c->sep));
        }
        c->end[++c->rows] = c->text.len;
    }
    return ERR_OK;
}

/* Job: field k's cells up to the round's target (nothing when it holds
   them already or stopped at an error), as worker wk. */
static void make_cells(struct worker *wk, int k, size_t target) {
    struct reader *view = &wk->view;
    struct cells *c = &view->cells[k];
    if (c->err || c->rows >= target)
        return;
    uint64_t t0 = now_ns();
    view->where = &c->where;
    const struct field *f = &view->fields[c->field];
    if (f->shape == SH_LEAF && f->n_leaves == 1)
        c->err = leaf_cells(view, f, c, target - c->rows);
    else
        c->err = nested_cells(view, f, c, target - c->rows);
    c->ns = now_ns() - t0;
}

/* Job: rows [r0, r1) of the round into rd->obuf at their place (and not
   a byte past it: other slices are written at once). */
static void assemble(struct reader *rd, size_t r0, size_t r1) {
    size_t at = 0, to = 0;
    for (int k = 0; k < rd->n_sel; k++) {
        at += rd->cells[k].end[r0];
        to += rd->cells[k].end[r1];
    }
    char *dst = rd->obuf + at;
    const char *lim = rd->obuf + to;
    for (size_t r = r0; r < r1; r++) {
        for (int k = 0; k < rd->n_sel; k++) {
            const struct cells *c = &rd->cells[k];
            size_t a = c->end[r], n = c->end[r + 1] - a;
            copy_cell(dst, c->text.p + a, n, lim);
            dst += n;
        }
    }
}

static void run_job(struct reader *rd, struct worker *wk, int phase, int j, int jobs, size_t target, size_t rows) {
    if (phase == PH_CELLS)
        make_cells(wk, rd->order[j], target);
    else
        assemble(rd, rows * (size_t)j / (size_t)jobs, rows * (size_t)(j + 1) / (size_t)jobs);
}

/* Take jobs of the current phase until none is left; the lock is held on
   entry and on return. */
static void take_jobs(struct crew *cw, struct worker *wk) {
    while (cw->next < cw->jobs) {
        int j = cw->next++, phase = cw->phase, jobs = cw->jobs;
        size_t target = cw->target, rows = cw->rows;
        cw->busy++;
        pthread_mutex_unlock(&cw->lock);
        run_job(wk->rd, wk, phase, j, jobs, target, rows);
        pthread_mutex_lock(&cw->lock);
        if (--cw->busy == 0 && cw->next >= cw->jobs)
            pthread_cond_broadcast(&cw->done);
    }
}

static void *crew_thread(void *arg) {
    struct worker *wk = arg;
    struct crew *cw = wk->rd->crew;
    pthread_mutex_lock(&cw->lock);
    for (;;) {
        while (!cw->quit && cw->next >= cw->jobs)
            pthread_cond_wait(&cw->go, &cw->lock);
        if (cw->quit)
            break;
        take_jobs(cw, wk);
    }
    pthread_mutex_unlock(&cw->lock);
    return NULL;
}

/* Start jobs 0..jobs-1 of a phase on the crew; crew_end() takes part and
   returns when every one is done.  Without threads the jobs run in
   crew_end(). */
static void crew_begin(struct reader *rd, int phase, int jobs, size_t target, size_t rows) {
    struct crew *cw = rd->crew;
    if (cw->n)
        pthread_mutex_lock(&cw->lock);
    cw->phase = phase;
    cw->jobs = jobs;
    cw->next = 0;
    cw->target = target;
    cw->rows = rows;
    if (cw->n) {
        pthread_cond_broadcast(&cw->go);
        pthread_mutex_unlock(&cw->lock);
    }
}

static void crew_end(struct reader *rd) {
    struct crew *cw = rd->crew;
    if (cw->n == 0) {
        for (; cw->next < cw->jobs; cw->next++)
            run_job(rd, &cw->w[0], cw->phase, cw->next, cw->jobs, cw->target, cw->rows);
        return;
    }
    pthread_mutex_lock(&cw->lock);
    take_jobs(cw, &cw->w[0]);
    while (cw->busy > 0)
        pthread_cond_wait(&cw->done, &cw->lock);
    pthread_mutex_unlock(&cw->lock);
}

/* threads in all, the caller included; fewer when they cannot start. */
static void crew_start(struct reader *rd, int threads) {
    struct crew *cw = rd->crew;
    for (int i = 0; i < MAX_THREADS; i++) {
        cw->w[i].rd = rd;
        pqv_text_init(&cw->w[i].view.cell, rd->pool);
    }
    if (threads < 2 || pthread_mutex_init(&cw->lock, NULL))
        return;
    if (pthread_cond_init(&cw->go, NULL)) {
        pthread_mutex_destroy(&cw->lock);
        return;
    }
    if (pthread_cond_init(&cw->done, NULL)) {
        pthread_cond_destroy(&cw->go);
        pthread_mutex_destroy(&cw->lock);
        return;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, THREAD_STACK);
    for (int i = 1; i < threads && i < MAX_THREADS; i++) {
        if (pthread_create(&cw->w[i].thread, &attr, crew_thread, &cw->w[i]) != 0)
            break;
        cw->n = i;
    }
    pthread_attr_destroy(&attr);
    if (cw->n == 0) {
        pthread_cond_destroy(&cw->done);
        pthread_cond_destroy(&cw->go);
        pthread_mutex_destroy(&cw->lock);
    }
}

static void crew_stop(struct reader *rd) {
    struct crew *cw = rd->crew;
    if (!cw)
        return;
    if (cw->n > 0) {
        pthread_mutex_lock(&cw->lock);
        cw->quit = 1;
        pthread_cond_broadcast(&cw->go);
        pthread_mutex_unlock(&cw->lock);
        for (int i = 1; i <= cw->n; i++)
            pthread_join(cw->w[i].thread, NULL);
        pthread_cond_destroy(&cw->done);
        pthread_cond_destroy(&cw->go);
        pthread_mutex_destroy(&cw->lock);
    }
    for (int i = 0; i < MAX_THREADS; i++) {
        pqv_text_free(&cw->w[i].view.cell);
        pool_free(rd->pool, cw->w[i].view.wide);
    }
    pool_free(rd->pool, cw);
    rd->crew = NULL;
}

/* Drop the first m cells of c, keeping those after. */
static void drop_cells(struct cells *c, size_t m) {
    if (m == c->rows && !c->err) {
        c->text.len = 0;
        c->rows = 0;
        return;
    }
    size_t off = c->end[m];
    memmove(c->text.p, c->text.p + off, c->text.len - off);
    c->text.len -= off;
    for (size_t i = 0; i <= c->rows - m; i++)
        c->end[i] = c->end[i + m] - off;
    c->rows -= m;
}

/* The order fields are taken in: the slowest of the last round first. */
static void order_fields(struct reader *rd) {
    for (int i = 1; i < rd->n_sel; i++) {
        int k = rd->order[i], j = i;
        for (; j > 0 && rd->cells[rd->order[j - 1]].ns < rd->cells[k].ns; j--)
            rd->order[j] = rd->order[j - 1];
        rd->order[j] = k;
    }
}

/* Write rows of the current row group: cells for a round, the rows every
   field has, and so on until `rows` are written or an error comes up. */
/* Start a round: each field's cells up to `target` rows.  The workers'
   views of the reader are refreshed first, while no job runs (the caller
   goes on writing the output, which the views do not share). */
static void begin_cells(struct reader *rd, size_t target) {
    for (int i = 0; i <= rd->crew->n; i++) {
        struct reader *v = &rd->crew->w[i].view;
        struct pqv_text cell = v->cell;
        uint32_t *wide = v->wide;
        size_t wide_cap = v->wide_cap;
        *v = *rd;
        v->cell = cell;
        v->wide = wide;
        v->wide_cap = wide_cap;
    }
    for (int k = 0; k < rd->n_sel; k++) {
        struct cells *c = &rd->cells[k];
        if (c->err)
            continue;
        memset(&c->where, 0, sizeof c->where);
        c->where.file = rd->where->file;
        c->where.row_group = rd->rg;
        c->where.page = c->where.offset = -1;
    }
    if (rd->crew->n)
        order_fields(rd);
    crew_begin(rd, PH_CELLS, rd->n_sel, target, 0);
}

/* Write `rows` rows of the current row group, round by round: the cells
   of the round, the rows every field has put together, and while they
   are written the next round's cells already being made. */
static int write_rows(struct reader *rd, int64_t rows) {
    int n = rd->n_sel;
    if (rows <= 0)
        return ERR_OK;
    begin_cells(rd, rd->batch_rows < (uint64_t)rows ? rd->batch_rows : (size_t)rows);
    for (;;) {
        crew_end(rd);
        size_t target = rd->crew->target;

        /* The rows every field has; at the first of them that a field
           could not make, the first such field's error, once the fields
           before it have their cell of that row. */
        size_t m = target;
        for (int k = 0; k < n; k++)
            if (rd->cells[k].rows < m)
                m = rd->cells[k].rows;
        int bad = -1;
        for (int k = 0; k < n && bad < 0; k++)
            if (rd->cells[k].err && rd->cells[k].rows == m)
                bad = k;
        for (int k = 0; k < bad; k++)
            if (rd->cells[k].rows == m)
                bad = -1;

        size_t total = 0;
        for (int k = 0; k < n; k++)
            total += rd->cells[k].end[m];
        size_t whole = total;
        for (int k = 0; k < bad; k++)
            total += rd->cells[k].end[m + 1] - rd->cells[k].end[m];
        if (grow(rd->pool, &rd->obuf, &rd->obuf_cap, total + PAD, 1))
            return fail(rd, ERR_NOMEM, "%zu bytes of CSV rows: memory budget exhausted (raise it with -m)", total);
        crew_begin(rd, PH_ROWS, rd->crew->n && m >= 512 ? rd->crew->n + 1 : 1, 0, m);
        crew_end(rd);
        if (bad >= 0) {
            char *w = rd->obuf + whole;
            for (int k = 0; k < bad; k++) {
                const struct cells *c = &rd->cells[k];
                memcpy(w, c->text.p + c->end[m], c->end[m + 1] - c->end[m]);
                w += c->end[m + 1] - c->end[m];
            }
            FORWARD_IF_ERROR(out_write(&rd->out, rd->obuf, total));
            const char *file = rd->where->file;
            *rd->where = rd->cells[bad].where;
            rd->where->file = file;
            return rd->cells[bad].err;
        }
        for (int k = 0; k < n; k++)
            drop_cells(&rd->cells[k], m);
        rows -= (int64_t)m;

        /* the next batch: about batch_bytes, growing at most fourfold */
        size_t next = whole ? (size_t)((double)rd->batch_bytes * (double)m / (double)whole) : BATCH_ROWS;
        if (next > 4 * rd->batch_rows)
            next = 4 * rd->batch_rows;
        rd->batch_rows = next < 1 ? 1 : next > BATCH_ROWS ? BATCH_ROWS : next;

        if (rows > 0)
            begin_cells(rd, rd->batch_rows < (uint64_t)rows ? rd->batch_rows : (size_t)rows);
        int err = out_write(&rd->out, rd->obuf, total);
        if (err || rows == 0) {
            if (rows > 0)
                crew_end(rd);
            return err;
        }
    }
}

/* End the row group's column chunks; keep: their buffers stay for the
   next row group's, else they are given back. */
static void close_columns(struct reader *rd, int keep) {
    if (!rd->cr)
        return;
    for (int l = 0; l < rd->n_leaves; l++) {
        if (keep)
            cr_close(&rd->cr[l]);
        else
            cr_free(rd, &rd->cr[l]);
    }
}

/* How a flat leaf field's values print, and whether their text can need
   quoting (the delimiter a character of numbers and times, or a NULL text
   that could equal one). */
static void cells_init(struct reader *rd, struct cells *c, int k) {
    const struct field *f = &rd->fields[rd->sel[k]];
    c->field = rd->sel[k];
    c->sep = k + 1 < rd->n_sel ? rd->delim : '\n';
    pqv_text_init(&c->text, rd->pool);
    c->day.day = PQV_NO_DAY;
    c->fmt = FMT_OTHER;
    if (f->shape != SH_LEAF || f->n_leaves != 1)
        return;
    const struct node *nd = &rd->nodes[rd->leaf_nodes[f->leaf]];
    struct pqv_type vt;
    pqv_resolve(nd->e, &vt);
    size_t width = fixed_width(vt.physical, nd->e->type_length);
    if (vt.kind == PQV_NULL)
        c->fmt = FMT_NULL;
    else if (vt.kind == PQV_STRING)
        c->fmt = FMT_STRING;
    else if (!pqv_put_ok(&vt) || !pqv_width_ok(&vt, width))
        c->fmt = FMT_OTHER;
    else if (vt.kind == PQV_DOUBLE)
        c->fmt = FMT_DOUBLE;
    else if (vt.kind == PQV_INT && vt.physical == PQ_INT64)
        c->fmt = FMT_INT64;
    else if (vt.kind == PQV_INT && vt.physical == PQ_INT32)
        c->fmt = FMT_INT32;
    else
        c->fmt = FMT_PUT;
    c->quote_check = rd->null_len > 0 || (rd->delim >= '0' && rd->delim <= '9') ||
                     (rd->delim >= 'a' && rd->delim <= 'z') || (rd->delim >= 'A' && rd->delim <= 'Z') ||
                     strchr("-+.: ()", rd->delim) != NULL;
}

static int write_row_groups(struct reader *rd) {
    int64_t left = rd->o->head;
    for (uint32_t g = 0; g < rd->meta.n_row_groups && left != 0; g++) {
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
        FORWARD_IF_ERROR(write_rows(rd, rows));
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
        close_columns(rd, 1);
        /* The row group's pages are read: drop them from the resident set
           (the mapping is read-only, so a later touch reads the file
           again), so memory does not grow with the file. */
        if (rd->map)
            madvise(rd->map, rd->map_len, MADV_DONTNEED);
    }
    return ERR_OK;
}

static int write_csv(struct reader *rd) {
    if (!rd->o->no_header && rd->n_sel > 0)
        FORWARD_IF_ERROR(write_header(rd));
    int rows = 0;                    /* any row group with rows (or a bad count) */
    for (uint32_t g = 0; g < rd->meta.n_row_groups && !rows; g++)
        rows = rd->meta.row_groups[g].num_rows != 0;
    if (rd->n_sel == 0 || !rows)
        return ERR_OK;               /* nothing to set up per column */
    rd->cr = pool_calloc(rd->pool, (size_t)(rd->n_leaves ? rd->n_leaves : 1), sizeof *rd->cr);
    rd->cells = pool_calloc(rd->pool, (size_t)rd->n_sel, sizeof *rd->cells);
    rd->order = pool_calloc(rd->pool, (size_t)rd->n_sel, sizeof *rd->order);
    rd->crew = pool_calloc(rd->pool, 1, sizeof *rd->crew);
    if (!rd->cr || !rd->cells || !rd->order || !rd->crew)
        return fail(rd, ERR_NOMEM, NULL);
    for (int k = 0; k < rd->n_sel; k++) {
        cells_init(rd, &rd->cells[k], k);
        rd->order[k] = k;
        if (grow(rd->pool, &rd->cells[k].end, &rd->cells[k].end_cap, FIRST_ROWS + 2, sizeof *rd->cells[k].end))
            return fail(rd, ERR_NOMEM, NULL);
        rd->cells[k].end[0] = 0;
    }
    rd->batch_rows = FIRST_ROWS;
    size_t budget = pool_budget(rd->pool);
    rd->batch_bytes = budget / 64 < BATCH_BYTES ? budget / 64 : BATCH_BYTES;
    rd->cells_limit = budget / 32 < CELLS_LIMIT ? budget / 32 : CELLS_LIMIT;
    int threads = rd->o->threads;
    if (threads <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
    }
    crew_start(rd, threads > MAX_THREADS ? MAX_THREADS : threads);
    return write_row_groups(rd);
}

/* The CSV state's buffers back to the pool (after write_csv, on success
   and on error). */
static void free_csv(struct reader *rd) {
    crew_stop(rd);
    if (rd->cells) {
        for (int k = 0; k < rd->n_sel; k++) {
            pqv_text_free(&rd->cells[k].text);
            pool_free(rd->pool, rd->cells[k].end);
        }
    }
    pool_free(rd->pool, rd->cells);
    pool_free(rd->pool, rd->order);
    pool_free(rd->pool, rd->obuf);
    rd->cells = NULL;
    rd->order = NULL;
    rd->obuf = NULL;
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
    free_csv(rd);
    close_columns(rd, 0);
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
    pool_free(pool, rd->wide);
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
