/* Unit tests of the CSV reader: dialect detection (delimiter, quote,
   header), --comment and --skip, bad rows, csv_batch_drop, line numbers.
   Every input is read twice, from a memfd (the mmap path) and from a pipe
   fed in odd-sized writes, and both readings must give the same rows. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include <dirent.h>

#include <zlib.h>

#include "csv.h"
#include "err.h"
#include "pool.h"

#define ROW_BYTES ((size_t)4 << 20)

static pool_t *pool;

static int setup(void **state) {
    (void)state;
    signal(SIGPIPE, SIG_IGN);            /* a reader that stops early closes its pipe */
    pool = pool_create(32 << 20);
    return pool ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    return pool_destroy(pool) == 0 ? 0 : -1;
}

/* ---- input: a memfd, or a pipe written by a thread in odd pieces ---- */

struct writer {
    int fd;
    const char *p;
    size_t n;
};

static void *write_all(void *arg) {
    struct writer *w = arg;
    size_t piece = 1;
    for (size_t done = 0; done < w->n;) {
        size_t k = w->n - done < piece ? w->n - done : piece;
        ssize_t got = write(w->fd, w->p + done, k);
        if (got <= 0)
            break;
        done += (size_t)got;
        piece = piece * 7 % 1009 + 1;    /* 1, 8, 57, 400, ... */
    }
    close(w->fd);
    return NULL;
}

struct input {
    int fd;
    int piped;
    pthread_t thread;
    struct writer w;
};

static void input_open(struct input *in, const char *p, size_t n, int piped) {
    in->piped = piped;
    if (!piped) {
        in->fd = memfd_create("csv", 0);
        assert_true(in->fd >= 0);
        assert_int_equal(write(in->fd, p, n), (ssize_t)n);
        assert_int_equal(lseek(in->fd, 0, SEEK_SET), 0);
        return;
    }
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    in->fd = fds[0];
    in->w = (struct writer){ fds[1], p, n };
    assert_int_equal(pthread_create(&in->thread, NULL, write_all, &in->w), 0);
}

static void input_close(struct input *in) {
    close(in->fd);                       /* a writer still blocked gets EPIPE */
    if (in->piped)
        pthread_join(in->thread, NULL);
}

/* ---- reading everything into one text to compare ---- */

struct text {
    char *p;
    size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...) {
    va_list ap;
    if (!t->p) {
        t->cap = 256;
        t->p = malloc(t->cap);
        assert_non_null(t->p);
    }
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (t->len + (size_t)k < t->cap) {
            t->len += (size_t)k;
            return;
        }
        t->cap = (t->cap + (size_t)k) * 2 + 64;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
}

static void put_batch(struct text *t, const struct csv_batch *b) {
    for (size_t r = 0; r < b->nrows; r++) {
        put(t, "%lld:", (long long)b->line[r]);
        for (size_t c = 0; c < b->ncols; c++) {
            const char *s;
            size_t n;
            int null = csv_field(b, r * b->ncols + c, &s, &n);
            put(t, "%s%.*s", c ? "|" : "", null ? 1 : (int)n, null ? "~" : s);
        }
        put(t, "\n");
    }
}

/* Optional per-batch hook: drop rows from each batch. */
static const uint8_t *drop_pattern;      /* keep[i % drop_len], or NULL */
static size_t drop_len;
/* Read ahead (csv_prefetch) after each batch is handed out, before it is
   looked at. */
static int read_ahead;
static size_t read_ahead_reads;          /* calls that read input */
static uint64_t rows_split;              /* rows parsed by a second thread */

/* Read the whole input: "d=, q=\" h=1 | names\n" then one line per row,
   "LINE:f1|f2" with ~ for NULL; an error ends it with "error E at L:C: D". */
static char *read_all(const char *p, size_t n, const struct csv_options *o, int piped,
                      size_t max_rows) {
    struct input in;
    input_open(&in, p, n, piped);
    size_t live = pool_live(pool);
    struct text t = { 0 };
    put(&t, "");
    struct csv_reader *r = NULL;
    int e = csv_open(pool, in.fd, o, ROW_BYTES, &r);
    if (e == ERR_OK) {
        unsigned char d = csv_delimiter(r), q = csv_quote(r);
        put(&t, "d=%s q=%s h=%d |",
            d == '\t' ? "TAB" : d == '\n' ? "none" : (char[2]){ (char)d, 0 },
            q == '\n' ? "none" : (char[2]){ (char)q, 0 }, csv_has_header(r));
        for (size_t c = 0; c < csv_ncols(r); c++)
            put(&t, " %s", csv_name(r, c));
        put(&t, "\n");
        struct csv_batch *b;
        while ((e = csv_next_batch(r, max_rows, &b)) == ERR_OK && b) {
            if (read_ahead) {
                uint64_t before = csv_bytes_in(r);
                csv_prefetch(r, max_rows, 0);
                read_ahead_reads += csv_bytes_in(r) > before;
            }
            if (drop_pattern) {
                uint8_t keep[4096];
                assert_true(b->nrows <= sizeof keep);
                for (size_t i = 0; i < b->nrows; i++)
                    keep[i] = drop_pattern[i % drop_len];
                csv_batch_drop(b, keep);
            }
            put_batch(&t, b);
        }
    }
    if (e != ERR_OK) {
        assert_non_null(r);
        const struct csv_where *w = csv_where(r);
        put(&t, "error %d at %lld:%lld: %s\n", e, (long long)w->line, (long long)w->column,
            w->detail);
    }
    rows_split += csv_rows_split(r);
    csv_close(r);
    assert_int_equal(pool_live(pool), live);   /* every buffer came back */
    input_close(&in);
    return t.p;
}

/* The input read from a file and from a pipe gives `want`. */
static void check_n(const char *p, size_t n, const struct csv_options *o, const char *want) {
    for (int piped = 0; piped < 2; piped++) {
        char *got = read_all(p, n, o, piped, 1000);
        if (strcmp(got, want) != 0)
            fail_msg("%s input:\n%s\nwanted:\n%s", piped ? "pipe" : "file", got, want);
        free(got);
    }
}

static void check(const char *p, const struct csv_options *o, const char *want) {
    check_n(p, strlen(p), o, want);
}

/* Everything detected. */
static struct csv_options detect(void) {
    return (struct csv_options){ .header = -1 };
}

/* ---- delimiter ---- */

