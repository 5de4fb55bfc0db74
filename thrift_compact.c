#include <stdint.h>
#include <string.h>
#include "err.h"
#include "pool.h"
#include "thrift_compact.h"

#define TC_UUID 13                /* 16 raw bytes; skipped, never written */

/* ---- writer ---- */

void tc_writer_init(struct tc_writer *w, pool_t *pool) {
    memset(w, 0, sizeof(*w));
    w->pool = pool;
}

void tc_writer_free(struct tc_writer *w) {
    pool_free(w->pool, w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}

static void w_fail(struct tc_writer *w, int err) {
    if (w->err == ERR_OK)
        w->err = err;
}

/* Room for n more bytes at buf + len; 0 (with the error set) when the pool
   cannot grow the buffer or an earlier call failed. */
static int w_reserve(struct tc_writer *w, size_t n) {
    if (w->err != ERR_OK)
        return 0;
    if (n <= w->cap - w->len)
        return 1;
    if (n > SIZE_MAX / 2 - w->len) {
        w_fail(w, ERR_NOMEM);
        return 0;
    }
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len < n)
        cap *= 2;
    uint8_t *buf = pool_realloc(w->pool, w->buf, cap);
    if (buf == NULL) {
        w_fail(w, ERR_NOMEM);
        return 0;
    }
    w->buf = buf;
    w->cap = cap;
    return 1;
}

static void w_bytes(struct tc_writer *w, const void *p, size_t n) {
    if (!w_reserve(w, n))
        return;
    if (n)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
}

void tc_write_raw(struct tc_writer *w, const void *p, size_t n) {
    w_bytes(w, p, n);
}

static void w_u8(struct tc_writer *w, unsigned v) {
    uint8_t b = (uint8_t)v;
    w_bytes(w, &b, 1);
}

void tc_write_varint(struct tc_writer *w, uint64_t v) {
    uint8_t b[10];
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (uint8_t)v;
    w_bytes(w, b, n);
}

static uint64_t zigzag64(int64_t v) {
    return ((uint64_t)v << 1) ^ (uint64_t)(v < 0 ? -1 : 0);
}

static uint32_t zigzag32(int32_t v) {
    return ((uint32_t)v << 1) ^ (uint32_t)(v < 0 ? -1 : 0);
}

void tc_write_byte(struct tc_writer *w, int8_t v) {
    w_u8(w, (uint8_t)v);
}

void tc_write_i16(struct tc_writer *w, int16_t v) {
    tc_write_varint(w, zigzag32(v));
}

void tc_write_i32(struct tc_writer *w, int32_t v) {
    tc_write_varint(w, zigzag32(v));
}

void tc_write_i64(struct tc_writer *w, int64_t v) {
    tc_write_varint(w, zigzag64(v));
}

void tc_write_double(struct tc_writer *w, double v) {
    uint64_t u;
    uint8_t b[8];
    memcpy(&u, &v, 8);
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(u >> (8 * i));
    w_bytes(w, b, 8);
}

void tc_write_binary(struct tc_writer *w, const void *p, size_t n) {
    tc_write_varint(w, n);
    w_bytes(w, p, n);
}

/* List elements: 1 for true, 2 for false, as the reference implementations
   write them (the spec text was corrected to match in 2024). */
void tc_write_bool(struct tc_writer *w, int v) {
    w_u8(w, v ? TC_BOOL_TRUE : TC_BOOL_FALSE);
}

void tc_write_list_begin(struct tc_writer *w, int elem_type, uint32_t n) {
    if (n > INT32_MAX) {
        w_fail(w, ERR_TOOBIG);
        return;
    }
    if (n < 15) {
        w_u8(w, (n << 4) | ((unsigned)elem_type & 0x0F));
    } else {
        w_u8(w, 0xF0 | ((unsigned)elem_type & 0x0F));
        tc_write_varint(w, n);
    }
}

