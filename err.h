/* err.h -- the error codes shared by every module, and their messages.

   Library-level functions (pool, thrift_compact, pqmeta, encode, codec, the
   Parquet reader and writer) return one of these codes and never print or
   exit; only main.c turns a code into a message and an exit status.  The
   enum and the text come from one X-macro list so they cannot drift apart.
 */
#ifndef CSV2PQ_ERR_H
#define CSV2PQ_ERR_H

#define ERR_LIST(X) \
    X(OK,          "success") \
    X(NOMEM,       "memory budget exhausted (raise it with -m)") \
    X(IO,          "I/O error") \
    X(TRUNCATED,   "unexpected end of data") \
    X(CORRUPT,     "corrupt data") \
    X(THRIFT,      "malformed Thrift metadata") \
    X(DEPTH,       "Thrift nesting too deep") \
    X(TOOBIG,      "length or count out of range") \
    X(UNSUPPORTED, "unsupported feature") \
    X(CODEC,       "decompression failed") \
    X(ENCRYPTED,   "encrypted Parquet files are not supported") \
    X(NOTPARQUET,  "not a Parquet file") \
    X(CSV,         "malformed CSV") \
    X(TYPE,        "value does not fit the column type") \
    X(USAGE,       "invalid option value") \
    X(INTERNAL,    "internal error")

enum err {
#define ERR_ENUM(name, text) ERR_##name,
    ERR_LIST(ERR_ENUM)
#undef ERR_ENUM
    ERR_COUNT_
};

/* The message for an error code; never NULL. */
static inline const char *err_str(int e) {
    static const char *const text[] = {
#define ERR_TEXT(name, text) text,
        ERR_LIST(ERR_TEXT)
#undef ERR_TEXT
    };
    return e >= 0 && e < ERR_COUNT_ ? text[e] : "unknown error";
}

/* Return early with the code when an expression yields an error. */
#define FORWARD_IF_ERROR(expr) \
    do { int fwd_err_ = (expr); if (fwd_err_ != ERR_OK) return fwd_err_; } while (0)
#define RETURN_ERROR_IF(cond, code) \
    do { if (cond) return (code); } while (0)

#endif
