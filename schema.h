/* schema.h -- the output schema: which CSV fields become which Parquet
   columns, under what names and types, and the rules their values obey.

   A schema is built once per conversion from the CSV's column names and the
   command line: --columns (select and reorder, by name or 1-based
   position), --rename OLD=NEW, --schema FILE and --type COL=TYPE (the last
   one given for a column wins).  Columns without a given type are inferred
   by the caller, which keeps each one's set of still possible types in
   mask.

   The schema file has one column per line, `name type [rules]`; blank lines
   and lines starting with '#' are ignored; a name with spaces, quotes or a
   '#' is written in double quotes with "" for a quote.  Rules:
     not null         a NULL (empty field or --null marker) breaks it
     min=V  max=V     bounds, in the column's type (strings: byte order)
     minlen=N maxlen=N  length in characters (UTF-8)
     pattern=REGEX    POSIX extended regular expression the whole value
                      must match; write it in double quotes when it holds
                      spaces
   sc_print() writes a schema in exactly this format.

   Column names are written as valid UTF-8: a byte of a CSV name that does
   not begin a well-formed sequence becomes U+FFFD (mended_names counts
   such names).

   Memory: the schema's strings and arrays come from the pool (a few bytes
   per column); compiled patterns are regcomp's (libc's heap), freed by
   sc_free().

   Failure: sc_create() returns ERR_USAGE (an unknown column, a bad type or
   rule, with a message in err naming the file and line), ERR_IO (the
   schema file cannot be read) or ERR_NOMEM.
 */
#ifndef CSV2PQ_SCHEMA_H
#define CSV2PQ_SCHEMA_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "pool.h"
#include "types.h"

struct sc_rules {
    int not_null;
    int has_min, has_max;
    union ty_value min, max;         /* numeric and temporal types */
    char *min_text, *max_text;       /* as written (pool); strings compare these */
    int64_t minlen, maxlen;          /* characters; -1: no rule */
    char *pattern;                   /* as written (pool), or NULL */
    regex_t re;                      /* compiled pattern, anchored */
};

struct sc_column {
    char *name;                      /* output name (pool) */
    size_t source;                   /* field index in the CSV rows */
    struct ty_spec spec;
    int given;                       /* type from --type or the schema file */
    unsigned mask;                   /* inference: types still possible (TY_BIT) */
    int has_rules;
    struct sc_rules rules;
};

struct sc_schema {
    size_t ncols;
    struct sc_column *cols;          /* pool */
    int any_rules;
    size_t mended_names;             /* names not valid UTF-8, bad bytes made U+FFFD */
};

struct sc_args {
    const char *columns;             /* --columns A,B, or NULL */
    const char *const *renames;      /* OLD=NEW */
    size_t n_renames;
    const char *const *types;        /* COL=TYPE */
    size_t n_types;
    const char *schema_file;         /* or NULL */
    const struct ty_format *format;  /* how min= and max= are read */
};

int sc_create(pool_t *pool, const char *const *csv_names, size_t ncsv,
              const struct sc_args *a, struct sc_schema **s, char *err, size_t errn);
void sc_free(pool_t *pool, struct sc_schema *s);

/* The column names of a schema file in its order (pool strings in a pool
   array): the columns of an input with no header and no rows. */
int sc_file_names(pool_t *pool, const char *path, char ***names, size_t *n,
                  char *err, size_t errn);

/* Read the min= and max= bounds in each column's final type (after
   inference); ERR_USAGE with a message when one is not a value of it. */
int sc_resolve(struct sc_schema *s, const struct ty_format *f, char *err, size_t errn);

/* Whether a value of column c breaks its type (when check_type) or a rule.
   Returns 0 when it is fine, else writes the reason ("not null",
   "max=100", "is int32", "invalid UTF-8" ...) to reason. */
int sc_check(const struct sc_column *c, const struct ty_format *f, int check_type,
             int is_null, const char *s, size_t n, char *reason, size_t rn);

/* Write the schema, one `name type [rules]` line per column. */
void sc_print(const struct sc_schema *s, FILE *f);

#endif