static void test_delimiter(void **state) {
    (void)state;
    struct csv_options o = detect();
    check("a,b\n1,x\n", &o, "d=, q=\" h=1 | a b\n2:1|x\n");
    check("a;b\n1;x,y\n2;z\n", &o, "d=; q=\" h=1 | a b\n2:1|x,y\n3:2|z\n");
    check("a\tb\n1\tx y\n", &o, "d=TAB q=\" h=1 | a b\n2:1|x y\n");
    check("a|b|c\n1|x,y|2\n", &o, "d=| q=\" h=1 | a b c\n2:1|x,y|2\n");
    /* quotes respected: the commas inside them do not count */
    check("a;b\n\"1,2,3\";x\n\"4,5\";y\n", &o, "d=; q=\" h=1 | a b\n2:1,2,3|x\n3:4,5|y\n");
    check("id,desc\n1,\"a; b\"\n2,c;d\n", &o, "d=, q=\" h=1 | id desc\n2:1|a; b\n3:2|c;d\n");
    /* the delimiter whose rows agree most often wins over more fields */
    check("a,b;c\n1,2\n3,4;5;6\n7,8\n", &o, "d=, q=\" h=1 | a b;c\n2:1|2\n3:3|4;5;6\n4:7|8\n");
    /* ties: more fields, then the order , ; TAB | */
    check("a;b;c,d\n1;2;3,4\n", &o, "d=; q=\" h=1 | a b c,d\n2:1|2|3,4\n");
    check("a;b,c\nx;y,z\n", &o, "d=, q=\" h=1 | a;b c\n2:x;y|z\n");
    /* one column: ',' */
    check("name\nx;y\nz\n", &o, "d=, q=\" h=1 | name\n2:x;y\n3:z\n");
    /* one column whose values hold commas: no delimiter */
    check("amount\n1,000\n2\n3,5,0\n", &o, "d=none q=\" h=1 | amount\n2:1,000\n3:2\n4:3,5,0\n");
    check("x\n\"a,b\"\nc,d\n", &o, "d=none q=\" h=1 | x\n2:a,b\n3:c,d\n");
    check("addr\nx\na,b\nc\nd,e\nf,g\nh\n", &o,
          "d=none q=\" h=1 | addr\n2:x\n3:a,b\n4:c\n5:d,e\n6:f,g\n7:h\n");
    /* as many rows of another width: ',' */
    check("x\n1,2\n3\n4,5\n", &o, "error 12 at 2:2: expected 1 fields, found 2\n");
    /* unless the later rows agree on a width: a short header */
    check("a\n1,2\n3,4\n", &o, "error 12 at 2:2: expected 1 fields, found 2\n");
    check("a\n1,2\n", &o, "error 12 at 2:2: expected 1 fields, found 2\n");
    /* header only; CRLF; no final newline */
    check("a|b\n", &o, "d=| q=\" h=1 | a b\n");
    check("a;b\r\n1;2\r\n", &o, "d=; q=\" h=1 | a b\n2:1|2\n");
    check("a;b\n1;2", &o, "d=; q=\" h=1 | a b\n2:1|2\n");
    /* given: never second-guessed */
    o.delimiter = ',';
    check("a;b\n1;x,y\n", &o, "error 12 at 2:2: expected 1 fields, found 2\n");
    o.delimiter = ';';
    check("a,b\n1,2\n", &o, "d=; q=\" h=1 | a,b\n2:1,2\n");
    o.delimiter = '\n';                 /* none */
    check("a,b\n1;2\n", &o, "d=none q=\" h=1 | a,b\n2:1;2\n");
    /* NUL bytes are text (printed up to the NUL) */
    check_n("a\n\0,x\n1\0\n\"\0\"\n", 13, &o, "d=none q=\" h=1 | a\n2:\n3:1\n4:\n");
    o.quote = '\n';
    check_n("a\n\0,x\n\"1\n", 9, &o, "d=none q=none h=1 | a\n2:\n3:\"1\n");
}

/* ---- quote ---- */

static void test_quote(void **state) {
    (void)state;
    struct csv_options o = detect();
    check("a,b\n1,'x,y'\n2,'z'\n", &o, "d=, q=' h=1 | a b\n2:1|x,y\n3:2|z\n");
    check("a;b\n'1;2';'it''s'\n", &o, "d=; q=' h=1 | a b\n2:1;2|it's\n");
    /* apostrophes in text are no quotes */
    check("a,b\n1,it's\n2,'tis\n", &o, "d=, q=\" h=1 | a b\n2:1|it's\n3:2|'tis\n");
    /* both used: '"' */
    check("id,name,quote\n1,'O''Brien',plain\n2,'a b',\"double\"\n", &o,
          "d=, q=\" h=1 | id name quote\n2:1|'O''Brien'|plain\n3:2|'a b'|double\n");
    /* a ' field closed by other text */
    check("a,b\n1,'x'y\n2,'z'\n", &o, "d=, q=\" h=1 | a b\n2:1|'x'y\n3:2|'z'\n");
    /* a ' open at the end of the input */
    check("a,b\n1,'x\n2,'z'\n", &o, "d=, q=\" h=1 | a b\n2:1|'x\n3:2|'z'\n");
    /* a stray '"' inside an unquoted field is text, not a quote */
    check("a,b\n1,'x'\n2,5'3\"\n", &o, "d=, q=' h=1 | a b\n2:1|x\n3:2|5'3\"\n");
    /* given */
    o.quote = '"';
    check("a,b\n1,'x,y'\n", &o, "error 12 at 2:3: expected 2 fields, found 3\n");
    o.quote = '\'';
    check("a,b\n1,\"x\"\n", &o, "d=, q=' h=1 | a b\n2:1|\"x\"\n");
}

/* ---- header ---- */

static void test_header(void **state) {
    (void)state;
    struct csv_options o = detect();
    /* text over typed rows */
    check("id,price\n1,2.5\n2,3\n", &o, "d=, q=\" h=1 | id price\n2:1|2.5\n3:2|3\n");
    /* a first row that fits every typed column: data */
    check("1,2.5\n2,3\n", &o, "d=, q=\" h=0 | column_1 column_2\n1:1|2.5\n2:2|3\n");
    check("1;2024-01-01;true\n2;2024-01-02;false\n", &o,
          "d=; q=\" h=0 | column_1 column_2 column_3\n1:1|2024-01-01|true\n2:2|2024-01-02|false\n");
    /* a first value that widens the column still fits it */
    check("1.5,x\n2,y\n3,z\n", &o, "d=, q=\" h=0 | column_1 column_2\n1:1.5|x\n2:2|y\n3:3|z\n");
    /* NULL in the first row fits */
    check(",5\n1,6\n", &o, "d=, q=\" h=0 | column_1 column_2\n1:~|5\n2:1|6\n");
    /* one misfit in a typed column is enough */
    check("1,b\n2,3\n", &o, "d=, q=\" h=1 | 1 b\n2:2|3\n");
    /* all text: a header (documented) */
    check("bob,paris\nann,oslo\n", &o, "d=, q=\" h=1 | bob paris\n2:ann|oslo\n");
    /* one row only: a header */
    check("1,2\n", &o, "d=, q=\" h=1 | 1 2\n");
    /* rows of other widths do not vote */
    check("a,b\n1,2\nx,y,z\n", &o, "error 12 at 3:3: expected 2 fields, found 3\n");
    /* NULL markers are NULL for detection too */
    o.nulls = (const char *const[]){ "NA" };
    o.n_nulls = 1;
    check("NA,1\n2,NA\n3,4\n", &o, "d=, q=\" h=0 | column_1 column_2\n1:~|1\n2:2|~\n3:3|4\n");
    o.n_nulls = 0;
    /* a quoted empty string is a string */
    check("\"\",1\n2,3\n", &o, "d=, q=\" h=1 | column_1 1\n2:2|3\n");
    /* given */
    o.header = 1;
    check("1,2\n3,4\n", &o, "d=, q=\" h=1 | 1 2\n2:3|4\n");
    o.header = 0;
    check("a,b\nc,d\n", &o, "d=, q=\" h=0 | column_1 column_2\n1:a|b\n2:c|d\n");
}

static void test_header_format(void **state) {
    (void)state;
    /* with a decimal comma, "1,5" is a number: the first row is data */
    struct ty_format f = { .decimal_comma = 1 };
    struct csv_options o = detect();
    o.format = &f;
    check("1,5;x;y\n2,5;z;w\n", &o,
          "d=; q=\" h=0 | column_1 column_2 column_3\n1:1,5|x|y\n2:2,5|z|w\n");
    o.format = NULL;
    check("1,5;x;y\n2,5;z;w\n", &o, "d=; q=\" h=1 | 1,5 x y\n2:2,5|z|w\n");
}

/* ---- comments and skipped lines ---- */

