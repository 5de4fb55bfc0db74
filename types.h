/* types.h -- column types, text-to-value parsing and type inference.

   The parsers take a field's bytes (not NUL-terminated) and either yield the
   value or say the text is not of that type; they never allocate, never
   read past s + n (the _in ones: past s + readable), and are
   locale-independent (DOUBLE values are exactly strtod's in the C locale,
   FLOAT values strtof's).  They are safe in any number of threads at once.

   Inference: ty_mask() gives the set of types a text fits; a column's type
   is the best member of the intersection of its values' masks
   (ty_from_mask), which widens int64 -> double -> string and
   date -> timestamp -> string.  Text that would lose information when typed
   (integers with leading zeros, integers beyond int64, fractions of a
   second beyond microseconds) fits no numeric or temporal type and stays a
   string.

   Types given by the user (ty_spec_parse) read every value exactly, or say
   it does not fit; nothing is rounded except a FLOAT's 24-bit mantissa and
   a DOUBLE's 53-bit one, which is those types' nature:
     integers   [+-]digits in the type's range; unsigned ones take an
                optional '+' and never a '-' (not even "-0").  Leading zeros
                are accepted ("007" is 7: the user chose a number), except in
                a spec from ty_spec_of (inference), where "007" stays an
                error as inference would have kept it as text.
     double     the inferred grammar ([+-] digits [. digits] [e [+-] digits],
                inf, infinity, nan, any case); leading zeros accepted as for
                integers; overflow gives +-inf, as strtod does.
     float      the same, rounded to nearest by strtof; a finite text beyond
                FLT_MAX does not fit (underflow to 0 or a subnormal does).
     decimal    [+-] digits [. digits] [e [+-] digits] (at least one digit):
                fraction digits beyond the scale must be zeros, and the
                unscaled value must have at most `precision` digits.
     date       YYYY-MM-DD, or the date format.  With a format, its reading
                wins when both match; ISO dates still fit.
     time       H:MM or HH:MM[:SS[.f]] (1..9 fraction digits), 00:00 to
                23:59:59.999999999; a value finer than the unit does not fit
                (trailing zeros beyond it do).  Local time.
     timestamp  the timestamp format, else the date format (midnight), else
                ISO YYYY-MM-DD[( |T)HH:MM[:SS[.f]]][Z|+hh[:mm]|+hhmm|+hh]
                with 1..9 fraction digits; in the unit, finer values do not
                fit; ns values must fit int64 (1677-09-21 to 2262-04-11).
                timestamp needs text without a zone; timestamp_utc needs one
                (Z or an offset; the value is normalised to UTC).
     boolean    true / false, any case.
     string, binary   any text (UTF-8 validity is the writer's check for
                strings; binary takes any bytes).
   With decimal_comma, ',' is the decimal point of double, float and decimal
   and '.' is then no decimal point; there are no thousands separators.

   Formats (date_format, timestamp_format) are strptime-like but locale-
   independent and exact: every byte of the text must match.
     %Y  year, 4 digits             %y  year, 1-2 digits: 69-99 -> 19xx, 00-68 -> 20xx
     %m  month 1-12, 1-2 digits     %b %B %h  English month name, full or 3 letters, any case
     %d  day 1-31, 1-2 digits       %e  the same, an optional leading space
     %j  day of the year 1-366      %a %A  English weekday name (checked against the date)
     %H  hour 0-23, 1-2 digits      %I  hour 1-12 (needs %p)      %p  AM or PM, any case
     %M  minute 0-59, 1-2 digits    %S  second 0-59, 1-2 digits
     %f  fraction of a second, 1-9 digits (the '.' is a literal in the format)
     %z  Z, +hh, +hhmm or +hh:mm (or -)   %Z  UTC, GMT or Z
     %T = %H:%M:%S   %R = %H:%M   %F = %Y-%m-%d   %D = %m/%d/%y   %% = %
   Any other byte matches itself.  Numeric fields take 1..N digits, greedily
   (so %m matches "3" and "03"; "%Y%m%d" reads "20240102").  A date needs a
   year and a month and day (or %j); missing time fields are 0.
 */
#ifndef CSV2PQ_TYPES_H
#define CSV2PQ_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
    int inferred;                    /* 1 from ty_spec_of: values keep inference's
                                        rules (no leading zeros in numbers) */
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

