/* csv2pq -- convert CSV to Parquet, and Parquet back to CSV.

   Details of the conversion pipeline

   The input is read once, front to back.  A regular file (stdin redirected
   from a file included) is mmap'ed; a pipe is read in 64 KiB chunks.  libcsv
   tokenizes the bytes; csv.c appends each field to a row buffer as text,
   with its end offset and a NULL bit, and the line each row starts on.
   When the buffer holds --row-group-size rows, or its bytes reach the row
   group's share of the memory budget, those rows are handed out as one
   batch, and the batch becomes one row group.

   The schema (schema.c) maps CSV fields to Parquet columns: --columns,
   --rename, --type and --schema FILE.  Columns without a given type take
   theirs from the first batch (types.c): every value's set of possible
   types is intersected per column, so a column is int64 only when every
   value of the first row group is an integer (with -j2 or more and a large
   batch, two threads take the columns in turn).  Later batches are
   converted with those types.  A value that does not fit an inferred type
   is type drift: when input and output are regular files, the reader goes
   on to the end narrowing every inferred column by the rest of the values,
   the output is truncated, and the conversion runs again from the start
   with the types the whole file needs (again if a row read before the
   drift needs more; each round narrows a column, so it ends).  A pipe
   cannot be read twice, so there the value is a bad value.

   Bad values and rules: with --on-error skip or null, or a schema with
   rules, each batch is checked before it is written (check_batch): a bad
   value's NULL bit is set in place, or its row dropped from the batch
   (csv_batch_drop), and the row goes to the rejects file.  A row with the
   wrong number of fields is handed to on_bad_row by the reader as it is
   parsed.  With --on-error fail (the default) the writer finds bad values
   itself as it converts, so the common path reads each value once.

   A row group is written column chunk by column chunk (pqwrite.c).  A chunk
   is a pure function of the batch and the column: convert the text to typed
   values and definition levels, try a dictionary, cut pages of about 1 MiB,
   encode levels (RLE/bit-packed hybrid) and values, and compress each page.
   Each thread (-j) owns an encoder: its scratch buffers, dictionary and
   compressor.  With one thread the pages go straight to the output.  With
   several, the threads take the columns of the row group in turn (the
   column that took the most CPU time in the last row group first, so that
   it does not run alone at the end while the other threads wait, then the
   others in order) and each encodes its chunk into a buffer; whichever
   thread finishes the next chunk in column order writes it (adding its
   file offset to the chunk's page offsets) and any finished chunks after
   it, so chunks are written in column order.  A thread hands its finished
   chunk over and takes the next column, unless the chunks waiting for
   their turn hold more than B/16 (then only the column next in column
   order, which frees them).  Nothing an encoder produces depends on which
   thread ran it or on how much memory is free (a dictionary's limits are
   counts and sizes, checked before each value), so the output is the same
   bytes for every -j.  When a thread runs out of memory, the others
   finish, give back their buffers, the main thread encodes that column
   alone, and the threads go on from the next one.

   Meanwhile the main thread reads ahead (csv_prefetch): it parses the rows
   after the batch into a second block, up to where the next batch will be
   cut, so that parsing and encoding overlap; the next csv_next_batch()
   moves those rows back into the row buffers.  Batches do not depend on
   it.  The block is at most a quarter of the row buffers, sized at the
   first row group so that a quarter of the budget stays free for the
   encoders beyond the pool's use then: with threads it is made before
   they start (so its size depends on the input and the budget, not on
   what the threads hold at that moment), with one thread after the
   encoding.  When that leaves too little, it is made at a later row
   group, keeping B/32 free beyond the pool's highest use, which by then
   holds a row group's encoding; it is made smaller (never larger) when
   the pool's highest use comes within B/32 of the budget, so that the
   encoders find the memory they needed before (a row group that needs
   more falls back as above).  Memory therefore does not creep up with the
   input: the peak is reached within the first row groups.

   The rest of the next row group is parsed once the threads are done, and
   with -j2 or more from a mapped file, on two threads: the reader picks a
   line end two fifths of the way through what the batch still needs that
   looks like a record boundary (the next line holds an even count of
   quote characters; where none does, the count of the quotes before it is
   even), a second thread parses the rows from there into the idle
   read-ahead block while the main thread parses up to it, and its rows are
   appended to the main thread's when the main thread's parse ends there
   between rows (else they are dropped and the main thread reads on).  The
   second thread takes only whole rows of the header's width that the
   reader's own split handles, so bad rows, bad_row calls and errors stay
   the main thread's, in order; the batches are those of one thread.

   Ownership: the row buffer belongs to the CSV reader and a batch is a view
   into it, valid until the next batch is asked for; the chunk, page and
   compression buffers belong to the writer.  Every one of them comes from
   the pool (pool.c), which is sized once from -m and never falls back to
   malloc.

   Worst-case memory, with B the budget (-m), C one thread's compressor and
   page buffers, and T = 2(B - C)/5 the row buffers:
     row buffers (text, field ends, line numbers)   T, taken once
   and per thread (at most B/3 of compressors and page buffers in all):
     column scratch: values, levels, indices        13 bytes per row (21 for
                                                    decimals above precision 18;
                                                    rows <= T/32: < 0.66 T)
     one page and its compressed copy               2 x min(1 MiB, B/32)
     dictionary: values + hash table + order        min(1 MiB, B/16) + B/16
                                                    + 20 bytes per entry
     compressor (zstd level 3)                      about 2.6 MiB
     the encoded chunk (threads only)               its compressed size
   and, with threads, finished chunks waiting       B/16 and one chunk
   and once more:
     the read-ahead block                           at most T/4, in what the
                                                    pool's peak leaves free
                                                    (also the second parsing
                                                    thread's row buffers)
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
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
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
#include "schema.h"
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
    int byte_stream_split;           /* --byte-stream-split */
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
static int direct_output;            /* -o names a FIFO or a device: no temporary file */

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
"      --delimiter C       field delimiter, one byte or \\t, '' for none (default:\n"
"                          detected among , ; TAB |; with -d: ,)\n"
"      --null STR          treat STR as NULL (repeatable); with -d, print NULL\n"
"                          as STR (default: empty)\n"
"      --no-header         CSV has (with -d: print) no header line\n"
"      --columns A,B       only these columns, in this order (names or, for\n"
"                          CSV, 1-based positions)\n"
"  -f, --force             write Parquet even to a terminal\n"
"  -q, --quiet             no warnings, no progress line\n"
"  -v, --verbose           a summary on stderr at the end\n"
"  -h                      short usage;  --help  this text\n"
"  -V, --version           print the version\n"
"\n"
"CSV to Parquet, reading:\n"
"      --header            the first line is a header (default: detected)\n"
"      --quote C           quote character, '' for none: quotes are text\n"
"                          (default: detected, \" or ')\n"
"      --comment C         skip lines starting with C (default: # when such\n"
"                          lines break the field count; '' for none)\n"
"      --skip N            skip the first N lines (default: a preamble before\n"
"                          a consistent block is detected; 0 for none)\n"
"      --decimal-comma     ',' is the decimal point (with another delimiter)\n"
"      --date-format F     dates like F (%%Y %%m %%d %%b %%e %%y ...)\n"
"      --timestamp-format F  timestamps like F (adds %%H %%M %%S %%I %%p %%f %%z)\n"
"\n"
"CSV to Parquet, types and bad values:\n"
"      --type COL=TYPE     column COL (name or 1-based position) has TYPE:\n"
"                          boolean, int8..int64, uint8..uint64, float, double,\n"
"                          decimal(P,S), date, time[(ms|us|ns)],\n"
"                          timestamp[(ms|us|ns)], timestamp_utc[(...)], string,\n"
"                          binary (repeatable)\n"
"      --schema FILE       types and rules, one 'name type [rules]' per line\n"
"      --rename OLD=NEW    name a column NEW in the Parquet file (repeatable)\n"
"      --infer-rows N      infer types from the first N rows (a regular file\n"
"                          is scanned ahead; default: the first row group, and\n"
"                          a regular file is converted again if a later value\n"
"                          needs a wider type)\n"
"      --binary            write text columns as BYTE_ARRAY without STRING\n"
"      --on-error MODE     fail (default), skip (leave the row out) or null\n"
"                          (the bad value becomes NULL, a short row is padded,\n"
"                          a long one cut)\n"
"      --rejects FILE      write every bad row there as CSV: line, column,\n"
"                          reason, row\n"
"      --max-errors N      give up after N bad rows (default: no limit)\n"
"      --print-schema      print the schema in --schema format, write nothing\n"
"\n"
"CSV to Parquet, writing:\n"
"  -c, --compression CODEC zstd, snappy, gzip or none (default zstd)\n"
"  -j, --threads N         column chunks encoded at once, and from 2 on a file's\n"
"                          CSV parsed on two threads; with -d columns made\n"
"                          CSV at once (default: the online CPUs); the output\n"
"                          is the same for every N\n"
"      --level N           compression level (default: zstd 3, gzip 6)\n"
"      --row-group-size N  rows per row group at most (default %d; a row group\n"
"                          also closes when its rows fill the row buffers)\n"
"      --byte-stream-split doubles that rarely repeat as BYTE_STREAM_SPLIT\n"
"                          (smaller; Spark's vectorized reader before 4.x\n"
"                          cannot read it)\n"
"\n"
"Parquet to CSV (-d, --decode, or the name pq2csv):\n"
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
    OPT_TS_FORMAT, OPT_DECIMAL_COMMA, OPT_RENAME, OPT_BSS
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
        {"byte-stream-split", no_argument, 0, OPT_BSS},
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
            if (!optarg[0])
                o->delimiter = '\n';    /* none: one column */
            else if (!parse_char(optarg, &o->delimiter)) {
                msg("--delimiter takes one character (or \\t, or '' for none), not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_QUOTE:
            if (!optarg[0])
                o->quote = '\n';    /* none: quotes are text */
            else if (!parse_char(optarg, &o->quote)) {
                msg("--quote takes one character (or '' for none), not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_NOHEADER: o->header = 0; break;
        case OPT_HEADER: o->header = 1; break;
        case OPT_COMMENT:
            if (!optarg[0])
                o->comment = '\n';  /* none, and none detected */
            else if (!parse_char(optarg, &o->comment)) {
                msg("--comment takes one character (or '' for none), not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_SKIP:
            if (!parse_count(optarg, 0, &n)) {
                msg("--skip takes a number of lines, not '%s'", optarg);
                return EXIT_USAGE;
            }
            o->skip = n ? n : -1;    /* 0: skip nothing, and detect no preamble */
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
        case OPT_BSS: o->byte_stream_split = 1; break;
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
                      o->format.decimal_comma || o->header == 1 || o->quote ||
                      o->byte_stream_split)) {
        msg("--header, --quote, --comment, --skip, --on-error, --rejects, --max-errors, "
            "--binary, --type, --infer-rows, --rename, --byte-stream-split and the format "
            "options do not go with -d");
        return EXIT_USAGE;
    }
    if (o->decode && o->delimiter == '\n') {
        msg("--delimiter '' (none) is for reading CSV; with -d give one");
        return EXIT_USAGE;
    }
    if (o->format.decimal_comma && o->delimiter == ',') {
        msg("--decimal-comma needs a delimiter other than ','");
        return EXIT_USAGE;
    }
    char why[256];
    if (o->format.date_format && !ty_format_check(o->format.date_format, TY_DATE, why, sizeof why)) {
        msg("--date-format '%s': %s", o->format.date_format, why);
        return EXIT_USAGE;
    }
    if (o->format.timestamp_format &&
        !ty_format_check(o->format.timestamp_format, TY_TIMESTAMP, why, sizeof why)) {
        msg("--timestamp-format '%s': %s", o->format.timestamp_format, why);
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
    /* A FIFO, a device and the like are written in place: only a regular
       file (or a new one) is replaced by a renamed temporary file. */
    struct stat st;
    if (stat(o->output, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            msg("%s: is a directory", o->output);
            return -1;
        }
        int fd = open(o->output, O_WRONLY | O_NOCTTY);
        if (fd < 0)
            msg("%s: %s", o->output, strerror(errno));
        else if (binary && !o->force && isatty(fd)) {
            msg("refusing to write Parquet to a terminal (use -f)");
            close(fd);
            return -1;
        }
        direct_output = 1;
        return fd;
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
    if (direct_output) {
        if (close(fd) != 0 && ok) {
            msg("%s: %s", o->output, strerror(errno));
            ok = 0;
        }
        return ok ? EXIT_OK : EXIT_FAIL;
    }
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

/* ---- bad rows and bad values ---- */

/* What --on-error did, for the rejects file and the closing summary. */
struct report {
    const struct options *o;
    const char *name;                /* input name for messages */
    FILE *rejects;                   /* --rejects, or NULL */
    struct csv_reader **reader;      /* for the dialect of raw rows */
    int64_t bad_rows;                /* rows with a problem, skipped or mended */
    int64_t skipped, nulled, padded;
    int64_t first_line;
    char first[512];                 /* the first problem, for the summary */
    int over;                        /* --max-errors passed */
    int muted;                       /* a scan for types: nothing recorded */
};

static void put_csv_field(FILE *f, const char *s, size_t n, int null, unsigned char delim,
                          unsigned char quote) {
    if (null)
        return;
    int q = n == 0;
    for (size_t i = 0; i < n && !q; i++)
        q = s[i] == (char)delim || s[i] == (char)quote || s[i] == '\n' || s[i] == '\r';
    if (!q) {
        fwrite(s, 1, n, f);
        return;
    }
    fputc(quote, f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == (char)quote)
            fputc(quote, f);
        fputc(s[i], f);
    }
    fputc(quote, f);
}

/* One rejects line: line, column, reason, and the row as CSV text in the
   input's dialect (fields in a batch layout: text, fend, first). */
static void put_reject(struct report *rep, int64_t line, const char *column, const char *reason,
                       const unsigned char *text, const uint32_t *fend, uint32_t first,
                       size_t nfields) {
    FILE *f = rep->rejects;
    if (!f)
        return;
    unsigned char d = ',', q = '"';
    if (rep->reader && *rep->reader) {
        d = csv_delimiter(*rep->reader);
        q = csv_quote(*rep->reader);
        q = q == '\n' ? '"' : q;    /* no quoting in the input */
        d = d == '\n' ? ',' : d;    /* one column */
    }
    FILE *mem = NULL;
    char *buf = NULL;
    size_t len = 0;
    mem = open_memstream(&buf, &len);
    if (!mem)
        return;
    for (size_t i = 0; i < nfields; i++) {
        uint32_t start = i ? fend[i - 1] & ~CSV_NULL_BIT : first, end = fend[i];
        if (i)
            fputc(d, mem);
        put_csv_field(mem, (const char *)text + start, (end & ~CSV_NULL_BIT) - start,
                      (end & CSV_NULL_BIT) != 0, d, q);
    }
    fclose(mem);
    fprintf(f, "%lld,", (long long)line);
    put_csv_field(f, column, strlen(column), 0, ',', '"');
    fputc(',', f);
    put_csv_field(f, reason, strlen(reason), 0, ',', '"');
    fputc(',', f);
    put_csv_field(f, buf, len, 0, ',', '"');
    fputc('\n', f);
    free(buf);
}

/* Count a row with a problem; ERR_CSV once --max-errors is passed. */
static int count_bad(struct report *rep, int64_t line, const char *what) {
    if (rep->bad_rows++ == 0) {
        rep->first_line = line;
        snprintf(rep->first, sizeof rep->first, "%s", what);
    }
    if (rep->o->max_errors && rep->bad_rows > rep->o->max_errors) {
        rep->over = 1;
        return ERR_CSV;
    }
    return ERR_OK;
}

/* The reader's callback for a row with the wrong number of fields. */
static int on_bad_row(void *ctx, const struct csv_bad_row *row) {
    struct report *rep = ctx;
    if (rep->muted)
        return rep->o->on_error == ON_NULL ? CSV_KEEP : CSV_DROP;
    char reason[96];
    snprintf(reason, sizeof reason, "expected %zu fields, found %zu", row->expected, row->found);
    int keep = rep->o->on_error == ON_NULL;   /* padded, or cut to the header's width */
    put_reject(rep, row->line, "", reason, row->text, row->fend, row->first, row->found);
    char what[160];
    snprintf(what, sizeof what, "%s (row %s)", reason,
             !keep ? "skipped" : row->found < row->expected ? "padded with NULLs" : "cut short");
    FORWARD_IF_ERROR(count_bad(rep, row->line, what));
    if (keep) {
        rep->padded++;
        return CSV_KEEP;
    }
    rep->skipped++;
    return CSV_DROP;
}

/* ---- schema inference ---- */

#define INFER_SPLIT 65536              /* values from which two threads infer */
#define INFER_STACK ((size_t)64 << 10)   /* the second one's stack */

struct infer {
    struct sc_schema *s;
    const struct csv_batch *b;
    size_t nrows;
    const struct ty_format *f;
    atomic_size_t next;              /* the next column to take */
};

/* Narrow the masks of the columns taken from in->next, one at a time. */
static void *infer_columns(void *arg) {
    struct infer *in = arg;
    const struct csv_batch *b = in->b;
    size_t c;
    while ((c = atomic_fetch_add_explicit(&in->next, 1, memory_order_relaxed)) < in->s->ncols) {
        struct sc_column *col = &in->s->cols[c];
        if (col->given)
            continue;
        unsigned mask = col->mask;
        for (size_t r = 0; r < in->nrows && mask != TY_BIT(TY_STRING); r++) {
            const char *v;
            size_t n;
            if (!csv_field(b, r * b->ncols + col->source, &v, &n))
                mask &= ty_mask_fmt(in->f, v, n);
        }
        col->mask = mask;
    }
    return NULL;
}

/* Narrow the inferred columns' masks by the values of rows [0, nrows):
   with threads > 1 and enough values, on two threads taking the columns
   in turn (the first row group's inference otherwise keeps one core
   idle). */
static void infer_batch(struct sc_schema *s, const struct csv_batch *b, size_t nrows,
                        const struct ty_format *f, int threads) {
    struct infer in = {.s = s, .b = b, .nrows = nrows, .f = f};
    atomic_init(&in.next, 0);
    pthread_t t;
    pthread_attr_t attr;
    int two = 0;
    if (threads > 1 && s->ncols > 1 && nrows * s->ncols >= INFER_SPLIT &&
        pthread_attr_init(&attr) == 0) {
        two = pthread_attr_setstacksize(&attr, INFER_STACK) == 0 &&
              pthread_create(&t, &attr, infer_columns, &in) == 0;
        pthread_attr_destroy(&attr);
    }
    infer_columns(&in);
    if (two)
        pthread_join(t, NULL);
}

/* The inferred columns' types from their masks (string when no value was
   seen; binary for strings with --binary). */
static void settle_types(struct sc_schema *s, int binary) {
    for (size_t c = 0; c < s->ncols; c++) {
        struct sc_column *col = &s->cols[c];
        if (col->given)
            continue;
        int t = col->mask == TY_ALL ? TY_STRING : ty_from_mask(col->mask);
        if (t == TY_STRING && binary)
            t = TY_BINARY;
        col->spec = ty_spec_of(t);
    }
}

/* ---- one conversion ---- */

struct job {
    const struct options *o;
    pool_t *pool;
    const char *name;                /* input, for messages */
    int in, out;
    int in_regular, out_regular;     /* a drift can be mended by converting again */
    off_t in_start, out_start;
    struct csv_options co;
    struct csv_reader *r;
    struct pqw_writer *w;
    struct sc_schema *s;
    struct pqw_column *cols;
    struct report rep;
    size_t rg_bytes, page_size, rg_rows, budget;
    int64_t inferred_rows;           /* rows the types came from (pipes) */
    struct csv_batch *first;         /* read for inference, not yet written */
    uint8_t *keep;                   /* per row of a batch (pool) */
    size_t keep_cap;
};

static void say_csv_error(const struct job *j, int e) {
    const struct csv_where *cw = j->r ? csv_where(j->r) : NULL;
    if (j->rep.over) {
        msg("%s: more than %lld bad rows (--max-errors); the first, at line %lld: %s",
            j->name, (long long)j->o->max_errors, (long long)j->rep.first_line, j->rep.first);
        return;
    }
    if (!cw) {
        msg("%s: %s", j->name, err_str(e));
        return;
    }
    const char *hint = "";
    if (!strncmp(cw->detail, "expected 1 fields,", 18))
        hint = "; --delimiter '' reads every line as one value, --on-error skip leaves such "
               "rows out, --on-error null pads or cuts them";
    else if (!strncmp(cw->detail, "expected ", 9))
        hint = "; --on-error skip leaves such rows out, --on-error null pads or cuts them";
    if (cw->column)
        msg("%s:%lld:%lld: %s%s", j->name, (long long)cw->line, (long long)cw->column,
            cw->detail, hint);
    else
        msg("%s:%lld: %s%s", j->name, (long long)cw->line, cw->detail, hint);
}

/* A value for a message: at most 40 bytes (cut at a character boundary,
   "..." added), control bytes, quotes and backslashes escaped C-style. */
static const char *shown_value(const char *v, size_t n, char *buf, size_t cap) {
    size_t k = 0, i = 0, lim = n > 40 ? 40 : n;
    while (lim < n && lim > 0 && ((unsigned char)v[lim] & 0xc0) == 0x80)
        lim--;
    for (; i < lim && k + 8 < cap; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '\n') { buf[k++] = '\\'; buf[k++] = 'n'; }
        else if (c == '\r') { buf[k++] = '\\'; buf[k++] = 'r'; }
        else if (c == '\t') { buf[k++] = '\\'; buf[k++] = 't'; }
        else if (c == '"' || c == '\\') { buf[k++] = '\\'; buf[k++] = (char)c; }
        else if (c < 0x20 || c == 0x7f) k += (size_t)snprintf(buf + k, cap - k, "\\x%02x", c);
        else buf[k++] = (char)c;
    }
    if (i < n && k + 4 < cap) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k] = 0;
    return buf;
}

/* The field a writer error points at: column c (0-based) on the line. */
static int field_at(const struct csv_batch *b, int64_t line, size_t source,
                    const char **v, size_t *n) {
    for (size_t r = 0; b && r < b->nrows; r++)
        if (b->line[r] == line)
            return !csv_field(b, r * b->ncols + source, v, n);
    return 0;
}

/* A value that does not fit its column, in full: where, which column, the
   type, the value, and how to get past it. */
static void say_type_error(const struct job *j, const struct csv_batch *b, int64_t line,
                           const struct sc_column *col) {
    const char *v = "";
    size_t n = 0;
    field_at(b, line, col->source, &v, &n);
    char tn[64];
    ty_spec_format(&col->spec, tn, sizeof tn);
    char place[512];
    snprintf(place, sizeof place, "%s:%lld:%zu", j->name, (long long)line, col->source + 1);
    if (col->spec.type == TY_STRING) {
        msg("%s: column \"%s\" holds invalid UTF-8; --binary keeps the bytes as they are, "
            "--on-error null|skip drops them", place, col->name);
        return;
    }
    char inferred[192] = "";
    if (!col->given)
        snprintf(inferred, sizeof inferred, " (types were inferred from the first %lld rows; "
                 "--infer-rows N with a regular input file, or a larger -m, lets inference "
                 "see more)", (long long)j->inferred_rows);
    /* the type both the column's values and this one fit */
    char wider[64];
    struct ty_spec ws = ty_spec_of(ty_from_mask(col->mask & ty_mask_fmt(&j->o->format, v, n)));
    ty_spec_format(&ws, wider, sizeof wider);
    char shown[200], null_hint[224] = "";
    shown_value(v, n, shown, sizeof shown);
    if (ws.type == TY_STRING && n <= 40 && !strpbrk(shown, "\\'"))
        snprintf(null_hint, sizeof null_hint, ", --null '%s'", shown);
    msg("%s: column \"%s\" is %s, but this value is \"%s\"; use --type %s=%s%s, "
        "or --on-error null|skip%s", place, col->name, tn, shown, col->name, wider, null_hint,
        inferred);
}

/* Apply --on-error and the schema's rules to a batch: NULL bits set, rows
   left out.  ERR_TYPE (fail mode) or ERR_CSV (--max-errors) after a
   message. */
static int check_batch(struct job *j, struct csv_batch *b) {
    const struct options *o = j->o;
    struct sc_schema *s = j->s;
    if (b->nrows > j->keep_cap) {
        pool_free(j->pool, j->keep);
        j->keep_cap = 0;
        if (!(j->keep = pool_alloc(j->pool, b->nrows)))
            return ERR_NOMEM;
        j->keep_cap = b->nrows;
    }
    size_t dropped = 0;
    char reason[256];
    for (size_t r = 0; r < b->nrows; r++) {
        int keep = 1, bad = 0;
        for (size_t c = 0; c < s->ncols && keep; c++) {
            const struct sc_column *col = &s->cols[c];
            /* inferred columns of files that can be converted again widen
               instead (the writer reports them) */
            int check_type = o->on_error != ON_FAIL &&
                             (col->given || col->spec.type == TY_STRING ||
                              !(j->in_regular && j->out_regular));
            if (!check_type && !col->has_rules)
                continue;
            size_t i = r * b->ncols + col->source;
            const char *v;
            size_t n;
            int null = csv_field(b, i, &v, &n);
            if (!sc_check(col, &o->format, check_type, null, v, n, reason, sizeof reason))
                continue;
            if (o->on_error == ON_FAIL) {
                char vv[200];
                shown_value(v, n, vv, sizeof vv);
                msg("%s:%lld:%zu: column \"%s\": %s%s%s breaks the rule %s; --on-error skip "
                    "leaves such rows out (and --rejects FILE lists them)", j->name,
                    (long long)b->line[r], col->source + 1, col->name,
                    null ? "NULL" : "\"", null ? "" : vv, null ? "" : "\"", reason);
                return ERR_TYPE;
            }
            put_reject(&j->rep, b->line[r], col->name, reason, b->text,
                       b->fend + r * b->ncols, r ? b->fend[r * b->ncols - 1] & ~CSV_NULL_BIT : b->first,
                       b->ncols);
            if (!bad) {
                char what[400];
                snprintf(what, sizeof what, "column \"%s\": %s", col->name, reason);
                if (count_bad(&j->rep, b->line[r], what) != ERR_OK) {
                    say_csv_error(j, ERR_CSV);
                    return ERR_CSV;
                }
                bad = 1;
            }
            if (o->on_error == ON_NULL && !null)
                b->fend[i] |= CSV_NULL_BIT;
            else
                keep = 0;            /* skip, or a NULL that breaks not null */
        }
        if (bad && keep)
            j->rep.nulled++;
        j->keep[r] = (uint8_t)keep;
        dropped += !keep;
    }
    if (dropped) {
        j->rep.skipped += (int64_t)dropped;
        csv_batch_drop(b, j->keep);
    }
    return ERR_OK;
}

static void end_pass(struct job *j) {
    pqw_free(j->w);
    j->w = NULL;
    csv_close(j->r);
    j->r = NULL;
}

/* Start reading the input from its beginning. */
static int open_reader(struct job *j) {
    if (j->in_regular && lseek(j->in, j->in_start, SEEK_SET) < 0) {
        msg("%s: cannot read it again: %s", j->name, strerror(errno));
        return ERR_IO;
    }
    int e = csv_open(j->pool, j->in, &j->co, j->rg_bytes, &j->r);
    if (e != ERR_OK)
        say_csv_error(j, e);
    return e;
}

/* Read rows for inference alone: up to limit rows (0: all), then back to
   the start. */
static int scan_types(struct job *j, int64_t limit) {
    FORWARD_IF_ERROR(open_reader(j));
    j->rep.muted = 1;
    int64_t seen = 0;
    struct csv_batch *b;
    int e;
    while ((e = csv_next_batch(j->r, j->rg_rows, &b)) == ERR_OK && b) {
        size_t n = b->nrows;
        if (limit && (int64_t)n > limit - seen)
            n = (size_t)(limit - seen);
        infer_batch(j->s, b, n, &j->o->format, j->o->threads);
        seen += (int64_t)n;
        if (limit && seen >= limit)
            break;
    }
    if (e != ERR_OK)
        say_csv_error(j, e);
    j->inferred_rows = seen;
    j->rep.muted = 0;
    end_pass(j);
    return e;
}

/* After a value that does not fit an inferred column: narrow every inferred
   column by the rest of the input (this batch included), so the next pass
   has the types the whole file needs. */
static int widen(struct job *j, struct csv_batch *b) {
    int e = ERR_OK;
    while (b) {
        infer_batch(j->s, b, b->nrows, &j->o->format, j->o->threads);
        if ((e = csv_next_batch(j->r, j->rg_rows, &b)) != ERR_OK) {
            say_csv_error(j, e);
            return e;
        }
    }
    return e;
}

static int write_pass(struct job *j, int *again) {
    const struct options *o = j->o;
    struct sc_schema *s = j->s;
    *again = 0;
    for (size_t c = 0; c < s->ncols; c++) {
        j->cols[c].name = s->cols[c].name;
        j->cols[c].spec = s->cols[c].spec;
        j->cols[c].source = s->cols[c].source;
    }
    struct pqw_options wo = {
        .codec = o->codec, .level = o->level,
        .page_size = j->page_size,
        .dict_limit = j->budget / 16 < ((size_t)1 << 20) ? j->budget / 16 : (size_t)1 << 20,
        .dict_entries = j->budget / 2048,
        .threads = o->threads,
        .created_by = "csv2pq version " CSV2PQ_VERSION,
        .byte_stream_split = o->byte_stream_split,
        .format = o->format
    };
    struct pqw_where where = {0};
    int e;
    struct csv_batch *b = j->first;
    j->first = NULL;
    if (!b && (e = csv_next_batch(j->r, j->rg_rows, &b)) != ERR_OK) {
        say_csv_error(j, e);
        return e;
    }
    if ((e = pqw_create(j->pool, j->out, j->cols, s->ncols, &wo, &j->w, &where)) != ERR_OK)
        goto write_error;
    int validate = o->on_error != ON_FAIL || s->any_rules;
    int progress = !o->quiet && isatty(STDERR_FILENO), shown_any = 0;
    double shown = now();
    while (b) {
        if (validate && (e = check_batch(j, b)) != ERR_OK)
            return e;
        /* The threads encode and write the row group while the reader
           parses the rows after it, in memory the writer has not needed:
           before the first row group shows what it needs, a quarter of
           the budget is left to it. */
        size_t keep = pqw_row_groups(j->w) ? j->budget / 32 : j->budget / 4;
        if (o->threads > 1)
            csv_reserve_ahead(j->r, keep);   /* before the threads take memory */
        if ((e = pqw_begin_row_group(j->w, b, &where)) == ERR_OK) {
            csv_prefetch(j->r, j->rg_rows, keep);
            e = pqw_end_row_group(j->w, &where);
        }
        if (e != ERR_OK) {
            if (e == ERR_TYPE && where.column > 0 && where.line) {
                struct sc_column *col = &s->cols[where.column - 1];
                if (!col->given && col->spec.type != TY_STRING && j->in_regular && j->out_regular) {
                    char from[64];
                    ty_spec_format(&col->spec, from, sizeof from);
                    int64_t line = where.line;
                    if ((e = widen(j, b)) != ERR_OK)
                        return e;
                    settle_types(s, o->binary);
                    if (o->verbose) {
                        char to[64];
                        ty_spec_format(&col->spec, to, sizeof to);
                        msg("%s:%lld: column \"%s\" widened from %s to %s; converting again "
                            "from the start", j->name, (long long)line, col->name, from, to);
                    }
                    *again = 1;
                    return ERR_OK;
                }
                say_type_error(j, b, where.line, col);
                return e;
            }
            goto write_error;
        }
        if (progress && now() - shown >= 0.25) {
            shown = now();
            shown_any = 1;
            fprintf(stderr, "\r%s: %lld rows, %.1f MB read, %.1f MB written ", prog,
                    (long long)pqw_rows(j->w), csv_bytes_in(j->r) / 1e6, pqw_bytes_out(j->w) / 1e6);
        }
        if ((e = csv_next_batch(j->r, j->rg_rows, &b)) != ERR_OK) {
            say_csv_error(j, e);
            return e;
        }
    }
    if (shown_any)
        fprintf(stderr, "\r\033[K");
    if ((e = pqw_finish(j->w, &where)) != ERR_OK)
        goto write_error;
    return ERR_OK;
write_error:
    if (where.line && where.column)
        msg("%s:%lld:%lld: %s", j->name, (long long)where.line, (long long)where.column, where.detail);
    else if (e == ERR_IO)
        msg("%s: %s", o->output ? o->output : "<stdout>", where.detail);
    else
        msg("%s: %s: %s", j->name, where.detail, err_str(e));
    return e;
}

/* Back to an empty output and rejects file for another pass. */
static int rewind_output(struct job *j) {
    if (ftruncate(j->out, j->out_start) != 0 || lseek(j->out, j->out_start, SEEK_SET) < 0) {
        msg("%s: cannot truncate for another pass: %s", j->o->output ? j->o->output : "<stdout>",
            strerror(errno));
        return ERR_IO;
    }
    if (j->rep.rejects) {
        fflush(j->rep.rejects);
        if (ftruncate(fileno(j->rep.rejects), 0) != 0)
            return ERR_IO;
        rewind(j->rep.rejects);
        fputs("line,column,reason,row\n", j->rep.rejects);
    }
    j->rep.bad_rows = j->rep.skipped = j->rep.nulled = j->rep.padded = 0;
    return ERR_OK;
}

static int is_regular(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

static int encode(const struct options *o, pool_t *pool) {
    double t0 = now();
    struct job j = { .o = o, .pool = pool, .out = -1 };
    j.name = o->input ? o->input : "<stdin>";
    j.rep.o = o;
    j.rep.name = j.name;
    j.rep.reader = &j.r;
    int status = EXIT_FAIL, e = ERR_OK;
    if ((j.in = open_input(o)) < 0)
        return EXIT_FAIL;
    j.in_regular = is_regular(j.in);
    j.in_start = j.in_regular ? lseek(j.in, 0, SEEK_CUR) : 0;
    if (j.in_start < 0)
        j.in_start = 0;
    j.co = (struct csv_options){
        .delimiter = o->delimiter, .quote = o->quote, .header = o->header,
        .nulls = o->nulls, .n_nulls = o->n_nulls, .comment = o->comment, .skip = o->skip,
        .format = &o->format, .threads = o->threads
    };
    if (o->on_error != ON_FAIL) {
        j.co.bad_row = on_bad_row;
        j.co.bad_row_ctx = &j.rep;
    }
    /* The row buffers get two fifths of what one thread's compressor and
       page buffers leave (zstd at high levels takes tens of MiB). */
    j.budget = pool_budget(pool);
    j.page_size = j.budget / 32 < ((size_t)1 << 20) ? j.budget / 32 : (size_t)1 << 20;
    size_t fixed = codec_workspace(o->codec, o->level, j.page_size) + 3 * j.page_size + OUT_RESERVE;
    j.rg_bytes = fixed < j.budget ? (j.budget - fixed) / 5 * 2 : 0;
    j.rg_rows = o->rg_rows ? o->rg_rows : DEFAULT_RG_ROWS;

    if (o->rejects) {
        j.rep.rejects = fopen(o->rejects, "w");
        if (!j.rep.rejects) {
            msg("%s: cannot create: %s", o->rejects, strerror(errno));
            goto done;
        }
        fputs("line,column,reason,row\n", j.rep.rejects);
    }
    if ((e = open_reader(&j)) != ERR_OK)
        goto done;
    if (o->format.decimal_comma && csv_delimiter(j.r) == ',') {
        msg("%s: --decimal-comma needs a delimiter other than ',' (give one with --delimiter)",
            j.name);
        e = ERR_USAGE;
        goto done;
    }
    size_t ncsv = csv_ncols(j.r);
    char err[512];
    const char **names;
    char **file_names = NULL;
    if (ncsv == 0 && o->schema_file) {
        /* no header and no rows: the schema file's columns, no rows */
        if ((e = sc_file_names(pool, o->schema_file, &file_names, &ncsv, err, sizeof err)) != ERR_OK) {
            msg("%s", err[0] ? err : err_str(e));
            goto done;
        }
    }
    if (ncsv == 0) {
        msg("%s: no header and no rows: the input is empty; --schema FILE gives the "
            "columns of a table of no rows", j.name);
        goto done;
    }
    if (file_names) {
        names = (const char **)file_names;
    } else if ((names = pool_calloc(pool, ncsv, sizeof *names))) {
        for (size_t c = 0; c < ncsv; c++)
            names[c] = csv_name(j.r, c);
    } else {
        e = ERR_NOMEM;
        msg("%s: %zu columns do not fit the memory budget", j.name, ncsv);
        goto done;
    }
    struct sc_args sa = {
        .columns = o->columns, .renames = o->renames, .n_renames = o->n_renames,
        .types = o->types, .n_types = o->n_types, .schema_file = o->schema_file,
        .format = &o->format
    };
    e = sc_create(pool, names, ncsv, &sa, &j.s, err, sizeof err);
    if (file_names)
        for (size_t c = 0; c < ncsv; c++)
            pool_free(pool, file_names[c]);
    pool_free(pool, names);
    if (e == ERR_NOMEM)
        msg("%s: %zu columns do not fit the memory budget (raise it with -m)", j.name, ncsv);
    else if (e != ERR_OK)
        msg("%s", err[0] ? err : err_str(e));
    if (e != ERR_OK)
        goto done;
    if (j.s->mended_names && !o->quiet)
        msg("%s: %zu column names are not valid UTF-8; their bad bytes are written as U+FFFD",
            j.name, j.s->mended_names);
    if (!(j.cols = pool_calloc(pool, j.s->ncols, sizeof *j.cols))) {
        e = ERR_NOMEM;
        msg("%s: %zu columns do not fit the memory budget", j.name, j.s->ncols);
        goto done;
    }

    /* Types: from the first row group, or with --infer-rows (or
       --print-schema) on a regular file from a scan of that many rows (all). */
    if (j.in_regular && (o->infer_rows || o->print_schema)) {
        end_pass(&j);
        if ((e = scan_types(&j, o->infer_rows)) != ERR_OK)
            goto done;
        if ((e = open_reader(&j)) != ERR_OK)
            goto done;
    } else {
        struct csv_batch *b;
        if ((e = csv_next_batch(j.r, j.rg_rows, &b)) != ERR_OK) {
            say_csv_error(&j, e);
            goto done;
        }
        size_t n = b ? b->nrows : 0;
        if (o->infer_rows && (int64_t)n > o->infer_rows)
            n = (size_t)o->infer_rows;
        if (b)
            infer_batch(j.s, b, n, &o->format, o->threads);
        j.inferred_rows = (int64_t)n;
        j.first = b;                 /* written by the first pass */
    }
    settle_types(j.s, o->binary);
    if ((e = sc_resolve(j.s, &o->format, err, sizeof err)) != ERR_OK) {
        msg("%s", err);
        goto done;
    }
    if (o->print_schema) {
        sc_print(j.s, stdout);
        status = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
        goto done;
    }
    if ((j.out = open_output(o, 1)) < 0)
        goto done;
    j.out_regular = is_regular(j.out);
    j.out_start = 0;
    if (j.out_regular) {             /* where this output begins (>> appends) */
        struct stat st;
        int fl = fcntl(j.out, F_GETFL);
        j.out_start = fl >= 0 && (fl & O_APPEND) && fstat(j.out, &st) == 0
                      ? st.st_size : lseek(j.out, 0, SEEK_CUR);
        if (j.out_start < 0)
            j.out_start = 0;
    }
    for (int again = 1; again;) {
        if (!j.r && (e = open_reader(&j)) != ERR_OK)
            goto done;
        if ((e = write_pass(&j, &again)) != ERR_OK)
            goto done;
        if (again) {
            end_pass(&j);
            if ((e = rewind_output(&j)) != ERR_OK)
                goto done;
        }
    }
    status = EXIT_OK;
    if (j.rep.bad_rows && !o->quiet)
        msg("%s: %lld bad rows: %lld skipped, %lld with values set to NULL, %lld padded or cut; "
            "the first, at line %lld: %s%s", j.name, (long long)j.rep.bad_rows,
            (long long)j.rep.skipped, (long long)j.rep.nulled, (long long)j.rep.padded,
            (long long)j.rep.first_line, j.rep.first,
            o->rejects ? "" : " (--rejects FILE lists them all)");
    if (o->verbose) {
        double dt = now() - t0;
        uint64_t bin = csv_bytes_in(j.r), bout = pqw_bytes_out(j.w);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        fprintf(stderr, "%s: %s: %lld rows, %u row groups, %zu columns; "
                "%llu bytes in, %llu bytes out (%.1fx); %.3f s, %d threads "
                "(%llu rows parsed by the second); "
                "pool peak %.1f MiB of %.0f MiB, peak RSS %.1f MiB\n",
                prog, j.name, (long long)pqw_rows(j.w), pqw_row_groups(j.w), j.s->ncols,
                (unsigned long long)bin, (unsigned long long)bout,
                bout ? (double)bin / (double)bout : 0.0, dt, pqw_threads(j.w),
                (unsigned long long)csv_rows_split(j.r),
                pool_peak(pool) / 1048576.0, pool_budget(pool) / 1048576.0,
                ru.ru_maxrss / 1024.0);
        unsigned char d = csv_delimiter(j.r), q = csv_quote(j.r);
        char ds[8], qs[8];
        snprintf(ds, sizeof ds, "'%c'", d);
        snprintf(qs, sizeof qs, "'%c'", q);
        fprintf(stderr, "%s: %s: delimiter %s, quote %s, %s\n", prog, j.name,
                d == '\n' ? "none (one column)" : d == '\t' ? "TAB" : ds,
                q == '\n' ? "none" : qs, csv_has_header(j.r) ? "a header" : "no header");
        sc_print(j.s, stderr);
    }
done:
    if (status != EXIT_OK && e != ERR_OK)
        status = exit_for(e);
    end_pass(&j);
    if (j.out >= 0 && close_output(o, j.out, status == EXIT_OK) != EXIT_OK && status == EXIT_OK)
        status = EXIT_FAIL;
    if (j.rep.rejects && fclose(j.rep.rejects) != 0 && status == EXIT_OK) {
        msg("%s: %s", o->rejects, strerror(errno));
        status = EXIT_FAIL;
    }
    pool_free(pool, j.keep);
    pool_free(pool, j.cols);
    sc_free(pool, j.s);
    if (j.in > STDIN_FILENO)
        close(j.in);
    return status;
}

static int decode(const struct options *o, pool_t *pool) {
    int out = open_output(o, 0);
    if (out < 0)
        return EXIT_FAIL;
    struct pqr_options ro = {
        .mode = o->mode, .delimiter = o->delimiter ? (char)o->delimiter : ',',
        .null_str = o->n_nulls ? o->nulls[0] : "", .no_header = o->header == 0,
        .columns = o->columns, .head = o->head, .threads = o->threads
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
    direct_output = 0;
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
