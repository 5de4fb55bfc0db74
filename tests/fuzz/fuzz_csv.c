/* libFuzzer target: bytes -> csv2pq -> csv2pq -d, the whole program in
   process.  main.c is compiled with -Dmain=csv2pq_main; each input is
   written to a file in a per-process temporary directory and converted
   twice with default dialect options:

     A  csv2pq -q -m 8M -j 1 IN -o A.parquet          (the input mmap'ed)
     B  csv2pq -q -m 8M -j 3 -o B.parquet < pipe      (read in chunks)

   (both with --row-group-size 7 when the input's length is odd, so that
   later row groups, and values that do not fit the types the first one
   chose, are reached with small inputs too; and by the length, with
   nothing more, --quote '', --delimiter '' or --on-error null, A then with
   -v instead of -q)
   and checked:
     - each exit status is 0, 1, 2 or 3, and A's is B's, except for type
       drift (a later value that needs a wider type), which A mends by
       converting again and B reports (status 1, or with --on-error null
       makes NULL); when one of them ran out of memory (3) and the other
       did not (B reads through a buffer and holds three encoders, so with
       thousands of columns 8 MiB can hold A and not B), that one is run
       again with -m 512M and then must agree;
     - a failure prints "csv2pq: ..." on stderr (never an internal error)
       and leaves no output file and no temporary file behind;
     - a success prints nothing with -q, and A and B are the same bytes (a
       file and a pipe, one thread and three, give the same Parquet file)
       unless A mended a drift;
     - a file that encoded decodes: csv2pq -d exits 0 and prints nothing
       (with -m 16M, or when that budget is too small and says so, 512M).
   A failed check aborts, so libFuzzer and the replay driver report it.

   Build with -DFUZZ_CSV_SKIP_KNOWN to skip inputs that hit bugs already
   reported (see tests/corpus/KNOWN_BUGS), so a fuzzing run can look past
   them; the replay in `make check` runs everything. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int csv2pq_main(int argc, char **argv);

/* Sanitizer reports go to the real stderr while fd 2 is redirected (a
   weak reference: absent in a plain build). */
extern void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

static char dir[4096], in_path[4200], a_path[4200], b_path[4200], csv_path[4200], err_path[4200];
static char errbuf[4096];

static void fatal(const char *what) {
    fprintf(stderr, "fuzz_csv: %s\n", what);
    abort();
}