void tc_write_struct_begin(struct tc_writer *w) {
    if (w->err != ERR_OK)
        return;
    if (w->depth >= TC_MAX_DEPTH) {
        w_fail(w, ERR_DEPTH);
        return;
    }
    w->last_id[++w->depth] = 0;
}

void tc_write_struct_end(struct tc_writer *w) {
    if (w->err != ERR_OK)
        return;
    if (w->depth <= 0) {
        w_fail(w, ERR_INTERNAL);
        return;
    }
    w_u8(w, TC_STOP);
    w->depth--;
}

void tc_field_begin(struct tc_writer *w, int type, int16_t id) {
    if (w->err != ERR_OK)
        return;
    int32_t delta = (int32_t)id - w->last_id[w->depth];
    if (delta >= 1 && delta <= 15) {
        w_u8(w, ((unsigned)delta << 4) | ((unsigned)type & 0x0F));
    } else {
        w_u8(w, (unsigned)type & 0x0F);
        tc_write_i16(w, id);
    }
    w->last_id[w->depth] = id;
}

void tc_field_bool(struct tc_writer *w, int16_t id, int v) {
    tc_field_begin(w, v ? TC_BOOL_TRUE : TC_BOOL_FALSE, id);
}

void tc_field_i32(struct tc_writer *w, int16_t id, int32_t v) {
    tc_field_begin(w, TC_I32, id);
    tc_write_i32(w, v);
}

void tc_field_i64(struct tc_writer *w, int16_t id, int64_t v) {
    tc_field_begin(w, TC_I64, id);
    tc_write_i64(w, v);
}

void tc_field_double(struct tc_writer *w, int16_t id, double v) {
    tc_field_begin(w, TC_DOUBLE, id);
    tc_write_double(w, v);
}

void tc_field_binary(struct tc_writer *w, int16_t id, const void *p, size_t n) {
    tc_field_begin(w, TC_BINARY, id);
    tc_write_binary(w, p, n);
}

void tc_field_string(struct tc_writer *w, int16_t id, const char *s) {
    tc_field_binary(w, id, s, strlen(s));
}

void tc_field_struct_begin(struct tc_writer *w, int16_t id) {
    tc_field_begin(w, TC_STRUCT, id);
    tc_write_struct_begin(w);
}

void tc_field_list_begin(struct tc_writer *w, int16_t id, int elem_type, uint32_t n) {
    tc_field_begin(w, TC_LIST, id);
    tc_write_list_begin(w, elem_type, n);
}

/* ---- reader ---- */

void tc_reader_init(struct tc_reader *r, const void *p, size_t n) {
    static const uint8_t empty[1];
    memset(r, 0, sizeof(*r));
    r->p = p != NULL ? p : empty;
    r->end = p != NULL ? r->p + n : r->p;
}

static void r_fail(struct tc_reader *r, int err) {
    if (r->err == ERR_OK)
        r->err = err;
}

static size_t r_left(const struct tc_reader *r) {
    return (size_t)(r->end - r->p);
}

/* The next byte, or 0 with ERR_TRUNCATED at the end. */
static unsigned r_u8(struct tc_reader *r) {
    if (r->err != ERR_OK)
        return 0;
    if (r->p >= r->end) {
        r_fail(r, ERR_TRUNCATED);
        return 0;
    }
    return *r->p++;
}

/* ULEB128 of at most 10 bytes whose value fits 64 bits; ERR_THRIFT
   otherwise. */
uint64_t tc_read_varint(struct tc_reader *r) {
    uint64_t v = 0;
    for (int i = 0; i < 10; i++) {
        unsigned b = r_u8(r);
        if (r->err != ERR_OK)
            return 0;
        if (i == 9 && b > 1) {
            r_fail(r, ERR_THRIFT);
            return 0;
        }
        v |= (uint64_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80))
            return v;
    }
    r_fail(r, ERR_THRIFT);
    return 0;
}

