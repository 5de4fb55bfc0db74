/* pqmeta.h -- Parquet metadata structs and their Thrift compact encoding.

   The structs mirror parquet.thrift (FileMetaData, SchemaElement,
   LogicalType, RowGroup, ColumnChunk, ColumnMetaData, Statistics,
   PageHeader and its page-type headers), keeping the fields csv2pq writes
   or reads.  Names follow the spec.  Optional fields have a has_ flag.

   Encoding: pqm_encode_file_meta() and pqm_encode_page_header() append to a
   tc_writer; errors stay sticky in the writer.  Fields go out in field-id
   order: required ones always, optional ones when their has_ flag is set,
   optional lists without a flag (key_value_metadata, encoding_stats,
   column_orders) when their pointer is not NULL, is_compressed always.  A
   value the spec cannot carry (LogicalType PQ_LT_OTHER, a TIME/TIMESTAMP
   unit outside 1..3, a column order other than 1 or 2) is ERR_INTERNAL.

   Decoding: pqm_decode_file_meta() and pqm_decode_page_header() read from a
   tc_reader.  Every value is validated as it is read (counts against the
   bytes that remain, enums in range where the spec makes them closed,
   num_children against the schema size) and unknown fields are skipped.
   A known field with an unexpected wire type is skipped like an unknown
   one; a field that appears twice in one struct, a list of the wrong
   element type, or a union with two members is ERR_THRIFT.  A list that is
   present decodes to a non-NULL array, even when empty.  Beyond required
   fields: the schema must form one tree (num_children), Type and
   FieldRepetitionType must be in range, and counts, sizes and
   ColumnMetaData offsets must not be negative; a page header must carry
   the header of its own page type, and a v2 page's level bytes must fit
   in both page sizes.  An unknown TimeUnit decodes as unit 0.
   Binary and string fields (names, min/max, key/value metadata) point into
   the reader's input, which must outlive the decoded struct.  Arrays
   (schema, row groups, column chunks, encodings, path_in_schema, key/values)
   come from the pool; pqm_free_file_meta() gives them all back.

   Failure: decode functions return ERR_OK, or the reader's first error
   (ERR_THRIFT, ERR_TRUNCATED, ERR_DEPTH, ERR_TOOBIG, ERR_NOMEM), or
   ERR_CORRUPT for a required field that is missing.  A FileMetaData with
   encryption_algorithm set yields ERR_ENCRYPTED.
 */
#ifndef CSV2PQ_PQMETA_H
#define CSV2PQ_PQMETA_H

#include <stddef.h>
#include <stdint.h>
#include "pool.h"
#include "thrift_compact.h"

/* enum Type */
enum pq_type {
    PQ_BOOLEAN = 0, PQ_INT32 = 1, PQ_INT64 = 2, PQ_INT96 = 3, PQ_FLOAT = 4,
    PQ_DOUBLE = 5, PQ_BYTE_ARRAY = 6, PQ_FIXED_LEN_BYTE_ARRAY = 7
};

/* enum ConvertedType */
enum pq_converted {
    PQ_CT_UTF8 = 0, PQ_CT_MAP = 1, PQ_CT_MAP_KEY_VALUE = 2, PQ_CT_LIST = 3,
    PQ_CT_ENUM = 4, PQ_CT_DECIMAL = 5, PQ_CT_DATE = 6, PQ_CT_TIME_MILLIS = 7,
    PQ_CT_TIME_MICROS = 8, PQ_CT_TIMESTAMP_MILLIS = 9,
    PQ_CT_TIMESTAMP_MICROS = 10, PQ_CT_UINT_8 = 11, PQ_CT_UINT_16 = 12,
    PQ_CT_UINT_32 = 13, PQ_CT_UINT_64 = 14, PQ_CT_INT_8 = 15,
    PQ_CT_INT_16 = 16, PQ_CT_INT_32 = 17, PQ_CT_INT_64 = 18, PQ_CT_JSON = 19,
    PQ_CT_BSON = 20, PQ_CT_INTERVAL = 21
};

