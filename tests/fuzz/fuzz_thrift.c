/* libFuzzer target: the Thrift compact decoder through the Parquet
   metadata structs.  The bytes are decoded as a FileMetaData and, from the
   start again, as a PageHeader; every pool buffer must come back. */
#include <stdint.h>
#include <stdlib.h>

#include "err.h"
#include "pool.h"
#include "pqmeta.h"
#include "thrift_compact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static pool_t *pool;
    if (!pool && !(pool = pool_create((size_t)64 << 20)))
        abort();
    struct tc_reader r;
    struct pq_file_meta m = { 0 };
    tc_reader_init(&r, data, size);
    pqm_decode_file_meta(&r, pool, &m);
    pqm_free_file_meta(pool, &m);

    struct pq_page_header h = { 0 };
    tc_reader_init(&r, data, size);
    pqm_decode_page_header(&r, &h);
    if (pool_live(pool) != 0)
        abort();
    return 0;
}