static int64_t unzigzag(uint64_t v) {
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int8_t tc_read_byte(struct tc_reader *r) {
    return (int8_t)r_u8(r);
}

int16_t tc_read_i16(struct tc_reader *r) {
    uint64_t v = tc_read_varint(r);
    if (v > UINT16_MAX) {
        r_fail(r, ERR_THRIFT);
        return 0;
    }
    return (int16_t)unzigzag(v);
}

int32_t tc_read_i32(struct tc_reader *r) {
    uint64_t v = tc_read_varint(r);
    if (v > UINT32_MAX) {
        r_fail(r, ERR_THRIFT);
        return 0;
    }
    return (int32_t)unzigzag(v);
}

int64_t tc_read_i64(struct tc_reader *r) {
    return unzigzag(tc_read_varint(r));
}

double tc_read_double(struct tc_reader *r) {
    double d = 0;
    if (r->err != ERR_OK)
        return 0;
    if (r_left(r) < 8) {
        r_fail(r, ERR_TRUNCATED);
        return 0;
    }
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    memcpy(&d, &u, 8);
    return d;
}

/* A list element: 1 is true, 0 and 2 are false, anything else is
   malformed. */
int tc_read_bool(struct tc_reader *r) {
    unsigned b = r_u8(r);
    if (b > 2)
        r_fail(r, ERR_THRIFT);
    return b == 1 && r->err == ERR_OK;
}

int tc_read_bool_field(struct tc_reader *r, int type) {
    if (r->err != ERR_OK)
        return 0;
    if (type != TC_BOOL_TRUE && type != TC_BOOL_FALSE) {
        r_fail(r, ERR_THRIFT);
        return 0;
    }
    return type == TC_BOOL_TRUE;
}

const uint8_t *tc_read_binary(struct tc_reader *r, size_t *n) {
    *n = 0;
    uint64_t len = tc_read_varint(r);
    if (r->err != ERR_OK)
        return NULL;
    if (len > r_left(r)) {
        r_fail(r, ERR_TOOBIG);
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += len;
    *n = (size_t)len;
    return p;
}

/* Fewest bytes one list element of a valid type takes; 0 for a type id
   that is not a valid element type. */
static size_t elem_min_size(int type) {
    switch (type) {
    case TC_BOOL_TRUE: case TC_BOOL_FALSE: case TC_BYTE: case TC_I16:
    case TC_I32: case TC_I64: case TC_BINARY: case TC_LIST: case TC_SET:
    case TC_MAP: case TC_STRUCT:
        return 1;
    case TC_DOUBLE:
        return 8;
    case TC_UUID:
        return 16;
    default:
        return 0;
    }
}

/* The element type of a bool list is returned as TC_BOOL whether the wire
   says 1 or 2.  An empty list may carry element type 0. */
uint32_t tc_read_list_begin(struct tc_reader *r, int *elem_type) {
    *elem_type = 0;
    unsigned b = r_u8(r);
    uint64_t n = b >> 4;
    int type = (int)(b & 0x0F);
    if (n == 15)
        n = tc_read_varint(r);
    if (r->err != ERR_OK)
        return 0;
    size_t min = elem_min_size(type);
    if (min == 0 && !(type == 0 && n == 0)) {
        r_fail(r, ERR_THRIFT);
        return 0;
    }
    if (n > TC_MAX_LIST || n * min > r_left(r)) {
        r_fail(r, ERR_TOOBIG);
        return 0;
    }
    *elem_type = type == TC_BOOL_FALSE ? TC_BOOL : type;
    return (uint32_t)n;
}

void tc_read_struct_begin(struct tc_reader *r) {
    if (r->err != ERR_OK)
        return;
    if (r->depth >= TC_MAX_DEPTH) {
        r_fail(r, ERR_DEPTH);
        return;
    }
    r->last_id[++r->depth] = 0;
}

void tc_read_struct_end(struct tc_reader *r) {
    if (r->err != ERR_OK)
        return;
    if (r->depth <= 0) {
        r_fail(r, ERR_INTERNAL);
        return;
    }
    r->depth--;
}

int tc_read_field_begin(struct tc_reader *r, int *type, int16_t *id) {
    *type = TC_STOP;
    *id = 0;
    unsigned b = r_u8(r);
    if (r->err != ERR_OK || b == TC_STOP)
        return 0;
    int t = (int)(b & 0x0F);
    unsigned delta = b >> 4;
    if (t == TC_STOP || (t > TC_STRUCT && t != TC_UUID)) {
        r_fail(r, ERR_THRIFT);
        return 0;
    }
    int32_t fid;
    if (delta == 0) {
        fid = tc_read_i16(r);
    } else {
        fid = (int32_t)r->last_id[r->depth] + (int32_t)delta;
        if (fid > INT16_MAX)
            r_fail(r, ERR_THRIFT);
    }
    if (r->err != ERR_OK)
        return 0;
    r->last_id[r->depth] = (int16_t)fid;
    *type = t;
    *id = (int16_t)fid;
    return 1;
}

static void skip_value(struct tc_reader *r, int type, int in_list);

/* Enter a list, set or map while skipping; 0 when nesting is too deep. */
static int skip_push(struct tc_reader *r) {
    if (r->depth >= TC_MAX_DEPTH) {
        r_fail(r, ERR_DEPTH);
        return 0;
    }
    r->depth++;
    return 1;
}

static void skip_map(struct tc_reader *r) {
    uint64_t n = tc_read_varint(r);
    if (r->err != ERR_OK || n == 0)
        return;
    unsigned kv = r_u8(r);
    int kt = (int)(kv >> 4), vt = (int)(kv & 0x0F);
    if (r->err != ERR_OK)
        return;
    size_t kmin = elem_min_size(kt), vmin = elem_min_size(vt);
    if (kmin == 0 || vmin == 0) {
        r_fail(r, ERR_THRIFT);
        return;
    }
    if (n > TC_MAX_LIST || n * (kmin + vmin) > r_left(r)) {
        r_fail(r, ERR_TOOBIG);
        return;
    }
    if (!skip_push(r))
        return;
    for (uint64_t i = 0; i < n && r->err == ERR_OK; i++) {
        skip_value(r, kt, 1);
        skip_value(r, vt, 1);
    }
    r->depth--;
}

/* Skip one value.  A bool is one byte as a list element (in_list) and no
   byte as a struct field (its value is in the field header). */
static void skip_value(struct tc_reader *r, int type, int in_list) {
    if (r->err != ERR_OK)
        return;
    switch (type) {
    case TC_BOOL_TRUE:
    case TC_BOOL_FALSE:
        if (in_list)
            (void)tc_read_bool(r);
        break;
    case TC_BYTE:
        (void)r_u8(r);
        break;
    case TC_I16:
        (void)tc_read_i16(r);
        break;
    case TC_I32:
        (void)tc_read_i32(r);
        break;
    case TC_I64:
        (void)tc_read_varint(r);
        break;
    case TC_DOUBLE:
        (void)tc_read_double(r);
        break;
    case TC_UUID:
        if (r_left(r) < 16)
            r_fail(r, ERR_TRUNCATED);
        else
            r->p += 16;
        break;
    case TC_BINARY: {
        size_t n;
        (void)tc_read_binary(r, &n);
        break;
    }
    case TC_LIST:
    case TC_SET: {
        int et;
        uint32_t n = tc_read_list_begin(r, &et);
        if (r->err != ERR_OK || !skip_push(r))
            break;
        for (uint32_t i = 0; i < n && r->err == ERR_OK; i++)
            skip_value(r, et, 1);
        r->depth--;
        break;
    }
    case TC_MAP:
        skip_map(r);
        break;
    case TC_STRUCT: {
        int ft;
        int16_t id;
        tc_read_struct_begin(r);
        while (tc_read_field_begin(r, &ft, &id))
            skip_value(r, ft, 0);
        tc_read_struct_end(r);
        break;
    }
    default:
        r_fail(r, ERR_THRIFT);
        break;
    }
}

void tc_skip(struct tc_reader *r, int type) {
    skip_value(r, type, 0);
}
