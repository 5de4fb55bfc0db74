/* encode.h -- Parquet value and level encodings, shared by writer and reader.

   What it owns: nothing between calls except an enc_dict, which owns its
   table and value copies (from the pool) until enc_dict_free().  The caller
   owns every input and output buffer and sizes outputs with the _bound
   functions.

   Encoders never fail except for ERR_NOMEM (enc_dict).  Decoders treat the
   input as hostile: they never read at or past `p + n`, never write more
   than the count they are given, and return ERR_TRUNCATED when the input
   ends early or ERR_CORRUPT when a header or width is impossible.

   Memory: the RLE/bit-packing functions use no heap.  An enc_dict uses
   16 bytes per slot (slots = next power of two >= 2 x distinct values, at
   least 16) plus the distinct values' PLAIN encoding, plus 4 bytes per
   distinct value for byte arrays.
 */
#ifndef CSV2PQ_ENCODE_H
#define CSV2PQ_ENCODE_H

#include <stddef.h>
#include <stdint.h>
#include "pool.h"

/* ---- bit widths and little-endian helpers ---- */

/* Bits needed for v (0 for v = 0). */
int enc_bit_width(uint64_t v);

static inline uint32_t enc_load_u32le(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t enc_load_u64le(const uint8_t *p) {
    return (uint64_t)enc_load_u32le(p) | (uint64_t)enc_load_u32le(p + 4) << 32;
}
static inline void enc_store_u32le(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void enc_store_u64le(uint8_t *p, uint64_t v) {
    enc_store_u32le(p, (uint32_t)v); enc_store_u32le(p + 4, (uint32_t)(v >> 32));
}

/* ---- RLE / bit-packed hybrid (Encodings.md), bit widths 0..32 ---- */

/* Largest encoding of n values at bit_width (no length prefix). */
size_t enc_rle_bound(size_t n, int bit_width);

/* Encode n values (each < 2^bit_width) into out, which holds at least
   enc_rle_bound(n, bit_width) bytes.  Runs of 8 or more equal values become
   RLE runs when they cover a whole group of 8 (groups counted from the end
   of the previous RLE run), the rest bit-packed groups of 8, the last one
   padded with zeros.  Returns the bytes written. */
size_t enc_rle_encode(const uint32_t *v, size_t n, int bit_width, uint8_t *out);

/* The same for levels held one byte each; the output is byte-identical to
   enc_rle_encode's for the same values. */
size_t enc_rle_encode_u8(const uint8_t *v, size_t n, int bit_width, uint8_t *out);

/* Decode exactly n values from [p, p+len) into out.  Values beyond the
   last run are an error (ERR_TRUNCATED); padding in the last bit-packed
   group is ignored, and may be missing from the last run.  bit_width 0
   gives n zeros without reading.  Values decoded from an RLE run wider than
   bit_width bits are an ERR_CORRUPT, as is a bit_width outside 0..32.
   *used, when not NULL, receives the bytes consumed (through the end of the
   run that supplied the last value). */
int enc_rle_decode(const uint8_t *p, size_t len, int bit_width,
                   uint32_t *out, size_t n, size_t *used);

/* The deprecated BIT_PACKED level encoding (MSB-first): n values. */
int enc_bitpacked_legacy_decode(const uint8_t *p, size_t len, int bit_width,
                                uint32_t *out, size_t n);

/* ---- PLAIN helpers ---- */

/* Booleans: n values (0/1) bit-packed LSB-first into out
   ((n + 7) / 8 bytes). */
void enc_plain_bool_encode(const uint8_t *v, size_t n, uint8_t *out);
int enc_plain_bool_decode(const uint8_t *p, size_t len, uint8_t *out, size_t n);

/* ---- dictionary building (writer) ---- */

/* Value kinds a dictionary holds: fixed-width values compared as bytes
   (the kind is the width: 4 and 8 for INT32, INT64/DOUBLE bit patterns,
   others for INT96 and FIXED_LEN_BYTE_ARRAY) or byte arrays. */
enum enc_dict_kind { ENC_DICT_FIXED4 = 4, ENC_DICT_FIXED8 = 8, ENC_DICT_BYTES = 0 };

struct enc_dict;

/* A dictionary for values of the given kind, sized for about `hint`
   distinct values (it grows).  NULL when the pool is exhausted. */
struct enc_dict *enc_dict_create(pool_t *pool, int kind, size_t hint);

/* Find or insert a value: *index receives its position in insertion order.
   For fixed kinds n must equal the kind's width (else ERR_INTERNAL).
   Returns ERR_OK or ERR_NOMEM (ERR_TOOBIG past 2^32 - 2 values, or when
   the byte arrays' PLAIN encoding would pass 4 GiB: no dictionary page can
   hold that); on failure the dictionary is unchanged and still usable, and
   values already in it are still found. */
int enc_dict_insert(struct enc_dict *d, const void *value, size_t n, uint32_t *index);

/* Where a byte array lies in a caller's buffer. */
struct enc_span { uint32_t off, len; };

/* Find or insert n values one after another, as enc_dict_insert does, value
   i's index into idx[i]; fixed kinds read n values of the kind's width laid
   end to end at v, ENC_DICT_BYTES the byte arrays base + s[i].  Before each
   value (a repeat included) the limits are checked: the dictionary stops
   taking values once its PLAIN size + 4 + the value's length would pass
   max_plain, or it holds max_count values.  *done receives the values
   taken (n when no limit was reached).  Errors as enc_dict_insert's
   (ERR_INTERNAL for the wrong kind), with *done the values taken before
   the one that failed. */
int enc_dict_insert_fixed(struct enc_dict *d, const uint8_t *v, size_t n, size_t max_plain,
                          size_t max_count, uint32_t *idx, size_t *done);
int enc_dict_insert_spans(struct enc_dict *d, const uint8_t *base, const struct enc_span *s,
                          size_t n, size_t max_plain, size_t max_count, uint32_t *idx,
                          size_t *done);

/* Distinct values so far, and the size of their PLAIN encoding (byte arrays
   with their 4-byte length prefixes). */
size_t enc_dict_count(const struct enc_dict *d);
size_t enc_dict_plain_size(const struct enc_dict *d);

/* Write the PLAIN encoding of the values, in index order, into out
   (enc_dict_plain_size bytes). */
void enc_dict_write_plain(const struct enc_dict *d, uint8_t *out);

/* The i-th value (index order): pointer and length, valid until the next
   insert or free. */
const uint8_t *enc_dict_value(const struct enc_dict *d, uint32_t i, size_t *n);

/* Fixed kinds: the values end to end in index order (enc_dict_count() of
   them, the PLAIN encoding), valid until the next insert or free; NULL for
   ENC_DICT_BYTES. */
const uint8_t *enc_dict_fixed_values(const struct enc_dict *d);

/* Forget every value but keep the table's memory (for the next column chunk). */
void enc_dict_reset(struct enc_dict *d);
void enc_dict_free(struct enc_dict *d);

/* ---- DELTA_BINARY_PACKED (Encodings.md) ---- */

/* Decode up to n values (INT32 columns are decoded to int64 and narrowed by
   the caller).  Returns ERR_OK with *count values written (the count the
   header announces, which must be <= n, else ERR_CORRUPT) and *used bytes
   consumed.  Arithmetic wraps as the spec says. */
int enc_delta_binary_decode(const uint8_t *p, size_t len, int64_t *out, size_t n,
                            size_t *count, size_t *used);

/* Encode n values; out holds at least enc_delta_binary_bound(n) bytes.
   Returns the bytes written. Block size 128, 4 miniblocks.  INT32 columns
   use the 32 variant: its deltas wrap at 32 bits, so no miniblock is wider
   than 32 bits as the spec requires (64-bit deltas of INT32 values can need
   33).  Both decode with enc_delta_binary_decode. */
size_t enc_delta_binary_bound(size_t n);
/* The bound when no miniblock is wider than width bits: 32 for the 32
   variant, 0 when the values are all equal. */
size_t enc_delta_binary_bound_width(size_t n, int width);
size_t enc_delta_binary_encode(const int64_t *v, size_t n, uint8_t *out);
size_t enc_delta_binary_encode32(const int32_t *v, size_t n, uint8_t *out);
/* The bytes those write for the same values, counted without writing. */
size_t enc_delta_binary_size(const int64_t *v, size_t n);
size_t enc_delta_binary_size32(const int32_t *v, size_t n);

/* ---- byte-array encodings ----
   Decoded byte arrays are returned as n (offset, length) pairs into a
   buffer: for DELTA_LENGTH_BYTE_ARRAY the values already lie in the page,
   so `data` points into the input; DELTA_BYTE_ARRAY rebuilds each value from
   a prefix of the previous one, so values are written into `scratch`
   (capacity scratch_cap bytes; ERR_TOOBIG when it does not fit, with *used
   set to the bytes needed: the caller grows it and retries) and `data`
   points there.  Every length must be >= 0 and fit the bytes that remain
   (else ERR_CORRUPT / ERR_TRUNCATED); a prefix may not be longer than the
   previous value (ERR_CORRUPT); the streams must announce exactly n values
   (ERR_CORRUPT).  *used receives the bytes consumed. */
struct enc_byte_array { const uint8_t *data; uint32_t *off; uint32_t *len; };

int enc_delta_length_decode(const uint8_t *p, size_t len, size_t n,
                            int64_t *tmp /* n entries */, struct enc_byte_array *out,
                            size_t *used);
int enc_delta_byte_array_decode(const uint8_t *p, size_t len, size_t n,
                                int64_t *tmp /* 2n entries */, uint8_t *scratch,
                                size_t scratch_cap, struct enc_byte_array *out,
                                size_t *used);

/* ---- BYTE_STREAM_SPLIT ---- */

/* n values of `width` bytes (2, 4, 8 or any FIXED_LEN width) from the
   page's width streams back into values laid end to end in out
   (n * width bytes).  len must be exactly n * width, else ERR_CORRUPT. */
int enc_byte_stream_split_decode(const uint8_t *p, size_t len, size_t width,
                                 uint8_t *out, size_t n);
void enc_byte_stream_split_encode(const uint8_t *v, size_t n, size_t width, uint8_t *out);

#endif
