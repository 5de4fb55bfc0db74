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
    /* the types inference chooses from */
    TY_BOOLEAN, TY_INT64, TY_DOUBLE, TY_DATE, TY_TIMESTAMP,
    TY_TIMESTAMP_UTC, TY_STRING,
    /* types only given by --type or a schema file */
    TY_INT8, TY_INT16, TY_INT32, TY_UINT8, TY_UINT16, TY_UINT32, TY_UINT64,
    TY_FLOAT, TY_DECIMAL, TY_TIME, TY_BINARY,
    TY_COUNT_
};
#define TY_INFERRED_ (TY_STRING + 1)

#define TY_BIT(t) (1u << (t))
#define TY_ALL    (TY_BIT(TY_INFERRED_) - 1)   /* masks cover inferred types */

enum ty_unit { TY_UNIT_US, TY_UNIT_MS, TY_UNIT_NS };

/* A column's type with its parameters. */
struct ty_spec {
    int type;                        /* TY_* */
    int precision, scale;            /* TY_DECIMAL: 1 <= precision <= 38, 0 <= scale <= precision */
    int unit;                        /* TY_TIME, TY_TIMESTAMP(_UTC): TY_UNIT_* */
};

/* How text is read; all zero means the defaults (ISO 8601 dates and
   timestamps, '.' as the decimal point). */
struct ty_format {
    const char *date_format;         /* strptime-like (%Y %m %d %b ...), or NULL */
    const char *timestamp_format;    /* strptime-like (%H %M %S %I %p %f %z ...), or NULL */
    int decimal_comma;               /* ',' is the decimal separator */
};

/* One typed value, as the writer stores it. */
union ty_value {
    int64_t i;                       /* integers, date (days), time, timestamp in its unit, boolean */
    uint64_t u;                      /* unsigned integers */
    double d;                        /* double, float */
    struct { uint64_t lo; int64_t hi; } dec;   /* decimal: the unscaled 128-bit integer */
};

/* Parse "int32", "uint8", "decimal(12,2)", "timestamp(ms)",
   "timestamp_utc(ns)", "time(us)", "string", "binary" ... (the names
   ty_spec_format writes; "timestamp" alone is microseconds).  Returns 1 on
   success, 0 when the text names no type. */
int ty_spec_parse(const char *text, struct ty_spec *spec);
/* The canonical text of a spec, as ty_spec_parse reads it back. */
void ty_spec_format(const struct ty_spec *spec, char *buf, size_t n);
/* The spec of an inferred type (microsecond timestamps). */
struct ty_spec ty_spec_of(int type);

/* Whether the whole text is a value of the spec, read with the format f
   (NULL for the defaults); the value goes to *v.  Never rounds: a decimal
   with more fraction digits than its scale, an integer outside its range, a
   time finer than the unit, do not fit.  TY_STRING and TY_BINARY fit any
   text (UTF-8 validity is the writer's check). */
int ty_parse_value(const struct ty_spec *spec, const struct ty_format *f,
                   const char *s, size_t n, union ty_value *v);
/* Order of two values of the same spec: <0, 0, >0 (numeric and temporal
   types; not strings). */
int ty_compare(const struct ty_spec *spec, const union ty_value *a, const union ty_value *b);
/* ty_mask with dates, timestamps and numbers read through f. */
unsigned ty_mask_fmt(const struct ty_format *f, const char *s, size_t n);

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
