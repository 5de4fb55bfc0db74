/* types.h -- column types, text-to-value parsing and type inference.

   The parsers take a field's bytes (not NUL-terminated) and either yield the
   value or say the text is not of that type; they never allocate, never
   read past s + n, and are locale-independent (DOUBLE values are exactly
   strtod's in the C locale).

   Inference: ty_mask() gives the set of types a text fits; a column's type
   is the best member of the intersection of its values' masks
   (ty_from_mask), which widens int64 -> double -> string and
   date -> timestamp -> string.  Text that would lose information when typed
   (integers with leading zeros, integers beyond int64, fractions of a
   second beyond microseconds) fits no numeric or temporal type and stays a
   string.
 */
#ifndef CSV2PQ_TYPES_H
#define CSV2PQ_TYPES_H

#include <stddef.h>
#include <stdint.h>

enum ty_type {
    TY_BOOLEAN, TY_INT64, TY_DOUBLE, TY_DATE, TY_TIMESTAMP,
    TY_TIMESTAMP_UTC, TY_STRING, TY_COUNT_
};

#define TY_BIT(t) (1u << (t))
#define TY_ALL    (TY_BIT(TY_COUNT_) - 1)

/* Lower-case name used in messages and --print-schema: "boolean",
   "int64", "double", "date", "timestamp", "timestamp_utc", "string". */
const char *ty_name(int type);
/* The type a name names, or -1. */
int ty_from_name(const char *name);

/* The set of types (TY_BIT bits) the text fits; TY_STRING always. */
unsigned ty_mask(const char *s, size_t n);
/* The narrowest type in a mask intersection (TY_STRING when empty). */
int ty_from_mask(unsigned mask);

/* Parsers: 1 when the whole text is a value of the type, 0 otherwise. */
int ty_parse_bool(const char *s, size_t n, int *v);
int ty_parse_int64(const char *s, size_t n, int64_t *v);
int ty_parse_double(const char *s, size_t n, double *v);
int ty_parse_date(const char *s, size_t n, int32_t *days);   /* since 1970-01-01 */
/* A timestamp in microseconds since the epoch.  *utc is 1 when the text
   carried a zone (Z or an offset; the value is then normalised to UTC), 0
   for a local (naive) timestamp.  A date alone parses as its midnight. */
int ty_parse_timestamp(const char *s, size_t n, int64_t *micros, int *utc);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t ty_days_from_civil(int64_t y, unsigned m, unsigned d);
void ty_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