static void test_comment(void **state) {
    (void)state;
    struct csv_options o = detect();
    o.comment = '#';
    check("# made by hand\na,b\n# a note\n1,2\n#\n3,4\n# the end", &o,
          "d=, q=\" h=1 | a b\n4:1|2\n6:3|4\n");
    /* not at a line start, or inside a quoted field: data */
    check("a,b\n1,#2\n\"3\n#x\",4\n", &o, "d=, q=\" h=1 | a b\n2:1|#2\n3:3\n#x|4\n");
    /* CRLF and CR line ends keep the line numbers right */
    check("#c\r\na,b\r\n#c\r\n#c\r\n1,2\r\n\r\n3,4\r\n#c\r\n5,6\r\n", &o,
          "d=, q=\" h=1 | a b\n5:1|2\n7:3|4\n9:5|6\n");
    check("#c\ra,b\r#c\r#c\r1,2\r\r3,4\r#c\r5,6\r", &o,
          "d=, q=\" h=1 | a b\n5:1|2\n7:3|4\n9:5|6\n");
    check("#c\r\na,b\r\n#c\r\n\r\n3\r\n", &o, "error 12 at 5:2: expected 2 fields, found 1\n");
    check("#c\ra,b\r#c\r\r3\r", &o, "error 12 at 5:2: expected 2 fields, found 1\n");
    check("a,b\r#c\n1,2\n", &o, "d=, q=\" h=1 | a b\n3:1|2\n");
    /* comments do not confuse detection */
    check("# a;b;c;d\n# x|y|z\nid;n\n1;2\n", &o, "d=; q=\" h=1 | id n\n4:1|2\n");
    /* with a line end for a comment, '#' lines are rows, none detected */
    o.comment = '\n';
    check("#x\na,b\n", &o, "error 12 at 2:2: expected 1 fields, found 2\n");
}

static void test_detect_comment(void **state) {
    (void)state;
    struct csv_options o = detect();
    /* '#' lines of another width: comments, lines counted */
    check("# made by hand\nid,v\n1,2\n# a, b, c\n3,4\n#\n", &o,
          "d=, q=\" h=1 | id v\n3:1|2\n5:3|4\n");
    check("# x\r# y\ra;b\r1;2\r# z\r3;4\r", &o, "d=; q=\" h=1 | a b\n4:1|2\n6:3|4\n");
    /* '#' values of the data's width: rows */
    check("id,v\n#1,2\n#3,4\n", &o, "d=, q=\" h=1 | id v\n2:#1|2\n3:#3|4\n");
    /* a ragged row left: no comments, the '#' line is a row */
    check("a,b\n# c\n1,2\n3\n", &o, "error 12 at 2:2: expected 2 fields, found 1\n");
    /* given options win: another comment, '#' the delimiter */
    o.comment = ';';
    check("; x\n# y\na,b\n", &o, "error 12 at 3:2: expected 1 fields, found 2\n");
    o.comment = 0;
    o.delimiter = '#';
    check("#a\nb#c\n", &o, "d=# q=\" h=1 | column_1 a\n2:b|c\n");
}

static void test_detect_preamble(void **state) {
    (void)state;
    struct csv_options o = detect();
    /* title, blank and key: value lines before a header: skipped, lines counted */
    check("Sales report\n\nid,name\n1,x\n2,y\n", &o, "d=, q=\" h=1 | id name\n4:1|x\n5:2|y\n");
    check("Exported: 2024\r\nUser: x\r\nid,v\r\n1,2\r\n", &o, "d=, q=\" h=1 | id v\n4:1|2\n");
    check("\"a\",\"b\",\n\nn,c,y1,y2,y3\nx,y,1,2,3\nz,w,4,5,6\n", &o,
          "d=, q=\" h=1 | n c y1 y2 y3\n4:x|y|1|2|3\n5:z|w|4|5|6\n");
    /* a ragged row anywhere in the sample: no preamble */
    check("title\nid,v\n1,2\n3,4\n5,6\n7\n", &o,
          "error 12 at 2:2: expected 1 fields, found 2\n");
    /* a first line over numbers is their header, ragged: an error */
    check("a\n1,2\n3,4\n", &o, "error 12 at 2:2: expected 1 fields, found 2\n");
    check("a,b,c\n1\n2,3,4\n", &o, "error 12 at 2:2: expected 3 fields, found 1\n");
    /* a ragged row in the block, or a block shorter than the lines before: none */
    check("t\nu\nv\nid,v\nx,y\n", &o, "error 12 at 4:2: expected 1 fields, found 2\n");
    check("t\nid,v\nx,y\nz\nw,q\n", &o, "error 12 at 2:2: expected 1 fields, found 2\n");
    /* --skip or --no-header given: none detected */
    o.skip = -1;
    check("title\nid,v\nx,y\n", &o, "error 12 at 2:2: expected 1 fields, found 2\n");
    o.skip = 0;
    o.header = 0;
    check("title\nid,v\nx,y\n", &o, "error 12 at 2:2: expected 1 fields, found 2\n");
}

static void test_skip(void **state) {
    (void)state;
    struct csv_options o = detect();
    o.skip = 2;
    check("title; of, the |report\n\"unbalanced\na,b\n1,2\n", &o, "d=, q=\" h=1 | a b\n4:1|2\n");
    check("x\r\ny\r\na;b\r\n1;2\r\n", &o, "d=; q=\" h=1 | a b\n4:1|2\n");
    check("x\ry\ra;b\r1;2\r", &o, "d=; q=\" h=1 | a b\n4:1|2\n");
    /* a byte-order mark comes before the skipped lines */
    check("\xef\xbb\xbfx\ny\na,b\n1,2\n", &o, "d=, q=\" h=1 | a b\n4:1|2\n");
    /* skip, then comments and blank lines */
    o.comment = '#';
    check("a,b\nc,d\n#x\n\nh1,h2\n\n1,2\n", &o, "d=, q=\" h=1 | h1 h2\n7:1|2\n");
    /* more lines skipped than there are */
    o.skip = 10;
    check("a,b\n1,2\n", &o, "d=, q=\" h=1 |\n");
    /* skip and a header given */
    o.skip = 1;
    o.header = 0;
    o.comment = 0;
    check("junk\n1,2\n3,4\n", &o, "d=, q=\" h=0 | column_1 column_2\n2:1|2\n3:3|4\n");
}

/* ---- bad rows ---- */

struct bad_log {
    int answer;
    struct text t;
};

static int on_bad(void *ctx, const struct csv_bad_row *row) {
    struct bad_log *log = ctx;
    put(&log->t, "%lld:%zu/%zu:", (long long)row->line, row->found, row->expected);
    for (size_t i = 0; i < row->found; i++) {
        uint32_t start = i ? row->fend[i - 1] & ~CSV_NULL_BIT : row->first;
        uint32_t end = row->fend[i];
        if (end & CSV_NULL_BIT)
            put(&log->t, "%s~", i ? "|" : "");
        else
            put(&log->t, "%s%.*s", i ? "|" : "", (int)(end - start), (const char *)row->text + start);
    }
    put(&log->t, "\n");
    return log->answer;
}

static void check_bad(int answer, const char *in, const char *want, const char *want_log) {
    for (int piped = 0; piped < 2; piped++) {
        struct bad_log log = { .answer = answer };
        put(&log.t, "");
        struct csv_options o = detect();
        o.bad_row = on_bad;
        o.bad_row_ctx = &log;
        char *got = read_all(in, strlen(in), &o, piped, 2);
        if (strcmp(got, want) != 0)
            fail_msg("answer %d, %s:\n%s\nwanted:\n%s", answer, piped ? "pipe" : "file", got, want);
        if (strcmp(log.t.p, want_log) != 0)
            fail_msg("answer %d, %s, bad_row saw:\n%s\nwanted:\n%s", answer,
                     piped ? "pipe" : "file", log.t.p, want_log);
        free(got);
        free(log.t.p);
    }
}