/* enum FieldRepetitionType */
enum pq_repetition { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 };

/* enum Encoding */
enum pq_encoding {
    PQ_ENC_PLAIN = 0, PQ_ENC_PLAIN_DICTIONARY = 2, PQ_ENC_RLE = 3,
    PQ_ENC_BIT_PACKED = 4, PQ_ENC_DELTA_BINARY_PACKED = 5,
    PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6, PQ_ENC_DELTA_BYTE_ARRAY = 7,
    PQ_ENC_RLE_DICTIONARY = 8, PQ_ENC_BYTE_STREAM_SPLIT = 9
};

/* enum PageType */
enum pq_page_type {
    PQ_DATA_PAGE = 0, PQ_INDEX_PAGE = 1, PQ_DICTIONARY_PAGE = 2,
    PQ_DATA_PAGE_V2 = 3
};

/* enum CompressionCodec: see codec.h (CODEC_*). */

/* union LogicalType: which member is set (field id of the union). */
enum pq_logical {
    PQ_LT_NONE = 0, PQ_LT_STRING = 1, PQ_LT_MAP = 2, PQ_LT_LIST = 3,
    PQ_LT_ENUM = 4, PQ_LT_DECIMAL = 5, PQ_LT_DATE = 6, PQ_LT_TIME = 7,
    PQ_LT_TIMESTAMP = 8, PQ_LT_INTEGER = 10, PQ_LT_UNKNOWN = 11,
    PQ_LT_JSON = 12, PQ_LT_BSON = 13, PQ_LT_UUID = 14, PQ_LT_FLOAT16 = 15,
    PQ_LT_VARIANT = 16, PQ_LT_GEOMETRY = 17, PQ_LT_GEOGRAPHY = 18,
    PQ_LT_OTHER = 255                /* a member this decoder does not know */
};
enum pq_time_unit { PQ_MILLIS = 1, PQ_MICROS = 2, PQ_NANOS = 3 };

struct pq_logical_type {
    int kind;                        /* enum pq_logical */
    int32_t scale, precision;        /* DECIMAL */
    int is_adjusted_to_utc;          /* TIME, TIMESTAMP */
    int unit;                        /* TIME, TIMESTAMP: enum pq_time_unit */
    int bit_width, is_signed;        /* INTEGER: 8, 16, 32, 64 */
};

struct pq_bytes { const uint8_t *p; size_t n; };

struct pq_statistics {
    int has_min_value, has_max_value, has_null_count, has_distinct_count;
    int has_min, has_max;            /* deprecated min/max (fields 2, 1) */
    int has_is_min_value_exact, has_is_max_value_exact, has_nan_count;
    struct pq_bytes min_value, max_value, min, max;
    int64_t null_count, distinct_count, nan_count;
    int is_min_value_exact, is_max_value_exact;
};

struct pq_schema_element {
    struct pq_bytes name;
    int has_type, has_type_length, has_repetition_type, has_num_children;
    int has_converted_type, has_scale, has_precision, has_field_id;
    int type;                        /* enum pq_type */
    int32_t type_length;
    int repetition_type;             /* enum pq_repetition */
    int32_t num_children;
    int converted_type;              /* enum pq_converted */
    int32_t scale, precision, field_id;
    struct pq_logical_type logical;  /* kind PQ_LT_NONE when absent */
};

struct pq_key_value { struct pq_bytes key, value; int has_value; };

struct pq_page_encoding_stats { int page_type, encoding; int32_t count; };