static void remove_dir(void) {
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[8400];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

static void setup(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fuzz_csv.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        fatal("cannot create a temporary directory");
    snprintf(in_path, sizeof in_path, "%s/in.csv", dir);
    snprintf(a_path, sizeof a_path, "%s/a.parquet", dir);
    snprintf(b_path, sizeof b_path, "%s/b.parquet", dir);
    snprintf(csv_path, sizeof csv_path, "%s/out.csv", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    atexit(remove_dir);
    signal(SIGPIPE, SIG_IGN);
    if (__sanitizer_set_report_fd) {
        int fd = dup(STDERR_FILENO);
        if (fd >= 0)
            __sanitizer_set_report_fd((void *)(intptr_t)fd);
    }
}

/* Run csv2pq_main(argv) with stderr captured in errbuf and, when in_fd >=
   0, standard input taken from in_fd.  Returns its exit status. */
static int run(char **argv, int in_fd) {
    int argc = 0;
    while (argv[argc])
        argc++;
    fflush(stdout);
    fflush(stderr);
    int saved_err = dup(STDERR_FILENO), saved_in = -1;
    int efd = open(err_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (saved_err < 0 || efd < 0 || dup2(efd, STDERR_FILENO) < 0)
        fatal("cannot redirect stderr");
    close(efd);
    if (in_fd >= 0) {
        saved_in = dup(STDIN_FILENO);
        if (saved_in < 0 || dup2(in_fd, STDIN_FILENO) < 0)
            fatal("cannot redirect stdin");
    }
    optind = 0;                      /* glibc: restart getopt from scratch */
    int status = csv2pq_main(argc, argv);
    fflush(stderr);
    dup2(saved_err, STDERR_FILENO);
    close(saved_err);
    if (saved_in >= 0) {
        dup2(saved_in, STDIN_FILENO);
        close(saved_in);
    }
    errbuf[0] = 0;
    FILE *f = fopen(err_path, "rb");
    if (f) {
        size_t n = fread(errbuf, 1, sizeof errbuf - 1, f);
        errbuf[n] = 0;
        fclose(f);
    }
    return status;
}

struct feed {
    int fd;
    const uint8_t *data;
    size_t size;
};

static void *feeder(void *arg) {
    struct feed *f = arg;
    size_t off = 0;
    while (off < f->size) {
        ssize_t n = write(f->fd, f->data + off, f->size - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;                   /* EPIPE: csv2pq stopped reading */
        off += (size_t)n;
    }
    close(f->fd);
    return NULL;
}

static int exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
}

/* No temporary output file (".NAME.csv2pq-XXXXXX") may be left behind. */
static void check_no_temp(void) {
    DIR *d = opendir(dir);
    if (!d)
        fatal("cannot read the temporary directory");
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] == '.' && strstr(e->d_name, ".csv2pq-"))
            fatal("a temporary output file was left behind");
    closedir(d);
}

static void check_status(int status, const char *what, int quiet) {
    if (status < 0 || status > 3) {
        fprintf(stderr, "fuzz_csv: %s exited with status %d: %s\n", what, status, errbuf);
        abort();
    }
    if (status == 0 && quiet && errbuf[0]) {
        fprintf(stderr, "fuzz_csv: %s succeeded but printed with -q: %s\n", what, errbuf);
        abort();
    }
    if (status != 0 && (strncmp(errbuf, "csv2pq: ", 8) != 0 ||
                        strncmp(errbuf, "csv2pq: internal error", 22) == 0)) {
        fprintf(stderr, "fuzz_csv: %s exited with status %d and this on stderr: %s\n", what, status, errbuf);
        abort();
    }
}

/* Run csv2pq_main(argv) reading data through a pipe, and check what a
   failure leaves. */
static int run_pipe(char **argv, const uint8_t *data, size_t size) {
    int p[2];
    if (pipe(p) != 0)
        fatal("cannot make a pipe");
    struct feed fd_arg = { p[1], data, size };
    pthread_t t;
    if (pthread_create(&t, NULL, feeder, &fd_arg) != 0)
        fatal("cannot start the feeder thread");
    int status = run(argv, p[0]);
    close(p[0]);                     /* the feeder gets EPIPE if csv2pq stopped early */
    pthread_join(t, NULL);
    check_status(status, "encoding through a pipe", 1);
    if (status != 0 && exists(b_path))
        fatal("a failed conversion left its output file");
    check_no_temp();
    return status;
}

static int same_file(const char *p, const char *q) {
    FILE *f = fopen(p, "rb"), *g = fopen(q, "rb");
    int same = f && g;
    while (same) {
        int c = getc(f), d = getc(g);
        if (c != d)
            same = 0;
        if (c == EOF || d == EOF)
            break;
    }
    if (f)
        fclose(f);
    if (g)
        fclose(g);
    return same;
}

#ifdef FUZZ_CSV_SKIP_KNOWN
/* Inputs that may reach bugs already reported, told apart coarsely: a NUL
   byte anywhere (header names are compared as C strings: an endless loop
   when two of them hold a NUL), or a first line of more than 500 fields
   (duplicate names are made unique in cubic time). */
static int known_bug(const uint8_t *data, size_t size) {
    if (memchr(data, 0, size))
        return 1;
    size_t fields = 1;
    for (size_t i = 0; i < size && data[i] != '\n' && data[i] != '\r'; i++)
        fields += data[i] == ',';
    return fields > 500;
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!dir[0])
        setup();
#ifdef FUZZ_CSV_SKIP_KNOWN
    if (known_bug(data, size))
        return 0;
#endif
    FILE *f = fopen(in_path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        fatal("cannot write the input file");
    unlink(a_path);
    unlink(b_path);
    unlink(csv_path);

    /* A: from the file, one thread */
    char *rg = size % 2 ? "--row-group-size" : "-q", *rg_n = size % 2 ? "7" : "-q";
    /* and by the size, a dialect or error option: none, no quoting, no
       delimiter, bad rows and values made NULL */
    static char *const opt[4][2] = {
        { "-q", "-q" }, { "--quote", "" }, { "--delimiter", "" }, { "--on-error", "null" }
    };
    char *o1 = opt[size / 2 % 4][0], *o2 = opt[size / 2 % 4][1];
    int null_mode = size / 2 % 4 == 3;  /* -v then tells a widened column */
    char *argv_a[] = { "csv2pq", null_mode ? "-v" : "-q", "-m", "8M", "-j", "1", rg, rg_n, o1, o2,
                       in_path, "-o", a_path, NULL };
    int sa = run(argv_a, -1);
    check_status(sa, "encoding the file", !null_mode);
    if (sa != 0 && exists(a_path))
        fatal("a failed conversion left its output file");
    char err_a[sizeof errbuf];
    memcpy(err_a, errbuf, sizeof errbuf);

    /* B: through a pipe, three threads */
    char *argv_b[] = { "csv2pq", "-q", "-m", "8M", "-j", "3", rg, rg_n, o1, o2, "-o", b_path, NULL };
    int sb = run_pipe(argv_b, data, size);
    /* A pipe is read through a buffer and three threads hold three
       encoders, so B may need more memory than A, and with thousands of
       columns 8 MiB can hold one and not the other: the side that ran out
       must, with more memory, do what the other did. */
    if (sa != sb && (sa == 3 || sb == 3)) {
        if (sa == 3) {
            argv_a[3] = "512M";
            sa = run(argv_a, -1);
            check_status(sa, "encoding the file with 512M", !null_mode);
            if (sa != 0 && exists(a_path))
                fatal("a failed conversion left its output file");
            memcpy(err_a, errbuf, sizeof errbuf);
        } else {
            argv_b[3] = "512M";
            sb = run_pipe(argv_b, data, size);
        }
    }
    /* Type drift: a regular file is converted again with wider types, a
       pipe stops with the value (or with --on-error null makes it NULL,
       so that both succeed with other files); anything else must agree. */
    int drift = (sa == 0 && sb == 1 && strstr(errbuf, ", but this value is ") != NULL) ||
                (sa == 0 && sb == 0 && null_mode && strstr(err_a, " widened from ") != NULL);
    if (sa != sb && !drift) {
        fprintf(stderr, "fuzz_csv: the file gave status %d (%s), the pipe %d (%s)\n",
                sa, err_a, sb, errbuf);
        abort();
    }
    if (sa != 0)
        return 0;
    if (!drift && !same_file(a_path, b_path))
        fatal("the file and the pipe gave different Parquet files");

    /* decode what was written */
    char *argv_d[] = { "csv2pq", "-d", "-q", "-m", "16M", a_path, "-o", csv_path, NULL };
    int sd = run(argv_d, -1);
    if (sd == 3 && strstr(errbuf, "memory budget exhausted")) {
        /* a file of thousands of columns and row groups may need more than
           16 MiB to decode: it must decode with more */
        char *argv_m[] = { "csv2pq", "-d", "-q", "-m", "512M", a_path, "-o", csv_path, NULL };
        sd = run(argv_m, -1);
    }
    if (sd != 0 || errbuf[0]) {
        fprintf(stderr, "fuzz_csv: decoding the Parquet file csv2pq wrote failed with status %d: %s\n",
                sd, errbuf);
        abort();
    }
    check_no_temp();
    return 0;
}