static void test_bad_row(void **state) {
    (void)state;
    const char *in = "a,b,c\n1,2,3\n4,5\n6,7,8,9,\"10\"\n\n11,,12\n13\n14,15,16\n";
    const char *log = "3:2/3:4|5\n4:5/3:6|7|8|9|10\n7:1/3:13\n";
    check_bad(CSV_KEEP, in,
              "d=, q=\" h=1 | a b c\n2:1|2|3\n3:4|5|~\n4:6|7|8\n6:11|~|12\n7:13|~|~\n8:14|15|16\n",
              log);
    check_bad(CSV_DROP, in, "d=, q=\" h=1 | a b c\n2:1|2|3\n6:11|~|12\n8:14|15|16\n", log);
    check_bad(ERR_TYPE, in, "error 13 at 3:3: expected 3 fields, found 2\n", "3:2/3:4|5\n");
    /* a long row stops where the extra fields start */
    check_bad(ERR_CSV, "a,b\n1,2,3\n", "error 12 at 2:3: expected 2 fields, found 3\n",
              "2:3/2:1|2|3\n");
    /* without bad_row, the error as always */
    struct csv_options o = detect();
    check(in, &o, "error 12 at 3:3: expected 3 fields, found 2\n");
    check("a,b\n1,2\n3,4,5\n", &o, "error 12 at 3:3: expected 2 fields, found 3\n");
    /* a NULL first row field and extra empty fields reach bad_row as NULL */
    check_bad(CSV_DROP, "a,b\n,,\n1,2\n", "d=, q=\" h=1 | a b\n3:1|2\n", "2:3/2:~|~|~\n");
}

/* Many bad rows, long ones: the extra fields held for bad_row stay inside
   the row buffers, and the batches are the same from a file and a pipe. */
static void test_bad_row_many(void **state) {
    (void)state;
    struct text in = { 0 }, want = { 0 };
    put(&in, "a,b\n");
    put(&want, "d=, q=\" h=1 | a b\n");
    for (int i = 0; i < 20000; i++) {
        if (i % 3 == 0) {
            put(&in, "%d,x,%d,%d,%d\n", i, i, i, i);
            put(&want, "%d:%d|x\n", i + 2, i);
        } else if (i % 3 == 1) {
            put(&in, "%d\n", i);
            put(&want, "%d:%d|~\n", i + 2, i);
        } else {
            put(&in, "%d,y\n", i);
            put(&want, "%d:%d|y\n", i + 2, i);
        }
    }
    struct bad_log log = { .answer = CSV_KEEP };
    struct csv_options o = detect();
    o.bad_row = on_bad;
    o.bad_row_ctx = &log;
    for (int piped = 0; piped < 2; piped++) {
        put(&log.t, "");
        char *got = read_all(in.p, in.len, &o, piped, 777);
        assert_string_equal(got, want.p);
        free(got);
        log.t.len = 0;
    }
    free(log.t.p);
    free(in.p);
    free(want.p);
}

/* ---- csv_batch_drop ---- */

static void test_batch_drop(void **state) {
    (void)state;
    struct csv_options o = detect();
    const char *in = "a,b\n1,x\n2,\n3,\"\"\n\n4,yy\n5,z\n6,w\n7,\n";
    /* keep, drop, drop, keep ... over batches of 3 rows */
    static const uint8_t pattern[] = { 1, 0, 0 };
    drop_pattern = pattern;
    drop_len = 3;
    for (int piped = 0; piped < 2; piped++) {
        char *got = read_all(in, strlen(in), &o, piped, 3);
        assert_string_equal(got, "d=, q=\" h=1 | a b\n2:1|x\n6:4|yy\n9:7|~\n");
        free(got);
    }
    static const uint8_t pattern2[] = { 0, 1 };
    drop_pattern = pattern2;
    drop_len = 2;
    char *got = read_all(in, strlen(in), &o, 0, 1000);
    assert_string_equal(got, "d=, q=\" h=1 | a b\n3:2|~\n6:4|yy\n8:6|w\n");
    free(got);
    drop_pattern = NULL;

    /* directly: offsets chain from b->first, NULL bits kept */
    struct input inp;
    input_open(&inp, in, strlen(in), 0);
    struct csv_reader *r;
    struct csv_batch *b;
    assert_int_equal(csv_open(pool, inp.fd, &o, ROW_BYTES, &r), ERR_OK);
    assert_int_equal(csv_next_batch(r, 2, &b), ERR_OK);
    assert_int_equal(csv_next_batch(r, 4, &b), ERR_OK);   /* 3,""  4,yy  5,z  6,w */
    assert_int_equal(b->nrows, 4);
    assert_true(b->first > 0);
    uint8_t keep[] = { 0, 1, 0, 1 };
    csv_batch_drop(b, keep);
    assert_int_equal(b->nrows, 2);
    struct text t = { 0 };
    put(&t, "");
    put_batch(&t, b);
    assert_string_equal(t.p, "6:4|yy\n8:6|w\n");
    const char *s;
    size_t n;
    assert_int_equal(csv_field(b, 0, &s, &n), 0);
    assert_int_equal(s - (const char *)b->text, b->first);
    uint8_t none[] = { 0, 0 };
    csv_batch_drop(b, none);
    assert_int_equal(b->nrows, 0);
    assert_int_equal(csv_next_batch(r, 4, &b), ERR_OK);
    t.len = 0;
    put_batch(&t, b);
    assert_string_equal(t.p, "9:7|~\n");
    assert_int_equal(csv_next_batch(r, 4, &b), ERR_OK);
    assert_null(b);
    free(t.p);
    csv_close(r);
    input_close(&inp);
}

/* ---- the sample ---- */

/* Detection sees the first 64 KiB; the rows in them are parsed as usual,
   and a file and a pipe give the same rows. */
static void test_large_sample(void **state) {
    (void)state;
    struct text in = { 0 }, want = { 0 };
    put(&in, "id;name;v\n");
    put(&want, "d=; q=\" h=1 | id name v\n");
    for (int i = 0; i < 30000; i++) {
        put(&in, "%d;\"n, %d\";%d.5\n", i, i % 17, i);
        put(&want, "%d:%d|n, %d|%d.5\n", i + 2, i, i % 17, i);
    }
    struct csv_options o = detect();
    check_n(in.p, in.len, &o, want.p);
    /* the sample ends inside a row: that row does not count */
    free(in.p);
    free(want.p);
    in = (struct text){ 0 };
    want = (struct text){ 0 };
    for (int i = 0; i < 10000; i++)
        put(&in, "%d|%d\n", i, i * 2);
    put(&want, "d=| q=\" h=0 | column_1 column_2\n");
    for (int i = 0; i < 10000; i++)
        put(&want, "%d:%d|%d\n", i + 1, i, i * 2);
    check_n(in.p, in.len, &o, want.p);
    free(in.p);
    free(want.p);

    /* a first row longer than the sample: the defaults */
    in = (struct text){ 0 };
    for (int i = 0; i < 20000; i++)
        put(&in, "%sc%d", i ? ";" : "", i);
    put(&in, "\n1;2\n");
    char *got = read_all(in.p, in.len, &o, 1, 1000);
    assert_memory_equal(got, "d=, q=\" h=1 | c0;c1;c2", 22);
    free(got);
    free(in.p);
}

