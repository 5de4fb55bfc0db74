/* codec.h -- page compression codecs: zstd, gzip, snappy, LZ4 (raw and the
   Hadoop-framed form), none.

   A codec_ctx holds one compressor's state (zstd CCtx, zlib stream) whose
   memory comes from the pool through the libraries' custom allocators, so
   no codec allocates behind the pool's back.  One context per thread; a
   context is reused for every page it compresses.

   Snappy is written here from google/snappy's format_description.txt (there
   is no C snappy library without C++).

   Failure: functions return ERR_OK; ERR_NOMEM when the pool cannot hold a
   context; ERR_UNSUPPORTED for BROTLI and LZO; ERR_CODEC when compressed
   input is malformed or does not decompress to exactly the size the page
   header announced.  Decompression never writes past dst + dst_len and never
   reads past src + src_len.
 */
#ifndef CSV2PQ_CODEC_H
#define CSV2PQ_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "pool.h"

/* enum CompressionCodec of parquet.thrift */
enum codec_id {
    CODEC_UNCOMPRESSED = 0, CODEC_SNAPPY = 1, CODEC_GZIP = 2, CODEC_LZO = 3,
    CODEC_BROTLI = 4, CODEC_LZ4 = 5, CODEC_ZSTD = 6, CODEC_LZ4_RAW = 7
};

/* "UNCOMPRESSED", "SNAPPY", ... for any value (unknown ones too). */
const char *codec_name(int codec);

struct codec_ctx;

/* A compressor for codec (UNCOMPRESSED, SNAPPY, GZIP or ZSTD) at level
   (0 = the codec's default: zstd 3, gzip 6; zstd takes ZSTD_minCLevel() to
   ZSTD_maxCLevel(), gzip 1 to 9; SNAPPY and UNCOMPRESSED ignore it).
   Returns ERR_OK with *ctx set; ERR_UNSUPPORTED for another codec or a
   level out of range; ERR_NOMEM when the pool cannot hold the state: 262 KiB
   for gzip; 5 KiB for zstd, whose workspace is sized by the first page
   (for 1 MiB pages: 2.6 MiB at level 3, 12.5 MiB at 9, 17 MiB at 19+). */
int codec_create(pool_t *pool, int codec, int level, struct codec_ctx **ctx);
void codec_free(struct codec_ctx *ctx);

/* Bytes of working memory a compressor takes for inputs of at most max
   bytes (after codec_set_max_input), for planning a memory budget. */
size_t codec_workspace(int codec, int level, size_t max);

/* Size the compressor once for inputs of at most max bytes: its working
   memory is taken from the pool now, in one block, and never again (zstd
   would otherwise free and take memory as input sizes change, which a
   fixed budget cannot afford).  ERR_NOMEM when the block does not fit. */
int codec_set_max_input(struct codec_ctx *ctx, size_t max);

/* What the next inputs hold, for zstd to tune its match finder to
   (codec_set_max_input() sizes the workspace for every kind):
   CODEC_DATA_VALUES8, pages of 8-byte values (PLAIN INT64 and DOUBLE),
   whose repeated values it then finds with a larger table of 8-byte
   hashes, or, at the levels whose match finder is double-fast (3 and 4 for
   large pages), for pages of up to 1 MiB (at level 3) whose units repeat
   their low bytes (decimals stored as doubles), a parser that looks once
   per unit, zstd coding what it finds into the same kind of frame;
   CODEC_DATA_TEXT, byte arrays, where it takes no match shorter
   than 6 bytes; CODEC_DATA_IDS, byte arrays of one length none of which
   repeats (UUIDs, hashes, tokens): when a page of them also looks random,
   it takes no match shorter than 7 bytes and searches less, otherwise it
   treats the page as CODEC_DATA_TEXT; CODEC_DATA_PACKED, bit-packed
   integers (DELTA_BINARY_PACKED), where it takes matches of 4 bytes and
   keeps its tables of positions small (32 KiB each) to stay in the cache;
   CODEC_DATA_ANY (the default) for anything else.  Other codecs ignore
   it. */
enum codec_data { CODEC_DATA_ANY = 0, CODEC_DATA_VALUES8 = 1, CODEC_DATA_TEXT = 2,
                  CODEC_DATA_IDS = 3, CODEC_DATA_PACKED = 4 };
void codec_set_data(struct codec_ctx *ctx, int data);

/* Most bytes compressing n bytes can produce; 0 for a codec that
   codec_create() does not accept. */
size_t codec_bound(int codec, size_t n);

/* Compress [src, src+n) into dst (capacity cap >= codec_bound); *out_len
   receives the compressed size.  ERR_INTERNAL when cap is too small;
   ERR_NOMEM when zstd cannot grow its workspace in the pool; ERR_TOOBIG
   for n >= 4 GiB (snappy, gzip). */
int codec_compress(struct codec_ctx *ctx, const void *src, size_t n,
                   void *dst, size_t cap, size_t *out_len);

/* Decompress a whole page: [src, src+src_len) must expand to exactly
   dst_len bytes.  GZIP accepts concatenated members; ZSTD concatenated and
   skippable frames; LZ4 accepts the Hadoop framing and falls back to a raw
   LZ4 block, then to the LZ4 frame format.  Decompressor state (zstd DCtx
   ~96 KiB, zlib stream ~7 KiB, LZ4 frame context) is taken from and
   returned to the pool; ERR_NOMEM when it does not fit. */
int codec_decompress(pool_t *pool, int codec, const void *src, size_t src_len,
                     void *dst, size_t dst_len);

/* Streaming decompression of a whole gzip (any number of members) or zstd
   (any number of frames) input, a piece at a time, in bounded memory.
   codec_stream_detect() names the format from the first bytes:
   CODEC_GZIP, CODEC_ZSTD, or CODEC_UNCOMPRESSED.  codec_stream_read()
   consumes up to src_len bytes (*used) and produces up to cap bytes
   (*made); call it again with the rest.  ERR_CODEC for corrupt data,
   ERR_TOOBIG for a zstd window larger than 2^window_log_max, ERR_NOMEM.
   At the end of the input, codec_stream_finished() tells whether the last
   member or frame was complete (a truncated input is not). */
struct codec_stream;
int codec_stream_detect(const void *p, size_t n);
int codec_stream_open(pool_t *pool, int kind, int window_log_max, struct codec_stream **s);
int codec_stream_read(struct codec_stream *s, const void *src, size_t src_len, size_t *used,
                      void *dst, size_t cap, size_t *made);
int codec_stream_finished(const struct codec_stream *s);
void codec_stream_free(struct codec_stream *s);

/* Snappy block format, exposed for tests. */
size_t snappy_bound(size_t n);
size_t snappy_compress(const uint8_t *src, size_t n, uint8_t *dst);  /* returns size */
/* (dst holds snappy_bound(n) bytes; n < 2^32; uses 32 KiB of stack) */
/* ERR_OK when [src, src+n) is a valid snappy block of exactly dst_len bytes. */
int snappy_decompress(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len);
/* The uncompressed length from a snappy block's preamble; ERR_CODEC if bad. */
int snappy_uncompressed_length(const uint8_t *src, size_t n, size_t *len);

#endif
