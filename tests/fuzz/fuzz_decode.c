/* libFuzzer target: a whole Parquet file decoded to CSV (with one thread
   or two), then its metadata and schema printed, all to /dev/null, with a
   64 MiB pool.  Every pool buffer must come back whatever the outcome. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>

#include "err.h"
#include "pool.h"
#include "pqread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static pool_t *pool;
    static int null_fd = -1;
    if (!pool && !(pool = pool_create((size_t)64 << 20)))
        abort();
    if (null_fd < 0 && (null_fd = open("/dev/null", O_WRONLY)) < 0)
        abort();
    static const int modes[] = { PQR_CSV, PQR_META, PQR_SCHEMA };
    for (int i = 0; i < 3; i++) {
        /* one thread or two, by the input's size: both paths of the CSV
           output, which must give the same bytes */
        struct pqr_options o = { modes[i], ',', "", 0, NULL, -1, 1 + (int)(size & 1) };
        struct pqr_where w;
        pqr_run_mem(pool, data, size, "fuzz", null_fd, &o, &w);
        if (pool_live(pool) != 0)
            abort();
    }
    return 0;
}