struct pq_column_meta {
    int type;                        /* enum pq_type */
    int *encodings; uint32_t n_encodings;              /* from the pool */
    struct pq_bytes *path_in_schema; uint32_t n_path;  /* from the pool */
    int codec;                       /* CODEC_* */
    int64_t num_values, total_uncompressed_size, total_compressed_size;
    int64_t data_page_offset;
    int has_index_page_offset, has_dictionary_page_offset, has_statistics;
    int64_t index_page_offset, dictionary_page_offset;
    struct pq_statistics statistics;
    struct pq_page_encoding_stats *encoding_stats; uint32_t n_encoding_stats;
    struct pq_key_value *key_value_metadata; uint32_t n_key_value_metadata;
};

struct pq_column_chunk {
    int has_file_path, has_meta_data, is_encrypted;   /* crypto_metadata or encrypted_column_metadata present */
    struct pq_bytes file_path;
    int64_t file_offset;
    struct pq_column_meta meta_data;
    int has_offset_index, has_column_index;
    int64_t offset_index_offset, column_index_offset;
    int32_t offset_index_length, column_index_length;
};

struct pq_row_group {
    struct pq_column_chunk *columns; uint32_t n_columns;  /* from the pool */
    int64_t total_byte_size, num_rows;
    int has_file_offset, has_total_compressed_size, has_ordinal;
    int64_t file_offset, total_compressed_size;
    int16_t ordinal;
};

struct pq_file_meta {
    int32_t version;
    struct pq_schema_element *schema; uint32_t n_schema;  /* from the pool */
    int64_t num_rows;
    struct pq_row_group *row_groups; uint32_t n_row_groups; /* from the pool */
    struct pq_key_value *key_value_metadata; uint32_t n_key_value_metadata;
    int has_created_by;
    struct pq_bytes created_by;
    /* column_orders: 1 = TypeDefinedOrder, 2 = IEEE754TotalOrder,
       0 = unknown member; NULL when absent. */
    int *column_orders; uint32_t n_column_orders;        /* from the pool */
    /* Encoding only: when set, the row_groups list is these bytes, the
       n_row_groups RowGroup structs pqm_encode_row_group() wrote, copied
       as they are (row_groups is then ignored).  Never set by decoding. */
    const uint8_t *row_groups_encoded; size_t row_groups_encoded_len;
};

struct pq_data_page_header {
    int32_t num_values;
    int encoding, definition_level_encoding, repetition_level_encoding;
    int has_statistics;
    struct pq_statistics statistics;
};

struct pq_dictionary_page_header {
    int32_t num_values;
    int encoding;
    int has_is_sorted, is_sorted;
};

struct pq_data_page_header_v2 {
    int32_t num_values, num_nulls, num_rows;
    int encoding;
    int32_t definition_levels_byte_length, repetition_levels_byte_length;
    int is_compressed;               /* defaults to 1 when absent */
    int has_statistics;
    struct pq_statistics statistics;
};

struct pq_page_header {
    int type;                        /* enum pq_page_type */
    int32_t uncompressed_page_size, compressed_page_size;
    int has_crc; int32_t crc;
    int has_data_page_header, has_dictionary_page_header, has_data_page_header_v2;
    struct pq_data_page_header data_page_header;
    struct pq_dictionary_page_header dictionary_page_header;
    struct pq_data_page_header_v2 data_page_header_v2;
};

/* Encode into w (sticky errors in w). */
void pqm_encode_file_meta(struct tc_writer *w, const struct pq_file_meta *m);
void pqm_encode_page_header(struct tc_writer *w, const struct pq_page_header *h);
void pqm_encode_statistics(struct tc_writer *w, const struct pq_statistics *s);
/* One RowGroup struct, as an element of FileMetaData.row_groups. */
void pqm_encode_row_group(struct tc_writer *w, const struct pq_row_group *rg);

/* Decode from r.  On error the partly filled struct is still safe to free. */
int pqm_decode_file_meta(struct tc_reader *r, pool_t *pool, struct pq_file_meta *m);
int pqm_decode_page_header(struct tc_reader *r, struct pq_page_header *h);
void pqm_free_file_meta(pool_t *pool, struct pq_file_meta *m);

#endif
