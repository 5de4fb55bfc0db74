/* csv2pq -- convert CSV to Parquet, and Parquet back to CSV.

   Details of the conversion pipeline

   The input is read once, front to back.  A regular file (stdin redirected
   from a file included) is mmap'ed; a pipe is read in 64 KiB chunks.  libcsv
   tokenizes the bytes; csv.c appends each field to a row buffer as text,
   with its end offset and a NULL bit, and the line each row starts on.
   When the buffer holds --row-group-size rows, or its bytes reach the row
   group's share of the memory budget, those rows are handed out as one
   batch, and the batch becomes one row group.

   The first batch decides the column types (types.c): every value's set of
   possible types is intersected per column, so a column is int64 only when
   every value of the first row group is an integer.  Later batches are
   converted with those types; a value that does not fit is an error naming
   its line and column.

   A row group is written column chunk by column chunk (pqwrite.c).  A chunk
   is a pure function of the batch and the column: convert the text to typed
   values and definition levels, try a dictionary, cut pages of about 1 MiB,
   encode levels (RLE/bit-packed hybrid) and values, and compress each page.
   Each thread (-j) owns an encoder: its scratch buffers, dictionary and
   compressor.  With one thread the pages go straight to the output.  With
   several, the threads take the columns of the row group in turn and each
   encodes its chunk into a buffer; the writer (the main thread) waits for
   column 0, writes it and adds its file offset to the chunk's page offsets,
   then column 1, and so on, so chunks are written in column order and a
   thread holding a finished chunk takes no other until it is written.
   Nothing an encoder produces depends on which thread ran it or on how
   much memory is free (a dictionary's limits are counts and sizes, checked
   before each value), so the output is the same bytes for every -j.  When
   a thread runs out of memory, the writer lets the others finish, takes
   back their buffers and encodes the rest of the row group alone.
   Parsing can likewise be split at record boundaries found by quote parity,
   each piece handed to its own libcsv parser, the batches joined in order.

   Ownership: the row buffer belongs to the CSV reader and a batch is a view
   into it, valid until the next batch is asked for; the chunk, page and
   compression buffers belong to the writer.  Every one of them comes from
   the pool (pool.c), which is sized once from -m and never falls back to
   malloc.

   Worst-case memory, with B the budget (-m), C one thread's compressor and
   page buffers, and T = (B - C)/3 the row buffers:
     row buffers (text, field ends, line numbers)   T, taken once
   and per thread (at most B/4 of compressors and page buffers in all):
     column scratch: values, levels, indices        13 bytes per row
                                                    (rows <= T/32: < 0.41 T)
     one page and its compressed copy               2 x min(1 MiB, B/32)
     dictionary: values + hash table                min(1 MiB, B/16) + B/16
     compressor (zstd level 3)                      about 1.3 MiB
     the encoded chunk (threads only)               its compressed size
   and once more:
     output buffer                                  256 KiB
     footer metadata                                about 150 bytes per
                                                    column chunk
   all inside B by construction: a request past B is an error, never growth
   (with threads, first a retry on one thread).

   Output is written sequentially (pipes work).  With -o the file is written
   under a temporary name in the same directory and renamed on success; on
   any error or SIGINT/SIGTERM/SIGHUP it is removed.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "csv.h"
#include "err.h"
#include "pool.h"
#include "pqread.h"
#include "pqwrite.h"
#include "types.h"

/* Exit statuses (the man page's EXIT STATUS lists them). */
enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1,                   /* bad input, I/O error, refusal */
    EXIT_USAGE = 2,                  /* bad command line */
    EXIT_MEMORY = 3                  /* the memory budget is too small */
};

#define DEFAULT_MEMORY   ((size_t)32 << 20)
#define DEFAULT_MEMORY_D ((size_t)256 << 20)   /* decoding: pages of other writers can be large */
#define DEFAULT_RG_ROWS  1048576
#define OUT_RESERVE      ((size_t)256 << 10)   /* the writer's output buffer */
#define MAX_NULLS        64
#define MAX_TYPES        4096

enum { ON_FAIL, ON_SKIP, ON_NULL };