/* Parse a type name: boolean, int8, int16, int32, int64, uint8, uint16,
   uint32, uint64, float, double, decimal(P,S) (1 <= P <= 38, 0 <= S <= P),
   decimal(P) (scale 0), date, time, time(ms|us|ns), timestamp,
   timestamp(ms|us|ns), timestamp_utc, timestamp_utc(ms|us|ns), string,
   binary.  Any case; spaces around the name, before '(' and inside the
   parentheses are ignored.  time, timestamp and timestamp_utc alone are
   microseconds.  Returns 1 on success (spec->inferred = 0), 0 when the text
   names no type. */
int ty_spec_parse(const char *text, struct ty_spec *spec);
/* The canonical text of a spec, as ty_spec_parse reads it back:
   "timestamp" (microseconds), "timestamp(ms)", "time(ns)", "decimal(12,2)";
   an inferred type's text is its ty_name.  Cut to fit n bytes. */
void ty_spec_format(const struct ty_spec *spec, char *buf, size_t n);
/* The spec of an inferred type (microsecond timestamps, inferred = 1). */
struct ty_spec ty_spec_of(int type);

/* Whether the whole text is a value of the spec, read with the format f
   (NULL for the defaults); the value goes to *v (see the top of this file
   for each type's text).  Never rounds: a decimal with more fraction digits
   than its scale, an integer outside its range, a time finer than the unit,
   do not fit.  TY_STRING and TY_BINARY fit any text and leave *v alone.
   Where *v goes: boolean, signed integers, date (days), time and
   timestamps (in the unit) in v->i; unsigned integers in v->u; double and
   float (widened exactly) in v->d; decimal in v->dec. */
int ty_parse_value(const struct ty_spec *spec, const struct ty_format *f,
                   const char *s, size_t n, union ty_value *v);
/* Order of two values of the same spec: <0, 0, >0 (numeric and temporal
   types; 0 for strings and binary).  Unsigned types compare unsigned;
   floating NaN sorts after everything and equals NaN, -0 equals +0. */
int ty_compare(const struct ty_spec *spec, const union ty_value *a, const union ty_value *b);
/* ty_mask with dates, timestamps and numbers read through f (NULL or all
   defaults: exactly ty_mask).  ISO dates and timestamps still fit; text
   the date or timestamp format reads fits that type (and a date, timestamp)
   and no number, so "%Y%m%d" makes 20240102 a date, not an int64.  With
   decimal_comma, "1,5" fits double and "1.5" fits only string; integers are
   unchanged. */
unsigned ty_mask_fmt(const struct ty_format *f, const char *s, size_t n);
/* Whether fmt is a usable format for type (TY_DATE: no time or zone
   directives; TY_TIMESTAMP or TY_TIMESTAMP_UTC: anything): 1 if so, else 0
   with the reason in msg (n bytes). */
int ty_format_check(const char *fmt, int type, char *msg, size_t n);

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

/* The same parsers for text inside a larger buffer, with the same
   answers: they may read (never use) the bytes after s[0..n), up to
   s + readable (readable >= n), so as to load the text in whole eight-byte
   words.  With 24 bytes readable no branch depends on a value's length
   within a word; with readable == n they are the parsers above. */
int ty_parse_int64_in(const char *s, size_t n, size_t readable, int64_t *v);
int ty_parse_double_in(const char *s, size_t n, size_t readable, double *v);

/* Whether s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, at
   most U+10FFFF, no character cut short at the end).  Reads nothing
   outside s[0..n).  ty_utf8_valid takes ASCII text of up to 64 bytes
   inline, a word at a time (the last word ending at s + n), and calls
   ty_utf8_valid_text for the rest: most text fields are short and ASCII,
   and the call's setup costs more than the check on them. */
int ty_utf8_valid_text(const unsigned char *s, size_t n);
static inline int ty_utf8_valid(const unsigned char *s, size_t n) {
    uint64_t acc = 0, w;
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            acc |= s[i];
        if (!(acc & 0x80))
            return 1;
    } else if (n <= 64) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&w, s + i, 8);
            acc |= w;
        }
        memcpy(&w, s + n - 8, 8);
        if (!((acc | w) & 0x8080808080808080u))
            return 1;
    }
    return ty_utf8_valid_text(s, n);
}
/* The same without SIMD (ty_utf8_valid_text uses it on CPUs without
   SSSE3). */
int ty_utf8_valid_portable(const unsigned char *s, size_t n);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t ty_days_from_civil(int64_t y, unsigned m, unsigned d);
void ty_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
