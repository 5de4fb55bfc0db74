/* thrift_compact.h -- the Thrift compact protocol, both directions.

   Writer: appends encoded bytes to a growable buffer taken from a pool.  The
   writer keeps a sticky error: once a write fails (the pool cannot grow the
   buffer, nesting too deep) every later call is a no-op and tc_writer_error()
   returns the first error.

   Reader: decodes from a byte range [p, end) it never reads past.  It keeps a
   sticky error too: after the first failure every read returns a zero value
   and tc_reader_error() returns the first error.  Every length and count is
   checked against the bytes that remain before it is used; struct nesting is
   capped at TC_MAX_DEPTH and list sizes at TC_MAX_LIST.  Binary and string
   values are returned as pointers into the input range (no copy).

   Field ids are deltas against the last id of the enclosing struct, as the
   spec says (apache/thrift doc/specs/thrift-compact-protocol.md).  Booleans
   that are struct fields live in the field header (tc_field_bool); booleans
   inside lists are one byte each (tc_write_bool / tc_read_bool): written
   as 1 (true) and 2 (false) like the reference implementations; read as
   1 true, 0 or 2 false.  A bool list header says TC_BOOL on reading
   whether the wire has element type 1 or 2.
 */
#ifndef CSV2PQ_THRIFT_COMPACT_H
#define CSV2PQ_THRIFT_COMPACT_H

#include <stddef.h>
#include <stdint.h>
#include "pool.h"

#define TC_MAX_DEPTH 64           /* struct/list nesting */
#define TC_MAX_LIST  (1u << 24)   /* elements in one list */

/* Compact protocol type ids. */
enum tc_type {
    TC_STOP = 0, TC_BOOL_TRUE = 1, TC_BOOL_FALSE = 2, TC_BYTE = 3,
    TC_I16 = 4, TC_I32 = 5, TC_I64 = 6, TC_DOUBLE = 7, TC_BINARY = 8,
    TC_LIST = 9, TC_SET = 10, TC_MAP = 11, TC_STRUCT = 12
};
/* In a list header a bool element is written as TC_BOOL_TRUE. */
#define TC_BOOL TC_BOOL_TRUE

/* ---- writer ---- */

struct tc_writer {
    pool_t *pool;
    uint8_t *buf;                    /* from the pool, owned by the writer */
    size_t len, cap;                 /* bytes */
    int err;                         /* sticky, ERR_* */
    int depth;
    int16_t last_id[TC_MAX_DEPTH + 1];
};

void tc_writer_init(struct tc_writer *w, pool_t *pool);
void tc_writer_free(struct tc_writer *w);          /* gives buf back */
static inline int tc_writer_error(const struct tc_writer *w) { return w->err; }

/* Raw values (as list elements or after tc_field_begin). */
void tc_write_byte(struct tc_writer *w, int8_t v);
void tc_write_i16(struct tc_writer *w, int16_t v);
void tc_write_i32(struct tc_writer *w, int32_t v);
void tc_write_i64(struct tc_writer *w, int64_t v);
void tc_write_double(struct tc_writer *w, double v);
void tc_write_binary(struct tc_writer *w, const void *p, size_t n);
void tc_write_bool(struct tc_writer *w, int v);    /* list element only */
void tc_write_varint(struct tc_writer *w, uint64_t v);
/* Bytes already in compact encoding (say list elements that another writer
   produced), appended as they are. */
void tc_write_raw(struct tc_writer *w, const void *p, size_t n);
void tc_write_list_begin(struct tc_writer *w, int elem_type, uint32_t n);
void tc_write_struct_begin(struct tc_writer *w);   /* pushes a field-id frame */
void tc_write_struct_end(struct tc_writer *w);     /* writes STOP, pops */

/* A field header in the current struct (short form when the delta fits). */
void tc_field_begin(struct tc_writer *w, int type, int16_t id);

/* Field helpers: header + value. */
void tc_field_bool(struct tc_writer *w, int16_t id, int v);
void tc_field_i32(struct tc_writer *w, int16_t id, int32_t v);
void tc_field_i64(struct tc_writer *w, int16_t id, int64_t v);
void tc_field_double(struct tc_writer *w, int16_t id, double v);
void tc_field_binary(struct tc_writer *w, int16_t id, const void *p, size_t n);
void tc_field_string(struct tc_writer *w, int16_t id, const char *s);
void tc_field_struct_begin(struct tc_writer *w, int16_t id); /* header + struct_begin */
void tc_field_list_begin(struct tc_writer *w, int16_t id, int elem_type, uint32_t n);

/* ---- reader ---- */

struct tc_reader {
    const uint8_t *p, *end;          /* never reads at or past end */
    int err;                         /* sticky, ERR_* */
    int depth;
    int16_t last_id[TC_MAX_DEPTH + 1];
};

void tc_reader_init(struct tc_reader *r, const void *p, size_t n);
static inline int tc_reader_error(const struct tc_reader *r) { return r->err; }
/* Bytes consumed since init: r->p - start (callers keep start). */

/* Next field header of the current struct.  Returns 0 at STOP (or on
   error), 1 with *type and *id set otherwise.  For bool fields *type is
   TC_BOOL_TRUE or TC_BOOL_FALSE and the value is read with tc_read_bool_field. */
int tc_read_field_begin(struct tc_reader *r, int *type, int16_t *id);
int tc_read_bool_field(struct tc_reader *r, int type);   /* from the header type */

int8_t  tc_read_byte(struct tc_reader *r);
int16_t tc_read_i16(struct tc_reader *r);   /* range-checked */
int32_t tc_read_i32(struct tc_reader *r);   /* range-checked */
int64_t tc_read_i64(struct tc_reader *r);
double  tc_read_double(struct tc_reader *r);
uint64_t tc_read_varint(struct tc_reader *r);
int     tc_read_bool(struct tc_reader *r);  /* list element */
/* Binary: *n bytes at the returned pointer, inside the input; NULL on error
   (with *n = 0). */
const uint8_t *tc_read_binary(struct tc_reader *r, size_t *n);
/* List/set header: returns the element count (checked against TC_MAX_LIST
   and against the bytes that remain), sets *elem_type. */
uint32_t tc_read_list_begin(struct tc_reader *r, int *elem_type);
void tc_read_struct_begin(struct tc_reader *r);    /* pushes a frame, depth-checked */
void tc_read_struct_end(struct tc_reader *r);      /* pops (after STOP was read) */
/* Skip one value of the given type, nested values included.  TC_BOOL_TRUE
   and TC_BOOL_FALSE are taken as a bool field, whose value is in its
   header: nothing is consumed (a bool list element is read with
   tc_read_bool). */
void tc_skip(struct tc_reader *r, int type);

#endif