struct options {
    int decode;                      /* -d */
    const char *input, *output;      /* NULL: stdin / stdout */
    int codec, level, force, quiet, verbose, print_schema, threads;
    size_t memory, rg_rows;
    unsigned char delimiter, quote;  /* 0: detect */
    int header;                      /* -1 detect, 0 no, 1 yes */
    const char *nulls[MAX_NULLS];
    size_t n_nulls;
    unsigned char comment;
    int64_t skip;
    /* schema and bad values */
    int on_error;                    /* ON_FAIL, ON_SKIP, ON_NULL */
    const char *rejects;
    int64_t max_errors;              /* 0: no limit */
    int binary;
    const char *types[MAX_TYPES];    /* --type COL=TYPE */
    size_t n_types;
    const char *schema_file;
    int64_t infer_rows;              /* 0: the first row group */
    const char *renames[MAX_TYPES];  /* --rename OLD=NEW */
    size_t n_renames;
    struct ty_format format;
    /* decoding */
    int mode;
    const char *columns;
    int64_t head;
};

static const char *prog = "csv2pq";

/* The temporary output file, removed on failure and on signals. */
static char tmp_path[4096];
static volatile sig_atomic_t tmp_live;

static void remove_tmp(void) {
    if (tmp_live) {
        unlink(tmp_path);
        tmp_live = 0;
    }
}

static void on_signal(int sig) {
    if (tmp_live)
        unlink(tmp_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void msg(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int exit_for(int e) {
    return e == ERR_NOMEM ? EXIT_MEMORY : e == ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
}

static void usage_short(FILE *f) {
    fprintf(f,
        "usage: %s [OPTIONS] [INPUT.csv] [-o OUTPUT.parquet]\n"
        "       %s -d [OPTIONS] [INPUT.parquet] [-o OUTPUT.csv]   (also: pq2csv)\n"
        "Try '%s --help' for every option.\n", prog, prog, prog);
}

static void usage_full(void) {
    printf(
"usage: csv2pq [OPTIONS] [INPUT.csv] [-o OUTPUT.parquet]\n"
"       csv2pq -d [OPTIONS] [INPUT.parquet] [-o OUTPUT.csv]   (also: pq2csv)\n"
"\n"
"Convert CSV to Parquet, or with -d Parquet to CSV.  No INPUT, or -, reads\n"
"standard input; without -o the result goes to standard output.  gzip and\n"
"zstd CSV input is recognised and decompressed.\n"
"\n"
"Common options:\n"
"  -o, --output FILE       write to FILE (atomically: a temporary file renamed\n"
"                          on success, removed on failure)\n"
"  -m, --memory SIZE       memory budget, with K, M or G suffix (default 32M;\n"
"                          256M with -d, as other writers' pages can be large)\n"
"      --delimiter C       field delimiter, one byte or \\t (default ,)\n"
"      --null STR          treat STR as NULL (repeatable); with -d, print NULL\n"
"                          as STR (default: empty)\n"
"      --no-header         CSV has (with -d: print) no header line\n"
"  -f, --force             write Parquet even to a terminal\n"
"  -q, --quiet             no warnings, no progress line\n"
"  -v, --verbose           a summary on stderr at the end\n"
"  -h                      short usage;  --help  this text\n"
"  -V, --version           print the version\n"
"\n"
"CSV to Parquet:\n"
"  -c, --compression CODEC zstd, snappy, gzip or none (default zstd)\n"
"  -j, --threads N         column chunks encoded at once (default: the online\n"
"                          CPUs); the output is the same for every N\n"
"      --level N           compression level (default: zstd 3, gzip 6)\n"
"      --row-group-size N  rows per row group at most (default %d; a row group\n"
"                          also closes when its rows fill the row buffers)\n"
"      --quote C           quote character (default \")\n"
"      --print-schema      print the inferred schema, write no Parquet\n"
"\n"
"Parquet to CSV (-d, --decode, or the name pq2csv):\n"
"      --columns A,B       only these columns, in this order\n"
"      --head N            only the first N rows\n"
"      --schema            print the schema tree\n"
"      --meta              print file, row group and column chunk metadata\n"
"      --count             print the number of rows\n"
"\n"
"Exit status: 0 success, 1 conversion or I/O failure, 2 usage error,\n"
"3 memory budget too small.  See csv2pq(1).\n", DEFAULT_RG_ROWS);
}

static int parse_size(const char *s, size_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return 0;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    }
    if (*end == 'i' && shift)
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v > (SIZE_MAX >> shift))
        return 0;
    *out = (size_t)(v << shift);
    return 1;
}

static int parse_count(const char *s, long long min, long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min)
        return 0;
    *out = v;
    return 1;
}