/* gzip input: detection reads the decompressed text. */
static void test_gzip(void **state) {
    (void)state;
    const char *text = "# x\nid\tname\n1\tx\n2\ty\n";
    unsigned char gz[256];
    z_stream z = { 0 };
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)text;
    z.avail_in = (unsigned)strlen(text);
    z.next_out = gz;
    z.avail_out = sizeof gz;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = sizeof gz - z.avail_out;
    deflateEnd(&z);
    struct csv_options o = detect();
    o.comment = '#';
    check_n((const char *)gz, n, &o, "d=TAB q=\" h=1 | id name\n3:1|x\n4:2|y\n");
}

/* Column names: unique, empty ones column_N, a NUL byte ends a name. */
static void test_names(void **state) {
    (void)state;
    struct csv_options o = detect();
    check("a,a,a_2,a,,column_5,x\n1,2,3,4,5,6,7\n", &o,
          "d=, q=\" h=1 | a a_2 a_2_2 a_3 column_5 column_5_2 x\n2:1|2|3|4|5|6|7\n");
    check_n("i\0d,\0x,a\0b\n1,2,3\n", 17, &o, "d=, q=\" h=1 | i column_2 a\n2:1|2|3\n");
    /* many equal names: linear, not cubic */
    struct text in = { 0 }, want = { 0 };
    enum { N = 20000 };
    for (int i = 0; i < N; i++)
        put(&in, "%sa", i ? "," : "");
    put(&in, "\n");
    for (int i = 0; i < N; i++)
        put(&in, "%s%d", i ? "," : "", i);
    put(&in, "\n");
    put(&want, "d=, q=\" h=1 | a");
    for (int i = 2; i <= N; i++)
        put(&want, " a_%d", i);
    put(&want, "\n2:");
    for (int i = 0; i < N; i++)
        put(&want, "%s%d", i ? "|" : "", i);
    put(&want, "\n");
    check_n(in.p, in.len, &o, want.p);
    free(in.p);
    free(want.p);
}

/* An input error inside the sample is reported where the parse reaches
   it, as without detection: a truncated gzip stream names its line. */
static void test_truncated_sample(void **state) {
    (void)state;
    struct text t = { 0 };
    put(&t, "id;v\n");
    for (int i = 0; i < 3000; i++)
        put(&t, "%d;%d\n", i, i * 7 % 1000);
    size_t cap = compressBound(t.len) + 64, n;
    unsigned char *gz = malloc(cap);
    assert_non_null(gz);
    z_stream z = { 0 };
    assert_int_equal(deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)t.p;
    z.avail_in = (unsigned)t.len;
    z.next_out = gz;
    z.avail_out = (unsigned)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    n = cap - z.avail_out;
    deflateEnd(&z);
    struct csv_options given = { .delimiter = ';', .quote = '"', .header = 1 };
    char *want = read_all((const char *)gz, n / 2, &given, 0, 100000);
    assert_non_null(strstr(want, "gzip input ends in the middle of a member"));
    assert_null(strstr(want, "at 1:"));
    struct csv_options o = detect();
    for (int piped = 0; piped < 2; piped++) {
        char *got = read_all((const char *)gz, n / 2, &o, piped, 100000);
        assert_string_equal(got, want);
        free(got);
    }
    free(want);
    free(gz);
    free(t.p);
}

static void test_empty(void **state) {
    (void)state;
    struct csv_options o = detect();
    check("", &o, "d=, q=\" h=1 |\n");
    check("\n\n", &o, "d=, q=\" h=1 |\n");
    o.comment = '#';
    check("#only\n#comments", &o, "d=, q=\" h=1 |\n");
    check("a,b\n1,\"x\n", &o,
          "error 12 at 2:2: quoted field is not terminated; --quote '' reads quotes as text\n");
}

/* ---- blank lines in a one-column file ---- */

static char *blank_lines(const char *head, size_t n, const char *tail) {
    size_t a = strlen(head), b = strlen(tail);
    char *p = malloc(a + n + b + 1);
    assert_non_null(p);
    memcpy(p, head, a);
    memset(p + a, '\n', n);
    memcpy(p + a + n, tail, b + 1);
    return p;
}

static void test_one_column_blank(void **state) {
    (void)state;
    struct csv_options o = detect();
    /* a blank line between rows is a NULL row; at the end, nothing */
    check("x\n1\n\n2\n", &o, "d=, q=\" h=1 | x\n2:1\n3:~\n4:2\n");
    check("x\n1\n\n\n", &o, "d=, q=\" h=1 | x\n2:1\n");
    check("x\n\n\n", &o, "d=, q=\" h=1 | x\n");
    check("x\r\n1\r\n\r\n\r\n2\r\n\r\n", &o, "d=, q=\" h=1 | x\n2:1\n3:~\n4:~\n5:2\n");
    check("x\r1\r\r2\r\r", &o, "d=, q=\" h=1 | x\n2:1\n3:~\n4:2\n");
    /* blank lines before the header are no rows */
    check("\n\nx\n1\n", &o, "d=, q=\" h=1 | x\n4:1\n");
    /* a comment line is no row, blank or not */
    o.comment = '#';
    check("x\n1\n#c\n\n2\n#d\n", &o, "d=, q=\" h=1 | x\n2:1\n4:~\n5:2\n");
    check("x\r\n#c\r\n1\r\n", &o, "d=, q=\" h=1 | x\n3:1\n");
    o.comment = 0;
    /* more columns: blank lines are skipped */
    check("a,b\n1,2\n\n3,4\n", &o, "d=, q=\" h=1 | a b\n2:1|2\n4:3|4\n");
    /* a long run at the end: dropped up to 1024 lines, kept whole beyond */
    char *p = blank_lines("x\n1\n", 1024, "");
    check(p, &o, "d=, q=\" h=1 | x\n2:1\n");
    free(p);
    p = blank_lines("x\n1\n", 1100, "");
    struct text want = { 0 };
    put(&want, "d=, q=\" h=1 | x\n2:1\n");
    for (int i = 0; i < 1100; i++)
        put(&want, "%d:~\n", 3 + i);
    check(p, &o, want.p);
    free(p);
    /* and followed by a row, every blank line is a row */
    p = blank_lines("x\n1\n", 3000, "2\n");
    want.len = 0;
    put(&want, "d=, q=\" h=1 | x\n2:1\n");
    for (int i = 0; i < 3000; i++)
        put(&want, "%d:~\n", 3 + i);
    put(&want, "3003:2\n");
    check(p, &o, want.p);
    free(p);
    free(want.p);
    /* an all-empty first row over data is a header */
    check(",,\n1,x,y\n2,z,w\n", &o,
          "d=, q=\" h=1 | column_1 column_2 column_3\n2:1|x|y\n3:2|z|w\n");
}

/* ---- no quoting ---- */

static void test_no_quote(void **state) {
    (void)state;
    struct csv_options o = detect();
    o.quote = '\n';
    check("a,b\n1,\"x\n2,y\"\"\n", &o, "d=, q=none h=1 | a b\n2:1|\"x\n3:2|y\"\"\n");
    check("a,b\n\"1,2\"\n", &o, "d=, q=none h=1 | a b\n2:\"1|2\"\n");
    check("a;b\n\"x;y\";1\n", &o, "error 12 at 2:3: expected 2 fields, found 3\n");
    /* NUL bytes are text, at a field's start too (printed up to the NUL) */
    check_n("a,b\n\0x\0,1\n2,y\0\n", 15, &o, "d=, q=none h=1 | a b\n2:|1\n3:2|y\n");
    check_n("a,b\n\0,\0\n", 8, &o, "d=, q=none h=1 | a b\n2:|\n");
    /* with the quote, the same NUL-free text fails */
    o.quote = '"';
    check("a,b\n1,\"x\n2,y\n", &o,
          "error 12 at 2:2: quoted field is not terminated; --quote '' reads quotes as text\n");
}

