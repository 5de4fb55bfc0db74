/* pqvalue.h -- Parquet values as text, the way DuckDB prints them in CSV.

   A column's physical type and its logical (or legacy converted) type
   resolve once into a pqv_type; pqv_format() then turns one value, given in
   its PLAIN encoding (little-endian fixed-width bytes; a byte array's bytes
   without the length prefix; a boolean as one byte 0 or 1), into text:

     BOOLEAN                 true, false
     INT32, INT64, INTEGER   decimal; unsigned kinds (UINT_8..64) unsigned
     DOUBLE                  shortest text that reads back to the same value,
                             as Python's repr: 1.5, 0.1, 100.0, 1e+16,
                             1e-05, 1.7976931348623157e+308, nan, -nan, inf,
                             -inf, -0.0 (exponent from 1e+16 and below 1e-4)
     FLOAT, FLOAT16          the same with the float's digits (0.1, not
                             0.10000000149011612), as DuckDB prints a FLOAT:
                             where two shortest texts are equally near, or
                             one is exactly half a unit away, a digit more
                             (1426408.75, 57398352.0)
     DECIMAL                 exact, with scale digits: 1.50, -0.05, any width
     DATE                    2020-01-02; years before 1: 0045-03-15 (BC)
     TIME                    01:02:03[.fraction without trailing zeros];
                             UTC-adjusted: +00 appended
     TIMESTAMP, INT96        2020-01-02 03:04:05[.fraction]; UTC-adjusted:
                             +00 appended; millis and micros to microseconds,
                             nanos kept to 9 digits when local, truncated to
                             microseconds when UTC-adjusted, as DuckDB reads
                             them; INT96 (Julian day, nanoseconds of the day)
                             to microseconds with 64-bit wrap-around as
                             DuckDB computes it; the int64 extremes of a
                             micros timestamp are infinity and -infinity
     INTERVAL                1 year 2 months 3 days 00:00:03.5
     UUID                    canonical 8-4-4-4-12 lower case
     STRING, ENUM, JSON      the bytes as they are
     BSON                    lower-case hex
     GEOMETRY, GEOGRAPHY     the WKB value as WKT: POINT (30 10),
                             LINESTRING Z (...), MULTIPOINT (1 2, 3 4),
                             POINT EMPTY; coordinates in shortest form
                             without a trailing .0; a value that is not
                             WKB is printed as a BLOB
     other byte arrays       printable ASCII as is, other bytes and the
                             characters \ ' " as \xHH (DuckDB's BLOB text)
     UNKNOWN (null type)     always NULL

   JSON: pqv_format_json() gives the same text as a JSON value: numbers and
   booleans bare, NaN and infinities and every other kind as a JSON string.

   Ownership: the caller owns the pqv_text buffer (from the pool) and gives
   it back with pqv_text_free().  Failure: ERR_NOMEM when the text cannot
   grow; ERR_CORRUPT when the value's size does not fit its type (a 3-byte
   INT32).  Never reads past p + n.
 */
#ifndef CSV2PQ_PQVALUE_H
#define CSV2PQ_PQVALUE_H

#include <stddef.h>
#include <stdint.h>
#include "pool.h"
#include "pqmeta.h"

enum pqv_kind {
    PQV_NULL, PQV_BOOL, PQV_INT, PQV_UINT, PQV_FLOAT, PQV_DOUBLE,
    PQV_FLOAT16, PQV_DECIMAL, PQV_DATE, PQV_TIME, PQV_TIMESTAMP,
    PQV_INT96, PQV_INTERVAL, PQV_UUID, PQV_STRING, PQV_HEX, PQV_BLOB, PQV_WKB
};

struct pqv_type {
    int kind;                        /* enum pqv_kind */
    int physical;                    /* enum pq_type */
    int32_t type_length;             /* FIXED_LEN_BYTE_ARRAY width */
    int32_t scale;                   /* DECIMAL */
    int unit;                        /* TIME, TIMESTAMP: enum pq_time_unit */
    int utc;                         /* TIME, TIMESTAMP: is_adjusted_to_utc */
};

/* Resolve a leaf schema element's type.  A logical type wins over the
   converted type; a logical type this reader does not know falls back to
   the physical type. */
void pqv_resolve(const struct pq_schema_element *e, struct pqv_type *t);

struct pqv_text {
    pool_t *pool;
    char *p;                         /* from the pool */
    size_t len, cap;                 /* bytes */
};

void pqv_text_init(struct pqv_text *t, pool_t *pool);
void pqv_text_free(struct pqv_text *t);
/* Room for n more bytes after len (the buffer exists afterwards even for
   n = 0); ERR_OK or ERR_NOMEM. */
int pqv_text_reserve(struct pqv_text *t, size_t n);
/* Append bytes; ERR_OK or ERR_NOMEM. */
int pqv_text_put(struct pqv_text *t, const void *s, size_t n);

/* Append the text of one value.  ERR_OK, ERR_NOMEM or ERR_CORRUPT. */
int pqv_format(const struct pqv_type *t, const uint8_t *p, size_t n,
               struct pqv_text *out);
/* Append the value as a JSON value. */
int pqv_format_json(const struct pqv_type *t, const uint8_t *p, size_t n,
                    struct pqv_text *out);
/* Append s as a JSON string literal: " and \ escaped, control bytes as
   \b \f \n \r \t or \u00xx (as JavaScript's JSON.stringify writes them),
   every other byte as it is. */
int pqv_json_string(struct pqv_text *out, const void *s, size_t n);

/* Shortest round-trip text of a double (is_float = 0) or of a float
   (is_float = 1, v holding the float's value) into buf (at least 32
   bytes); returns the length. */
size_t pqv_format_double(double v, int is_float, char *buf);

/* ---- one value straight into a buffer, for the reader's inner loops ----

   Each writes the text pqv_format() appends for the value into dst, which
   has PQV_PUT_MAX writable bytes (they may write past the text's end, never
   past dst + PQV_PUT_MAX), and returns its length.  They never fail.
   pqv_put() takes a value of a kind pqv_put_ok() accepts, its width
   already checked with pqv_width_ok(); day, when not NULL, remembers the
   text of the last date written (set day->day to PQV_NO_DAY first), which
   makes a run of timestamps of the same day cheaper. */
#define PQV_PUT_MAX 128
#define PQV_NO_DAY  INT64_MIN

struct pqv_day {
    int64_t day;                     /* days since 1970-01-01, or PQV_NO_DAY */
    size_t len;                      /* bytes of text */
    char text[32];                   /* the date and the space after it */
};

int pqv_put_ok(const struct pqv_type *t);
int pqv_width_ok(const struct pqv_type *t, size_t n);
size_t pqv_put(const struct pqv_type *t, const uint8_t *p, struct pqv_day *day, char *dst);
size_t pqv_put_double(double v, char *dst);
size_t pqv_put_i64(int64_t v, char *dst);
size_t pqv_put_u64(uint64_t v, char *dst);

#endif