static int parse_char(const char *s, unsigned char *c) {
    if (strcmp(s, "\\t") == 0 || strcmp(s, "tab") == 0) {
        *c = '\t';
        return 1;
    }
    if (strlen(s) != 1 || s[0] == '\n' || s[0] == '\r')
        return 0;
    *c = (unsigned char)s[0];
    return 1;
}

enum {
    OPT_LEVEL = 256, OPT_RG, OPT_DELIM, OPT_QUOTE, OPT_NOHEADER, OPT_NULL,
    OPT_PRINT_SCHEMA, OPT_HELP, OPT_COLUMNS, OPT_HEAD, OPT_SCHEMA, OPT_META,
    OPT_COUNT, OPT_HEADER, OPT_COMMENT, OPT_SKIP, OPT_ON_ERROR, OPT_REJECTS,
    OPT_MAX_ERRORS, OPT_BINARY, OPT_TYPE, OPT_INFER_ROWS, OPT_DATE_FORMAT,
    OPT_TS_FORMAT, OPT_DECIMAL_COMMA, OPT_RENAME
};

/* Whether the command line asks for decoding (-d, --decode), looked at
   before parsing because --schema means a file only when encoding. */
static int wants_decode(int argc, char **argv) {
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--decode"))
            return 1;
    return 0;
}