/* ---- rows split without libcsv: the same as libcsv ---- */

/* The error line that ends a reading, or NULL. */
static const char *error_line(const char *t) {
    if (!strncmp(t, "error ", 6))
        return t;
    const char *e = strstr(t, "\nerror ");
    return e ? e + 1 : NULL;
}

/* read_all(), followed by what bad_row saw when o->bad_row is on_bad
   (which keeps every row). */
static char *read_logged(const char *p, size_t n, struct csv_options *o, int piped) {
    struct bad_log log = { .answer = CSV_KEEP };
    put(&log.t, "");
    if (o->bad_row)
        o->bad_row_ctx = &log;
    char *got = read_all(p, n, o, piped, 1000);
    struct text t = { 0 };
    put(&t, "%s", got);
    if (o->bad_row)
        put(&t, "bad rows:\n%s", log.t.p);
    free(got);
    free(log.t.p);
    return t.p;
}

/* The reading of [p, p + n) with o, from a file and a pipe, the same with
   every byte through libcsv.  Through a pipe, the rows handed out before
   an error depend on how the reads fell (the error stops the reader where
   its parse got to), so there only the error is compared. */
static void same_as_libcsv(const char *name, const char *p, size_t n, struct csv_options o) {
    for (int piped = 0; piped < 2; piped++) {
        o.libcsv_only = 0;
        char *fast = read_logged(p, n, &o, piped);
        o.libcsv_only = 1;
        char *slow = read_logged(p, n, &o, piped);
        const char *ef = error_line(fast), *es = error_line(slow);
        const char *a = piped && ef ? ef : fast, *b = piped && es ? es : slow;
        if (strcmp(a, b) != 0)
            fail_msg("%s (%s): without libcsv:\n%.2000s\nwith libcsv:\n%.2000s", name,
                     piped ? "pipe" : "file", a, b);
        free(fast);
        free(slow);
    }
}

/* The options each test varies: everything detected, with comments, no
   quoting, no quoting and no delimiter; each without bad_row (a row of the
   wrong width ends the reading) and with it (every row kept, and what
   bad_row saw compared too). */
static void same_for_options(const char *name, const char *p, size_t n) {
    for (int bad = 0; bad < 2; bad++) {
        struct csv_options o = detect();
        o.bad_row = bad ? on_bad : NULL;
        same_as_libcsv(name, p, n, o);
        o.comment = '#';
        same_as_libcsv(name, p, n, o);
        o.comment = 0;
        o.quote = '\n';
        same_as_libcsv(name, p, n, o);
        o.delimiter = '\n';
        same_as_libcsv(name, p, n, o);
    }
}

/* Every file of a directory (its first MiB) handed to each: returns the
   number of files. */
static size_t for_each_file(const char *dir, void (*each)(const char *, const char *, size_t)) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        char *buf = malloc(1 << 20);
        assert_non_null(buf);
        size_t n = fread(buf, 1, 1 << 20, f);
        fclose(f);
        each(path, buf, n);
        free(buf);
        files++;
    }
    closedir(d);
    return files;
}

/* Every file of a directory, with the options each test varies. */
static size_t same_for_dir(const char *dir) {
    return for_each_file(dir, same_for_options);
}

/* ---- reading ahead changes nothing ---- */

/* The reading of [p, p + n) with o, from a file and a pipe, in batches of
   max_rows, the same with and without reading ahead.  When there is an
   error, only the error: the reader stops at the first error wherever its
   parse got to, and the pieces it parses ahead in are not those it would
   parse when asked, so the rows handed out before an error may end a
   batch sooner or later (as through a pipe, see same_as_libcsv). */
static void same_read_ahead(const char *name, const char *p, size_t n, struct csv_options o,
                            size_t max_rows) {
    for (int piped = 0; piped < 2; piped++) {
        struct bad_log log[2] = { { .answer = CSV_KEEP }, { .answer = CSV_KEEP } };
        char *got[2];
        for (int k = 0; k < 2; k++) {
            put(&log[k].t, "");
            if (o.bad_row)
                o.bad_row_ctx = &log[k];
            read_ahead = k;
            got[k] = read_all(p, n, &o, piped, max_rows);
        }
        read_ahead = 0;
        const char *e0 = error_line(got[0]), *e1 = error_line(got[1]);
        const char *a = e0 ? e0 : got[0], *b = e1 ? e1 : got[1];
        if (strcmp(a, b) != 0)
            fail_msg("%s (%s, %zu rows): reading ahead:\n%.2000s\nnot:\n%.2000s", name,
                     piped ? "pipe" : "file", max_rows, b, a);
        if (!piped && !e0 && strcmp(log[0].t.p, log[1].t.p) != 0)
            fail_msg("%s: bad_row saw, reading ahead:\n%.2000s\nnot:\n%.2000s", name,
                     log[1].t.p, log[0].t.p);
        free(got[0]);
        free(got[1]);
        free(log[0].t.p);
        free(log[1].t.p);
    }
}

/* Batches of 1 row and of 7 with bad_row (the rows move at every batch),
   of 1000 without (an error ends the reading). */
static void read_ahead_options(const char *name, const char *p, size_t n) {
    struct csv_options o = detect();
    same_read_ahead(name, p, n, o, 1000);
    o.bad_row = on_bad;
    same_read_ahead(name, p, n, o, 1);
    same_read_ahead(name, p, n, o, 7);
}

static size_t read_ahead_dir(const char *dir) {
    return for_each_file(dir, read_ahead_options);
}

/* Rows of three fields with quoted fields of every kind, written with the
   delimiter d and the quote q ('"' and ',' in the templates), ended by LF,
   CRLF and CR in turn: escaped quotes, empty quoted fields, line ends
   inside quotes, quoted fields first and last, fields that are only a
   quote or a line end, text after a closing quote and quotes inside plain
   fields (libcsv's non-strict readings), comment characters inside quotes,
   long fields over many pieces; with ragged, rows of other widths too. */
static void quoted_rows(struct text *t, int rows, char d, char q, int ragged) {
    static const char *const eol[] = { "\n", "\r\n", "\r" };
    static const char *const kind[] = {
        "%d,plain,1",
        "%d,\"q \"\"x\"\" y\",\"z\"",
        "\"%d\",\"\",",
        "%d,\"line1\nline2\",\"a\r\nb\"",
        "%d,\"cr\rinside\",\"\r\"",
        "%d,\"with, comma\",\"NA\"",
        "%d,\"\"\"\",\"x\"\"\"",
        "%d,\"ab\"cd,e",
        "%d,ab\"c,d",
        "%d,\"a\" ,b",
        "%d,\"\",\"\"",
        "",
        "%d,\"ab\r\",\"\n\n\n\"",
        "%d,\"a\"\"\",\"\"\"b\"",
        "%d, \"a\",b",
        "%d,\"\n#not a comment\",\"\r\n\"",
        "%d,\"\",NA",
        "%d,\"x\"\"\"\"\"\"y\",\"\"\"\"\"\"",
        "%d,\"\"\"\"\"\"",
        "%d,\"a\"\"b\"c\",d",
    };
    size_t nk = sizeof kind / sizeof *kind, from = t->len;
    put(t, "\"id\",\"a \"\"b\"\"\",\"c\nd\"%s", eol[0]);
    for (int i = 0; i < rows; i++) {
        if (ragged && i % 53 == 7)
            put(t, "%d,\"x\",\"y\",\"\"", i);
        else if (ragged && i % 53 == 20)
            put(t, "\"%d\"", i);
        else if (i % 2011 == 1000) {         /* long: many pieces of a pipe */
            put(t, "%d,\"", i);
            for (int k = 0; k < 3000; k++)
                put(t, "%s%d \"\"%s\"\", ", k % 7 ? "" : "\n", k, k % 11 ? "" : "\r\n");
            put(t, "\",\"end\"");
        } else if (i % 97 == 50)
            put(t, "#comment,\"x\n");        /* a comment line with --comment '#' */
        else
            put(t, kind[i % nk], i);
        put(t, "%s", eol[(i / nk) % 3]);
    }
    for (size_t k = from; k < t->len; k++)
        t->p[k] = t->p[k] == ',' ? d : t->p[k] == '"' ? q : t->p[k];
}

static void test_fast_rows(void **state) {
    (void)state;
    /* the test corpora and the CSV fuzzing corpus, when run from the top
       of the tree (make unit) */
    if (access("tests/corpus/files", R_OK) == 0) {
        assert_true(same_for_dir("tests/corpus/files") > 400);
        assert_true(same_for_dir("tests/csv-spectrum/csvs") > 10);
        assert_true(same_for_dir("tests/fuzz/corpus/fuzz_csv") > 700);
    }
    /* rows with and without quotes, blank lines, CR, LF and CRLF, empty
       fields, NULL markers and long fields, over many pieces */
    struct text t = { 0 };
    put(&t, "id,name,v\n");
    for (int i = 0; i < 20000; i++) {
        static const char *const eol[] = { "\n", "\r\n", "\r" };
        if (i % 997 == 0)
            put(&t, "%d,\"q, %d\",1%s", i, i, eol[i % 3]);
        else if (i % 301 == 0)
            put(&t, "%s", eol[(i / 301) % 3]);
        else if (i % 89 == 0)
            put(&t, "%d,,NA%s", i, eol[(i / 89) % 3]);
        else if (i % 1009 == 0)
            put(&t, "%d,%0*d,%d%s", i, 3000, 0, i, eol[i % 3]);
        else
            put(&t, "%d,name %d,%d.5%s", i, i % 50, i, eol[(i / 7) % 3]);
    }
    struct csv_options o = detect();
    o.nulls = (const char *const[]){ "NA" };
    o.n_nulls = 1;
    same_as_libcsv("generated", t.p, t.len, o);
    /* a ragged row handed to bad_row */
    put(&t, "1,2\n3,4,5,6\n");
    same_as_libcsv("generated, ragged", t.p, t.len, o);
    /* one column: NULL rows from blank lines */
    const char *one = "x\n1\n\n\r\n2\n\n";
    same_as_libcsv("one column", one, strlen(one), detect());

    /* quoted fields of every kind */
    t.len = 0;
    quoted_rows(&t, 20000, ',', '"', 0);
    same_for_options("quoted", t.p, t.len);
    o = detect();
    o.bad_row = on_bad;
    o.nulls = (const char *const[]){ "NA", "" };
    for (o.n_nulls = 1; o.n_nulls <= 2; o.n_nulls++)
        same_as_libcsv("quoted, NULL markers", t.p, t.len, o);
    o.n_nulls = 0;
    o.header = 0;
    same_as_libcsv("quoted, no header", t.p, t.len, o);
    /* rows of other widths: an error, or bad_row seeing every field */
    t.len = 0;
    quoted_rows(&t, 5000, ',', '"', 1);
    same_for_options("quoted, ragged", t.p, t.len);
    /* other characters: ';' and '\'', and the quote as the delimiter */
    t.len = 0;
    quoted_rows(&t, 5000, ';', '\'', 0);
    o = detect();
    o.bad_row = on_bad;
    same_as_libcsv("quoted with '", t.p, t.len, o);
    o.delimiter = ';';
    o.quote = '\'';
    o.header = 1;
    same_as_libcsv("quoted with ', given", t.p, t.len, o);
    o.quote = ';';
    same_as_libcsv("quote and delimiter ;", t.p, t.len, o);
    free(t.p);
    /* the end of the input: a quoted last field with no line end, one
       never closed, text after it; one column of quoted fields and blank
       lines */
    static const char *const ends[] = {
        "a,b\n1,\"x\"", "a,b\n1,\"x\"\"\"", "a,b\n1,\"\"", "a,b\n1,\"x\n", "a,b\n1,\"x\"\"\n",
        "a,b\n\"1\n", "a,b\n1,\"x\"y", "a,b\n1,\"x\"\r", "a,b\n\"\",\"\"\r\n\"", "\"a\"",
        "x\n\"1\"\n\n\"\"\n\r\n\"a\nb\"\n\n\"\"\"\"\n\n", "x\n\"\"\n\n",
    };
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++)
        same_for_options(ends[i], ends[i], strlen(ends[i]));
}

/* Batches, rows, line numbers, errors and what bad_row sees are the same
   when the reader reads ahead between batches: over the corpora, and over
   inputs larger than the row buffers (so that the read-ahead block fills
   before the cut, and rows move back from it at every batch). */
static void test_read_ahead(void **state) {
    (void)state;
    if (access("tests/corpus/files", R_OK) == 0) {
        assert_true(read_ahead_dir("tests/corpus/files") > 400);
        assert_true(read_ahead_dir("tests/csv-spectrum/csvs") > 10);
    }
    struct text t = { 0 };
    quoted_rows(&t, 200000, ',', '"', 0);
    assert_true(t.len > ROW_BYTES + ROW_BYTES / 2);
    struct csv_options o = detect();
    o.comment = '#';
    o.bad_row = on_bad;              /* the non-strict readings make rows of other widths */
    same_read_ahead("quoted", t.p, t.len, o, 1000);
    read_ahead_reads = 0;
    same_read_ahead("quoted", t.p, t.len, o, 1u << 20);
    assert_true(read_ahead_reads > 2);
    t.len = 0;
    quoted_rows(&t, 200000, ',', '"', 1);
    same_read_ahead("quoted, ragged", t.p, t.len, o, 1u << 20);
    /* an error met while reading ahead, at rows of every batch size */
    t.len = 0;
    put(&t, "a,b\n");
    for (int i = 0; i < 300000; i++)
        put(&t, i % 100000 == 99999 ? "%d\n" : "%d,x%d\n", i, i);
    o = detect();
    for (size_t rows = 1000; rows <= 1000000; rows *= 10)
        same_read_ahead("an error", t.p, t.len, o, rows);
    t.len -= t.len / 2;              /* the error in the first batch, or in none */
    same_read_ahead("an error, cut", t.p, t.len, o, 1u << 20);
    /* one column with blank lines: NULL rows held until text follows */
    t.len = 0;
    put(&t, "x\n");
    for (int i = 0; i < 400000; i++)
        put(&t, i % 5 ? "%d\n" : "\n", i);
    same_read_ahead("one column", t.p, t.len, detect(), 1u << 20);
    /* a field larger than the read-ahead block */
    t.len = 0;
    put(&t, "a,b\n");
    for (int i = 0; i < 200000; i++)
        put(&t, "%d,x%d\n", i, i);
    put(&t, "1,\"%0*d\"\n2,y\n", 3 << 20, 0);
    same_read_ahead("long field", t.p, t.len, detect(), 1u << 20);
    free(t.p);
}

/* A reader of 400000 short rows from a mapped file, its first batch
   handed out (t and in for the caller to free and close). */