static int parse_args(int argc, char **argv, struct options *o) {
    struct option longs[] = {
        {"output", required_argument, 0, 'o'},
        {"threads", required_argument, 0, 'j'},
        {"compression", required_argument, 0, 'c'},
        {"level", required_argument, 0, OPT_LEVEL},
        {"row-group-size", required_argument, 0, OPT_RG},
        {"memory", required_argument, 0, 'm'},
        {"delimiter", required_argument, 0, OPT_DELIM},
        {"quote", required_argument, 0, OPT_QUOTE},
        {"no-header", no_argument, 0, OPT_NOHEADER},
        {"header", no_argument, 0, OPT_HEADER},
        {"comment", required_argument, 0, OPT_COMMENT},
        {"skip", required_argument, 0, OPT_SKIP},
        {"on-error", required_argument, 0, OPT_ON_ERROR},
        {"rejects", required_argument, 0, OPT_REJECTS},
        {"max-errors", required_argument, 0, OPT_MAX_ERRORS},
        {"binary", no_argument, 0, OPT_BINARY},
        {"type", required_argument, 0, OPT_TYPE},
        {"infer-rows", required_argument, 0, OPT_INFER_ROWS},
        {"date-format", required_argument, 0, OPT_DATE_FORMAT},
        {"timestamp-format", required_argument, 0, OPT_TS_FORMAT},
        {"decimal-comma", no_argument, 0, OPT_DECIMAL_COMMA},
        {"rename", required_argument, 0, OPT_RENAME},
        {"null", required_argument, 0, OPT_NULL},
        {"print-schema", no_argument, 0, OPT_PRINT_SCHEMA},
        {"quiet", no_argument, 0, 'q'},
        {"verbose", no_argument, 0, 'v'},
        {"force", no_argument, 0, 'f'},
        {"help", no_argument, 0, OPT_HELP},
        {"version", no_argument, 0, 'V'},
        {"decode", no_argument, 0, 'd'},
        {"columns", required_argument, 0, OPT_COLUMNS},
        {"head", required_argument, 0, OPT_HEAD},
        {"schema", no_argument, 0, OPT_SCHEMA},     /* FILE when encoding */
        {"meta", no_argument, 0, OPT_META},
        {"count", no_argument, 0, OPT_COUNT},
        {0, 0, 0, 0}
    };
    int ch;
    long long n;
    opterr = 0;
    if (!o->decode && !wants_decode(argc, argv))
        for (struct option *l = longs; l->name; l++)
            if (!strcmp(l->name, "schema"))
                l->has_arg = required_argument;
    while ((ch = getopt_long(argc, argv, ":o:c:m:j:qvfhVd", longs, NULL)) != -1) {
        switch (ch) {
        case 'o': o->output = optarg; break;
        case 'j':
            if (!parse_count(optarg, 1, &n) || n > PQW_MAX_THREADS) {
                msg("--threads takes a number from 1 to %d, not '%s'", PQW_MAX_THREADS, optarg);
                return EXIT_USAGE;
            }
            o->threads = (int)n;
            break;
        case 'c':
            if (!strcmp(optarg, "zstd")) o->codec = CODEC_ZSTD;
            else if (!strcmp(optarg, "snappy")) o->codec = CODEC_SNAPPY;
            else if (!strcmp(optarg, "gzip")) o->codec = CODEC_GZIP;
            else if (!strcmp(optarg, "none") || !strcmp(optarg, "uncompressed")) o->codec = CODEC_UNCOMPRESSED;
            else {
                msg("unknown compression '%s' (zstd, snappy, gzip or none)", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_LEVEL:
            if (!parse_count(optarg, 1, &n) || n > 22) {
                msg("--level takes a number from 1 to 22 (gzip: 1 to 9), not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->level = (int)n;
            break;
        case OPT_RG:
            if (!parse_count(optarg, 1, &n)) {
                msg("--row-group-size takes a positive number of rows, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->rg_rows = (size_t)n;
            break;
        case 'm':
            if (!parse_size(optarg, &o->memory) || o->memory < ((size_t)4 << 20)) {
                msg("--memory takes a size of at least 4M (K, M, G suffixes), not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_DELIM:
            if (!parse_char(optarg, &o->delimiter)) {
                msg("--delimiter takes one character (or \\t), not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_QUOTE:
            if (!parse_char(optarg, &o->quote)) {
                msg("--quote takes one character, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_NOHEADER: o->header = 0; break;
        case OPT_HEADER: o->header = 1; break;
        case OPT_COMMENT:
            if (!parse_char(optarg, &o->comment)) {
                msg("--comment takes one character, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_SKIP:
            if (!parse_count(optarg, 0, &n)) {
                msg("--skip takes a number of lines, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->skip = n;
            break;
        case OPT_ON_ERROR:
            if (!strcmp(optarg, "fail")) o->on_error = ON_FAIL;
            else if (!strcmp(optarg, "skip")) o->on_error = ON_SKIP;
            else if (!strcmp(optarg, "null")) o->on_error = ON_NULL;
            else {
                msg("--on-error takes fail, skip or null, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_REJECTS: o->rejects = optarg; break;
        case OPT_MAX_ERRORS:
            if (!parse_count(optarg, 1, &n)) {
                msg("--max-errors takes a positive number, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->max_errors = n;
            break;
        case OPT_BINARY: o->binary = 1; break;
        case OPT_TYPE:
        case OPT_RENAME: {
            const char **list = ch == OPT_TYPE ? o->types : o->renames;
            size_t *count = ch == OPT_TYPE ? &o->n_types : &o->n_renames;
            const char *eq = strrchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1]) {
                msg("%s takes %s, not '%s'", ch == OPT_TYPE ? "--type" : "--rename",
                    ch == OPT_TYPE ? "COLUMN=TYPE" : "OLD=NEW", optarg);
                return EXIT_USAGE;
            }
            if (*count == MAX_TYPES) {
                msg("at most %d %s options", MAX_TYPES, ch == OPT_TYPE ? "--type" : "--rename");
                return EXIT_USAGE;
            }
            list[(*count)++] = optarg;
            break;
        }
        case OPT_INFER_ROWS:
            if (!parse_count(optarg, 1, &n)) {
                msg("--infer-rows takes a positive number of rows, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->infer_rows = n;
            break;
        case OPT_DATE_FORMAT: o->format.date_format = optarg; break;
        case OPT_TS_FORMAT: o->format.timestamp_format = optarg; break;
        case OPT_DECIMAL_COMMA: o->format.decimal_comma = 1; break;
        case OPT_NULL:
            if (o->n_nulls == MAX_NULLS) {
                msg("at most %d --null markers", MAX_NULLS);
                return EXIT_USAGE;
            }
            o->nulls[o->n_nulls++] = optarg;
            break;
        case OPT_PRINT_SCHEMA: o->print_schema = 1; break;
        case 'q': o->quiet = 1; o->verbose = 0; break;
        case 'v': o->verbose = 1; o->quiet = 0; break;
        case 'f': o->force = 1; break;
        case 'h': usage_short(stdout); exit(EXIT_OK);
        case OPT_HELP: usage_full(); exit(EXIT_OK);
        case 'V': printf("csv2pq %s\n", CSV2PQ_VERSION); exit(EXIT_OK);
        case 'd': o->decode = 1; break;
        case OPT_COLUMNS: o->columns = optarg; break;
        case OPT_HEAD:
            if (!parse_count(optarg, 0, &n)) {
                msg("--head takes a number of rows, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->head = n;
            break;
        case OPT_SCHEMA:
            if (optarg)
                o->schema_file = optarg;
            else
                o->mode = PQR_SCHEMA;
            break;
        case OPT_META: o->mode = PQR_META; break;
        case OPT_COUNT: o->mode = PQR_COUNT; break;
        case ':':
            msg("option '%s' needs a value", argv[optind - 1]);
            usage_short(stderr);
            return EXIT_USAGE;
        default:
            msg("unknown option '%s'", argv[optind - 1]);
            usage_short(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        o->input = argv[optind++];
    if (optind < argc) {
        msg("one input at most ('%s' is extra)", argv[optind]);
        return EXIT_USAGE;
    }
    if (o->input && !strcmp(o->input, "-"))
        o->input = NULL;
    if (o->output && !strcmp(o->output, "-"))
        o->output = NULL;
    if (!o->decode && (o->head >= 0 || o->mode != PQR_CSV)) {
        msg("--head, --meta and --count go with -d");
        return EXIT_USAGE;
    }
    if (o->decode && (o->comment || o->skip || o->on_error || o->rejects || o->max_errors ||
                      o->binary || o->n_types || o->infer_rows || o->n_renames ||
                      o->format.date_format || o->format.timestamp_format ||
                      o->format.decimal_comma || o->header == 1 || o->quote)) {
        msg("--header, --quote, --comment, --skip, --on-error, --rejects, --max-errors, "
            "--binary, --type, --infer-rows, --rename and the format options do not go with -d");
        return EXIT_USAGE;
    }
    if (o->format.decimal_comma && o->delimiter == ',') {
        msg("--decimal-comma needs a delimiter other than ','");
        return EXIT_USAGE;
    }
    if (o->codec == CODEC_GZIP && o->level > 9) {
        msg("--level for gzip takes a number from 1 to 9, not %d", o->level);
        return EXIT_USAGE;
    }
    if (o->decode && (o->print_schema || o->rg_rows || o->codec >= 0 || o->level)) {
        msg("--print-schema, --row-group-size, -c and --level do not go with -d");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* Open the output: stdout, or a temporary file beside FILE.  Returns the
   fd, or -1 after a message. */
static int open_output(const struct options *o, int binary) {
    if (!o->output) {
        if (binary && !o->force && isatty(STDOUT_FILENO)) {
            msg("refusing to write Parquet to a terminal (use -o FILE, a redirection, or -f)");
            return -1;
        }
        return STDOUT_FILENO;
    }
    char dirbuf[4096], basebuf[4096];
    if (strlen(o->output) >= sizeof dirbuf) {
        msg("%s: file name too long", o->output);
        return -1;
    }
    strcpy(dirbuf, o->output);
    strcpy(basebuf, o->output);
    int n = snprintf(tmp_path, sizeof tmp_path, "%s/.%s.csv2pq-XXXXXX",
                     dirname(dirbuf), basename(basebuf));
    if (n < 0 || (size_t)n >= sizeof tmp_path) {
        msg("%s: file name too long", o->output);
        return -1;
    }
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    int fd = mkstemp(tmp_path);
    if (fd >= 0)
        tmp_live = 1;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        msg("%s: cannot create: %s", o->output, strerror(errno));
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    return fd;
}

/* Finish the output: close and rename into place.  Returns an exit status. */
static int close_output(const struct options *o, int fd, int ok) {
    if (!o->output)
        return ok ? EXIT_OK : EXIT_FAIL;
    if (close(fd) != 0 && ok) {
        msg("%s: %s", o->output, strerror(errno));
        ok = 0;
    }
    if (ok && rename(tmp_path, o->output) != 0) {
        msg("%s: cannot rename into place: %s", o->output, strerror(errno));
        ok = 0;
    }
    if (ok)
        tmp_live = 0;
    else
        remove_tmp();
    return ok ? EXIT_OK : EXIT_FAIL;
}

static int open_input(const struct options *o) {
    if (!o->input)
        return STDIN_FILENO;
    int fd = open(o->input, O_RDONLY);
    if (fd < 0)
        msg("%s: %s", o->input, strerror(errno));
    return fd;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Infer each column's type from the first batch. */
static void infer_types(const struct csv_batch *b, size_t ncols, int *types) {
    for (size_t c = 0; c < ncols; c++) {
        unsigned mask = TY_ALL;
        size_t seen = 0;
        for (size_t r = 0; b && r < b->nrows && mask != TY_BIT(TY_STRING); r++) {
            const char *s;
            size_t n;
            if (csv_field(b, r * ncols + c, &s, &n))
                continue;
            mask &= ty_mask(s, n);
            seen++;
        }
        types[c] = seen ? ty_from_mask(mask) : TY_STRING;
    }
}

static int encode(const struct options *o, pool_t *pool) {
    const char *name = o->input ? o->input : "<stdin>";
    double t0 = now();
    int in = open_input(o);
    if (in < 0)
        return EXIT_FAIL;
    struct csv_options co = {
        .delimiter = o->delimiter, .quote = o->quote, .header = o->header,
        .nulls = o->nulls, .n_nulls = o->n_nulls, .comment = o->comment, .skip = o->skip,
        .format = &o->format
    };
    struct csv_reader *r = NULL;
    struct pqw_writer *w = NULL;
    int *types = NULL;
    struct pqw_column *cols = NULL;
    int out = -1, status = EXIT_FAIL, e = ERR_OK;
    struct csv_batch *b = NULL;
    /* The row buffers get a third of what one thread's compressor and page
       buffers leave (zstd at high levels takes tens of MiB). */
    size_t budget = pool_budget(pool);
    size_t page_size = budget / 32 < ((size_t)1 << 20) ? budget / 32 : (size_t)1 << 20;
    size_t fixed = codec_workspace(o->codec, o->level, page_size) + 3 * page_size + OUT_RESERVE;
    size_t rg_bytes = fixed < budget ? (budget - fixed) / 3 : 0;
    size_t rg_rows = o->rg_rows ? o->rg_rows : DEFAULT_RG_ROWS;

    if ((e = csv_open(pool, in, &co, rg_bytes, &r)) != ERR_OK)
        goto csv_error;
    size_t ncols = csv_ncols(r);
    if (ncols == 0) {
        msg("%s: no header and no rows: the input is empty", name);
        goto done;
    }
    if (!o->print_schema && (out = open_output(o, 1)) < 0)
        goto done;
    if ((e = csv_next_batch(r, rg_rows, &b)) != ERR_OK)
        goto csv_error;
    types = pool_calloc(pool, ncols, sizeof *types);
    cols = pool_calloc(pool, ncols, sizeof *cols);
    if (!types || !cols) {
        e = ERR_NOMEM;
        msg("%s: %zu columns do not fit the memory budget", name, ncols);
        goto done;
    }
    infer_types(b, ncols, types);
    if (o->print_schema) {
        for (size_t c = 0; c < ncols; c++)
            printf("%s %s\n", csv_name(r, c), ty_name(types[c]));
        status = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
        goto done;
    }
    for (size_t c = 0; c < ncols; c++) {
        cols[c].name = csv_name(r, c);
        cols[c].spec = ty_spec_of(types[c]);
        cols[c].source = c;
    }
    struct pqw_options wo = {
        .codec = o->codec, .level = o->level,
        .page_size = page_size,
        .dict_limit = budget / 16 < ((size_t)1 << 20) ? budget / 16 : (size_t)1 << 20,
        .dict_entries = budget / 2048,
        .threads = o->threads,
        .created_by = "csv2pq version " CSV2PQ_VERSION
    };
    struct pqw_where where = {0};
    if ((e = pqw_create(pool, out, cols, ncols, &wo, &w, &where)) != ERR_OK)
        goto write_error;
    int progress = !o->quiet && isatty(STDERR_FILENO), shown_any = 0;
    double shown = now();
    while (b) {
        if ((e = pqw_write_row_group(w, b, &where)) != ERR_OK)
            goto write_error;
        if (progress && now() - shown >= 0.25) {
            shown = now();
            shown_any = 1;
            fprintf(stderr, "\r%s: %lld rows, %.1f MB read, %.1f MB written ",
                    prog, (long long)pqw_rows(w), csv_bytes_in(r) / 1e6, pqw_bytes_out(w) / 1e6);
        }
        if ((e = csv_next_batch(r, rg_rows, &b)) != ERR_OK)
            goto csv_error;
    }
    if (shown_any)
        fprintf(stderr, "\r\033[K");
    if ((e = pqw_finish(w, &where)) != ERR_OK)
        goto write_error;
    status = EXIT_OK;
    if (o->verbose) {
        double dt = now() - t0;
        uint64_t bin = csv_bytes_in(r), bout = pqw_bytes_out(w);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        fprintf(stderr, "%s: %s: %lld rows, %u row groups, %zu columns; "
                "%llu bytes in, %llu bytes out (%.1fx); %.3f s, %d threads; "
                "pool peak %.1f MiB of %.0f MiB, peak RSS %.1f MiB\n",
                prog, name, (long long)pqw_rows(w), pqw_row_groups(w), ncols,
                (unsigned long long)bin, (unsigned long long)bout,
                bout ? (double)bin / (double)bout : 0.0, dt, pqw_threads(w),
                pool_peak(pool) / 1048576.0, pool_budget(pool) / 1048576.0,
                ru.ru_maxrss / 1024.0);
        for (size_t c = 0; c < ncols; c++)
            fprintf(stderr, "  %s %s\n", csv_name(r, c), ty_name(types[c]));
    }
    goto done;

csv_error: {
        const struct csv_where *cw = csv_where(r);
        if (!r)
            msg("%s: %s", name, err_str(e));
        else if (cw->column)
            msg("%s:%lld:%lld: %s", name, (long long)cw->line, (long long)cw->column, cw->detail);
        else
            msg("%s:%lld: %s", name, (long long)cw->line, cw->detail);
        goto done;
    }
write_error:
    if (where.line && where.column)
        msg("%s:%lld:%lld: %s", name, (long long)where.line, (long long)where.column, where.detail);
    else if (e == ERR_IO)
        msg("%s: %s", o->output ? o->output : "<stdout>", where.detail);
    else
        msg("%s: %s: %s", name, where.detail, err_str(e));
done:
    if (status != EXIT_OK && e != ERR_OK)
        status = exit_for(e);
    pqw_free(w);
    if (out >= 0 && close_output(o, out, status == EXIT_OK) != EXIT_OK && status == EXIT_OK)
        status = EXIT_FAIL;
    pool_free(pool, types);
    pool_free(pool, cols);
    csv_close(r);
    if (in > STDIN_FILENO)
        close(in);
    return status;
}

static int decode(const struct options *o, pool_t *pool) {
    int out = open_output(o, 0);
    if (out < 0)
        return EXIT_FAIL;
    struct pqr_options ro = {
        .mode = o->mode, .delimiter = o->delimiter ? (char)o->delimiter : ',',
        .null_str = o->n_nulls ? o->nulls[0] : "", .no_header = o->header == 0,
        .columns = o->columns, .head = o->head
    };
    struct pqr_where where;
    memset(&where, 0, sizeof where);
    int e = pqr_run(pool, o->input, out, &ro, &where);
    if (e != ERR_OK) {
        char place[512];
        pqr_where_format(&where, o->input ? o->input : "<stdin>", place, sizeof place);
        msg("%s: %s", place, where.detail[0] ? where.detail : err_str(e));
    }
    int status = close_output(o, out, e == ERR_OK);
    return e == ERR_OK ? status : exit_for(e);
}

int main(int argc, char **argv) {
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    struct options o = {
        .codec = -1, .header = -1,
        .mode = PQR_CSV, .head = -1
    };
    if (!strcmp(base, "pq2csv")) {
        prog = "pq2csv";
        o.decode = 1;
    }
    int status = parse_args(argc, argv, &o);
    if (status != EXIT_OK)
        return status;
    if (o.memory == 0)
        o.memory = o.decode ? DEFAULT_MEMORY_D : DEFAULT_MEMORY;
    if (o.codec < 0 && !o.decode)
        o.codec = CODEC_ZSTD;
    if (o.threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        o.threads = cpus < 1 ? 1 : cpus > PQW_MAX_THREADS ? PQW_MAX_THREADS : (int)cpus;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    pool_t *pool = pool_create(o.memory);
    if (!pool) {
        msg("cannot reserve %zu bytes of memory (-m)", o.memory);
        return EXIT_MEMORY;
    }
    status = o.decode ? decode(&o, pool) : encode(&o, pool);
    size_t leaked = pool_destroy(pool);
    if (leaked) {
        msg("internal error: %zu buffers not returned to the pool", leaked);
        return EXIT_FAIL;
    }
    return status;
}