static struct csv_reader *first_batch(struct text *t, struct input *in) {
    put(t, "a,b\n");
    for (int i = 0; i < 400000; i++)
        put(t, "%d,x%d\n", i, i);
    struct csv_options o = detect();
    input_open(in, t->p, t->len, 0);
    struct csv_reader *r = NULL;
    assert_int_equal(csv_open(pool, in->fd, &o, ROW_BYTES, &r), ERR_OK);
    struct csv_batch *b;
    assert_int_equal(csv_next_batch(r, 1u << 20, &b), ERR_OK);
    assert_non_null(b);
    return r;
}

/* A csv_prefetch() that finds no room reads nothing and leaves the next
   one free to make the block. */
static void test_read_ahead_later(void **state) {
    (void)state;
    struct text t = { 0 };
    struct input in;
    struct csv_reader *r = first_batch(&t, &in);
    struct csv_batch *b;
    uint64_t before = csv_bytes_in(r);
    csv_prefetch(r, 1u << 20, pool_budget(pool));     /* no room left to keep */
    assert_true(csv_bytes_in(r) == before);
    assert_int_equal(csv_next_batch(r, 1u << 20, &b), ERR_OK);
    assert_non_null(b);
    before = csv_bytes_in(r);
    csv_prefetch(r, 1u << 20, 0);
    assert_true(csv_bytes_in(r) > before);
    csv_close(r);
    input_close(&in);
    free(t.p);
}

/* csv_reserve_ahead() makes the block csv_prefetch() then parses into:
   the prefetch takes no more memory, and reads ahead; with no room to
   keep, neither makes one. */
static void test_reserve_ahead(void **state) {
    (void)state;
    struct text t = { 0 };
    struct input in;
    struct csv_reader *r = first_batch(&t, &in);
    size_t used = pool_used(pool);
    csv_reserve_ahead(r, pool_budget(pool));             /* no room left to keep */
    assert_true(pool_used(pool) == used);
    csv_reserve_ahead(r, 0);
    size_t made = pool_used(pool);
    assert_true(made > used);
    uint64_t before = csv_bytes_in(r);
    csv_prefetch(r, 1u << 20, 0);
    assert_true(csv_bytes_in(r) > before);
    assert_true(pool_used(pool) == made);                /* the same block */
    csv_close(r);
    input_close(&in);
    free(t.p);
}

/* Parsing on two threads against one, both reading ahead (the second
   thread parses into the read-ahead block): the same batches, line
   numbers, errors and bad_row calls. */
static void same_split(const char *name, const char *p, size_t n, struct csv_options o,
                       size_t max_rows) {
    struct bad_log log[2] = { { .answer = CSV_KEEP }, { .answer = CSV_KEEP } };
    char *got[2];
    read_ahead = 1;
    for (int k = 0; k < 2; k++) {
        put(&log[k].t, "");
        if (o.bad_row)
            o.bad_row_ctx = &log[k];
        o.threads = k ? 2 : 1;
        got[k] = read_all(p, n, &o, 0, max_rows);
    }
    read_ahead = 0;
    if (strcmp(got[0], got[1]) != 0)
        fail_msg("%s (%zu rows): two threads:\n%.2000s\none:\n%.2000s", name, max_rows,
                 got[1], got[0]);
    if (strcmp(log[0].t.p, log[1].t.p) != 0)
        fail_msg("%s: bad_row saw, two threads:\n%.2000s\none:\n%.2000s", name,
                 log[1].t.p, log[0].t.p);
    free(got[0]);
    free(got[1]);
    free(log[0].t.p);
    free(log[1].t.p);
}

static void test_parse_split(void **state) {
    (void)state;
    struct text t = { 0 };
    struct csv_options o = detect();
    /* plain rows, CRLF, blank lines, NULL markers, a row longer than a
       piece, a short row (an error without bad_row, kept with it) */
    put(&t, "id,name,value\r\n");
    for (int i = 0; i < 300000; i++) {
        if (i % 1000 == 999)
            put(&t, "\r\n");
        if (i == 150001)
            put(&t, "%d,%0*d,1\r\n", i, 70000, 7);
        else if (i == 250003)
            put(&t, "%d,short\r\n", i);
        else
            put(&t, i % 7 ? "%d,n%d,%d.5\r\n" : "%d,NA,%d\r\n", i, i * 3, i % 1000);
    }
    static const char *const na[] = { "NA" };
    o.nulls = na;
    o.n_nulls = 1;
    rows_split = 0;
    same_split("plain", t.p, t.len, o, 1u << 20);
    o.bad_row = on_bad;
    same_split("plain, bad_row", t.p, t.len, o, 1u << 20);
    same_split("plain, bad_row", t.p, t.len, o, 100000);
    assert_true(rows_split > 100000);
    /* quoted line ends everywhere: the split point where the next line's
       quotes are even */
    t.len = 0;
    put(&t, "a,b,c\n");
    for (int i = 0; i < 500000; i++)
        put(&t, i % 20000 == 19999 ? "%d,\"p\nq\",r,s%d\n" :   /* too wide */
                i % 3 ? "%d,\"x\n%d\",\"\"\"\"\n" : "%d,\"y,\"\"%d\"\"\",z\n", i, i);
    o = detect();
    o.bad_row = on_bad;
    rows_split = 0;
    same_split("quoted line ends", t.p, t.len, o, 1u << 20);
    assert_true(rows_split > 50000);
    /* lines inside quoted fields that look like record starts (an even
       count of quotes): the split point chosen there must cost rows of
       neither reading */
    t.len = 0;
    put(&t, "a,b,c\n");
    for (int i = 0; i < 500000; i++)
        put(&t, i % 5 ? "%d,s,t\n" : "%d,\"p\n%d,x,y\n1,2,3\nq\",r\n", i, i);
    o = detect();
    same_split("misleading line ends", t.p, t.len, o, 1u << 20);
    /* every record spans two lines of an odd count of quotes: no line
       looks like a record start, and the quotes are counted instead */
    t.len = 0;
    put(&t, "a,b,c\n");
    for (int i = 0; i < 500000; i++)
        put(&t, "%d,\"p\nq%d\",r\n", i, i);
    rows_split = 0;
    same_split("records of two lines", t.p, t.len, o, 1u << 20);
    assert_true(rows_split > 50000);
    /* every kind of quoted field and the non-strict readings (rows of other
       widths), where the quotes mislead */
    t.len = 0;
    quoted_rows(&t, 200000, ',', '"', 0);
    o.bad_row = on_bad;
    same_split("quoted", t.p, t.len, o, 1u << 20);
    t.len = 0;
    quoted_rows(&t, 200000, ',', '"', 1);
    same_split("quoted, ragged", t.p, t.len, o, 1u << 20);
    o.bad_row = NULL;
    same_split("quoted, ragged, no bad_row", t.p, t.len, o, 1u << 20);
    free(t.p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delimiter),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_header_format),
        cmocka_unit_test(test_comment),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_detect_comment),
        cmocka_unit_test(test_detect_preamble),
        cmocka_unit_test(test_bad_row),
        cmocka_unit_test(test_bad_row_many),
        cmocka_unit_test(test_batch_drop),
        cmocka_unit_test(test_large_sample),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_truncated_sample),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_one_column_blank),
        cmocka_unit_test(test_no_quote),
        cmocka_unit_test(test_fast_rows),
        cmocka_unit_test(test_read_ahead),
        cmocka_unit_test(test_read_ahead_later),
        cmocka_unit_test(test_reserve_ahead),
        cmocka_unit_test(test_parse_split),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
