#include <stdint.h>
#include <string.h>
#include "err.h"
#include "pool.h"
#include "thrift_compact.h"
#include "pqmeta.h"

#define F(id) (1u << (id))        /* bit of a field id in a seen-mask */

/* ---- encoding ---- */

static void w_fail(struct tc_writer *w, int err) {
    if (w->err == ERR_OK)
        w->err = err;
}

static void put_bytes(struct tc_writer *w, int16_t id, const struct pq_bytes *b) {
    tc_field_binary(w, id, b->p, b->n);
}

static void put_i16(struct tc_writer *w, int16_t id, int16_t v) {
    tc_field_begin(w, TC_I16, id);
    tc_write_i16(w, v);
}

/* An empty struct as the member id of a union that is field fid. */
static void put_union_member(struct tc_writer *w, int16_t fid, int16_t member) {
    tc_field_struct_begin(w, fid);
    tc_field_struct_begin(w, member);
    tc_write_struct_end(w);
    tc_write_struct_end(w);
}

void pqm_encode_statistics(struct tc_writer *w, const struct pq_statistics *s) {
    tc_write_struct_begin(w);
    if (s->has_max)
        put_bytes(w, 1, &s->max);
    if (s->has_min)
        put_bytes(w, 2, &s->min);
    if (s->has_null_count)
        tc_field_i64(w, 3, s->null_count);
    if (s->has_distinct_count)
        tc_field_i64(w, 4, s->distinct_count);
    if (s->has_max_value)
        put_bytes(w, 5, &s->max_value);
    if (s->has_min_value)
        put_bytes(w, 6, &s->min_value);
    if (s->has_is_max_value_exact)
        tc_field_bool(w, 7, s->is_max_value_exact);
    if (s->has_is_min_value_exact)
        tc_field_bool(w, 8, s->is_min_value_exact);
    if (s->has_nan_count)
        tc_field_i64(w, 9, s->nan_count);
    tc_write_struct_end(w);
}

static void put_statistics(struct tc_writer *w, int16_t id, const struct pq_statistics *s) {
    tc_field_begin(w, TC_STRUCT, id);
    pqm_encode_statistics(w, s);
}

static void put_key_values(struct tc_writer *w, int16_t id,
                           const struct pq_key_value *kv, uint32_t n) {
    tc_field_list_begin(w, id, TC_STRUCT, n);
    for (uint32_t i = 0; i < n; i++) {
        tc_write_struct_begin(w);
        put_bytes(w, 1, &kv[i].key);
        if (kv[i].has_value)
            put_bytes(w, 2, &kv[i].value);
        tc_write_struct_end(w);
    }
}

static int known_logical(int kind) {
    return (kind >= PQ_LT_STRING && kind <= PQ_LT_TIMESTAMP) ||
           (kind >= PQ_LT_INTEGER && kind <= PQ_LT_GEOGRAPHY);
}

/* SchemaElement.logicalType (field 10).  TIME and TIMESTAMP need a unit of
   1..3 and a kind must be one the union knows; ERR_INTERNAL otherwise. */
static void put_logical(struct tc_writer *w, const struct pq_logical_type *lt) {
    int timed = lt->kind == PQ_LT_TIME || lt->kind == PQ_LT_TIMESTAMP;
    if (!known_logical(lt->kind) ||
        (timed && (lt->unit < PQ_MILLIS || lt->unit > PQ_NANOS))) {
        w_fail(w, ERR_INTERNAL);
        return;
    }
    tc_field_struct_begin(w, 10);
    tc_field_struct_begin(w, (int16_t)lt->kind);
    switch (lt->kind) {
    case PQ_LT_DECIMAL:
        tc_field_i32(w, 1, lt->scale);
        tc_field_i32(w, 2, lt->precision);
        break;
    case PQ_LT_TIME:
    case PQ_LT_TIMESTAMP:
        tc_field_bool(w, 1, lt->is_adjusted_to_utc);
        put_union_member(w, 2, (int16_t)lt->unit);
        break;
    case PQ_LT_INTEGER:
        tc_field_begin(w, TC_BYTE, 1);
        tc_write_byte(w, (int8_t)lt->bit_width);
        tc_field_bool(w, 2, lt->is_signed);
        break;
    default:
        break;
    }
    tc_write_struct_end(w);
    tc_write_struct_end(w);
}

static void put_schema_element(struct tc_writer *w, const struct pq_schema_element *e) {
    tc_write_struct_begin(w);
    if (e->has_type)
        tc_field_i32(w, 1, e->type);
    if (e->has_type_length)
        tc_field_i32(w, 2, e->type_length);
    if (e->has_repetition_type)
        tc_field_i32(w, 3, e->repetition_type);
    put_bytes(w, 4, &e->name);
    if (e->has_num_children)
        tc_field_i32(w, 5, e->num_children);
    if (e->has_converted_type)
        tc_field_i32(w, 6, e->converted_type);
    if (e->has_scale)
        tc_field_i32(w, 7, e->scale);
    if (e->has_precision)
        tc_field_i32(w, 8, e->precision);
    if (e->has_field_id)
        tc_field_i32(w, 9, e->field_id);
    if (e->logical.kind != PQ_LT_NONE)
        put_logical(w, &e->logical);
    tc_write_struct_end(w);
}

static void put_column_meta(struct tc_writer *w, const struct pq_column_meta *c) {
    tc_write_struct_begin(w);
    tc_field_i32(w, 1, c->type);
    tc_field_list_begin(w, 2, TC_I32, c->n_encodings);
    for (uint32_t i = 0; i < c->n_encodings; i++)
        tc_write_i32(w, c->encodings[i]);
    tc_field_list_begin(w, 3, TC_BINARY, c->n_path);
    for (uint32_t i = 0; i < c->n_path; i++)
        tc_write_binary(w, c->path_in_schema[i].p, c->path_in_schema[i].n);
    tc_field_i32(w, 4, c->codec);
    tc_field_i64(w, 5, c->num_values);
    tc_field_i64(w, 6, c->total_uncompressed_size);
    tc_field_i64(w, 7, c->total_compressed_size);
    if (c->key_value_metadata != NULL)
        put_key_values(w, 8, c->key_value_metadata, c->n_key_value_metadata);
    tc_field_i64(w, 9, c->data_page_offset);
    if (c->has_index_page_offset)
        tc_field_i64(w, 10, c->index_page_offset);
    if (c->has_dictionary_page_offset)
        tc_field_i64(w, 11, c->dictionary_page_offset);
    if (c->has_statistics)
        put_statistics(w, 12, &c->statistics);
    if (c->encoding_stats != NULL) {
        tc_field_list_begin(w, 13, TC_STRUCT, c->n_encoding_stats);
        for (uint32_t i = 0; i < c->n_encoding_stats; i++) {
            const struct pq_page_encoding_stats *es = &c->encoding_stats[i];
            tc_write_struct_begin(w);
            tc_field_i32(w, 1, es->page_type);
            tc_field_i32(w, 2, es->encoding);
            tc_field_i32(w, 3, es->count);
            tc_write_struct_end(w);
        }
    }
    tc_write_struct_end(w);
}

static void put_column_chunk(struct tc_writer *w, const struct pq_column_chunk *cc) {
    tc_write_struct_begin(w);
    if (cc->has_file_path)
        put_bytes(w, 1, &cc->file_path);
    tc_field_i64(w, 2, cc->file_offset);
    if (cc->has_meta_data) {
        tc_field_begin(w, TC_STRUCT, 3);
        put_column_meta(w, &cc->meta_data);
    }
    if (cc->has_offset_index) {
        tc_field_i64(w, 4, cc->offset_index_offset);
        tc_field_i32(w, 5, cc->offset_index_length);
    }
    if (cc->has_column_index) {
        tc_field_i64(w, 6, cc->column_index_offset);
        tc_field_i32(w, 7, cc->column_index_length);
    }
    tc_write_struct_end(w);
}

void pqm_encode_row_group(struct tc_writer *w, const struct pq_row_group *rg) {
    tc_write_struct_begin(w);
    tc_field_list_begin(w, 1, TC_STRUCT, rg->n_columns);
    for (uint32_t i = 0; i < rg->n_columns; i++)
        put_column_chunk(w, &rg->columns[i]);
    tc_field_i64(w, 2, rg->total_byte_size);
    tc_field_i64(w, 3, rg->num_rows);
    if (rg->has_file_offset)
        tc_field_i64(w, 5, rg->file_offset);
    if (rg->has_total_compressed_size)
        tc_field_i64(w, 6, rg->total_compressed_size);
    if (rg->has_ordinal)
        put_i16(w, 7, rg->ordinal);
    tc_write_struct_end(w);
}

void pqm_encode_file_meta(struct tc_writer *w, const struct pq_file_meta *m) {
    tc_write_struct_begin(w);
    tc_field_i32(w, 1, m->version);
    tc_field_list_begin(w, 2, TC_STRUCT, m->n_schema);
    for (uint32_t i = 0; i < m->n_schema; i++)
        put_schema_element(w, &m->schema[i]);
    tc_field_i64(w, 3, m->num_rows);
    tc_field_list_begin(w, 4, TC_STRUCT, m->n_row_groups);
    if (m->row_groups_encoded != NULL) {
        tc_write_raw(w, m->row_groups_encoded, m->row_groups_encoded_len);
    } else {
        for (uint32_t i = 0; i < m->n_row_groups; i++)
            pqm_encode_row_group(w, &m->row_groups[i]);
    }
    if (m->key_value_metadata != NULL)
        put_key_values(w, 5, m->key_value_metadata, m->n_key_value_metadata);
    if (m->has_created_by)
        put_bytes(w, 6, &m->created_by);
    if (m->column_orders != NULL) {
        tc_field_list_begin(w, 7, TC_STRUCT, m->n_column_orders);
        for (uint32_t i = 0; i < m->n_column_orders; i++) {
            int v = m->column_orders[i];
            if (v != 1 && v != 2) {
                w_fail(w, ERR_INTERNAL);
                break;
            }
            tc_write_struct_begin(w);
            tc_field_struct_begin(w, (int16_t)v);
            tc_write_struct_end(w);
            tc_write_struct_end(w);
        }
    }
    tc_write_struct_end(w);
}

void pqm_encode_page_header(struct tc_writer *w, const struct pq_page_header *h) {
    tc_write_struct_begin(w);
    tc_field_i32(w, 1, h->type);
    tc_field_i32(w, 2, h->uncompressed_page_size);
    tc_field_i32(w, 3, h->compressed_page_size);
    if (h->has_crc)
        tc_field_i32(w, 4, h->crc);
    if (h->has_data_page_header) {
        const struct pq_data_page_header *d = &h->data_page_header;
        tc_field_struct_begin(w, 5);
        tc_field_i32(w, 1, d->num_values);
        tc_field_i32(w, 2, d->encoding);
        tc_field_i32(w, 3, d->definition_level_encoding);
        tc_field_i32(w, 4, d->repetition_level_encoding);
        if (d->has_statistics)
            put_statistics(w, 5, &d->statistics);
        tc_write_struct_end(w);
    }
    if (h->has_dictionary_page_header) {
        const struct pq_dictionary_page_header *d = &h->dictionary_page_header;
        tc_field_struct_begin(w, 7);
        tc_field_i32(w, 1, d->num_values);
        tc_field_i32(w, 2, d->encoding);
        if (d->has_is_sorted)
            tc_field_bool(w, 3, d->is_sorted);
        tc_write_struct_end(w);
    }
    if (h->has_data_page_header_v2) {
        const struct pq_data_page_header_v2 *d = &h->data_page_header_v2;
        tc_field_struct_begin(w, 8);
        tc_field_i32(w, 1, d->num_values);
        tc_field_i32(w, 2, d->num_nulls);
        tc_field_i32(w, 3, d->num_rows);
        tc_field_i32(w, 4, d->encoding);
        tc_field_i32(w, 5, d->definition_levels_byte_length);
        tc_field_i32(w, 6, d->repetition_levels_byte_length);
        tc_field_bool(w, 7, d->is_compressed);
        if (d->has_statistics)
            put_statistics(w, 8, &d->statistics);
        tc_write_struct_end(w);
    }
    tc_write_struct_end(w);
}

/* ---- decoding ---- */

static void fail(struct tc_reader *r, int err) {
    if (r->err == ERR_OK)
        r->err = err;
}

/* Whether a known field (id < 32) is to be read: 1 when its wire type is
   the expected one and it is new in this struct.  A field of another wire
   type is skipped as if unknown (0); a repeated field fails with
   ERR_THRIFT (0).  TC_BOOL_TRUE as expect matches both bool types. */
static int take(struct tc_reader *r, uint32_t *seen, int type, int16_t id, int expect) {
    int match = expect == TC_BOOL_TRUE
        ? type == TC_BOOL_TRUE || type == TC_BOOL_FALSE
        : type == expect;
    if (!match) {
        tc_skip(r, type);
        return 0;
    }
    if (*seen & F(id)) {
        fail(r, ERR_THRIFT);
        return 0;
    }
    *seen |= F(id);
    return 1;
}

/* ERR_CORRUPT unless every field of mask was read. */
static void require(struct tc_reader *r, uint32_t seen, uint32_t mask) {
    if ((seen & mask) != mask)
        fail(r, ERR_CORRUPT);
}

/* ERR_CORRUPT when v is negative; returns v. */
static int64_t nonneg(struct tc_reader *r, int64_t v) {
    if (v < 0)
        fail(r, ERR_CORRUPT);
    return v;
}

static void get_bytes(struct tc_reader *r, struct pq_bytes *b) {
    b->p = tc_read_binary(r, &b->n);
}

/* A list header whose elements must be of type expect: the count, or 0
   with ERR_THRIFT when a non-empty list holds another type. */
static uint32_t list_begin(struct tc_reader *r, int expect) {
    int et;
    uint32_t n = tc_read_list_begin(r, &et);
    if (n > 0 && et != expect) {
        fail(r, ERR_THRIFT);
        return 0;
    }
    return n;
}

/* n zeroed elements from the pool; NULL with ERR_NOMEM, or NULL when the
   reader already failed. */
static void *new_array(struct tc_reader *r, pool_t *pool, uint32_t n, size_t size) {
    if (r->err != ERR_OK)
        return NULL;
    void *p = pool_calloc(pool, n, size);
    if (p == NULL)
        fail(r, ERR_NOMEM);
    return p;
}

static void get_statistics(struct tc_reader *r, struct pq_statistics *s) {
    uint32_t seen = 0;
    int type;
    int16_t id;
    tc_read_struct_begin(r);
    while (tc_read_field_begin(r, &type, &id)) {
        switch (id) {
        case 1:
            if (take(r, &seen, type, id, TC_BINARY)) {
                get_bytes(r, &s->max);
                s->has_max = 1;
            }
            break;
        case 2:
            if (take(r, &seen, type, id, TC_BINARY)) {
                get_bytes(r, &s->min);
                s->has_min = 1;
            }
            break;
        case 3:
            if (take(r, &seen, type, id, TC_I64)) {
                s->null_count = tc_read_i64(r);
                s->has_null_count = 1;
            }
            break;
        case 4:
            if (take(r, &seen, type, id, TC_I64)) {
                s->distinct_count = tc_read_i64(r);
                s->has_distinct_count = 1;
            }
            break;
        case 5:
            if (take(r, &seen, type, id, TC_BINARY)) {
                get_bytes(r, &s->max_value);
                s->has_max_value = 1;
            }
            break;
        case 6:
            if (take(r, &seen, type, id, TC_BINARY)) {
                get_bytes(r, &s->min_value);
                s->has_min_value = 1;
            }
            break;
        case 7:
            if (take(r, &seen, type, id, TC_BOOL_TRUE)) {
                s->is_max_value_exact = tc_read_bool_field(r, type);
                s->has_is_max_value_exact = 1;
            }
            break;
        case 8:
            if (take(r, &seen, type, id, TC_BOOL_TRUE)) {
                s->is_min_value_exact = tc_read_bool_field(r, type);
                s->has_is_min_value_exact = 1;
            }
            break;
        case 9:
            if (take(r, &seen, type, id, TC_I64)) {
                s->nan_count = tc_read_i64(r);
                s->has_nan_count = 1;
            }
            break;
        default:
            tc_skip(r, type);
            break;
        }
    }
    tc_read_struct_end(r);
}

/* A union whose members are all empty structs (TimeUnit, ColumnOrder):
   the member's field id when it is one of 1..known, 0 for another member,
   ERR_THRIFT for more than one member. */
static int get_empty_union(struct tc_reader *r, int known) {
    int v = 0, members = 0, type;
    int16_t id;
    tc_read_struct_begin(r);
    while (tc_read_field_begin(r, &type, &id)) {
        if (++members > 1) {
            fail(r, ERR_THRIFT);
            break;
        }
        if (type == TC_STRUCT && id >= 1 && id <= known)
            v = id;
        tc_skip(r, type);
    }
    tc_read_struct_end(r);
    return v;
}

/* DecimalType, TimeType, TimestampType or IntType into lt. */
static void get_logical_member(struct tc_reader *r, struct pq_logical_type *lt) {
    uint32_t seen = 0;
    int type;
    int16_t id;
    tc_read_struct_begin(r);
    while (tc_read_field_begin(r, &type, &id)) {
        switch (lt->kind) {
        case PQ_LT_DECIMAL:
            if (id == 1 && take(r, &seen, type, id, TC_I32))
                lt->scale = tc_read_i32(r);
            else if (id == 2 && take(r, &seen, type, id, TC_I32))
                lt->precision = tc_read_i32(r);
            else if (id != 1 && id != 2)
                tc_skip(r, type);
            break;
        case PQ_LT_TIME:
        case PQ_LT_TIMESTAMP:
            if (id == 1 && take(r, &seen, type, id, TC_BOOL_TRUE))
                lt->is_adjusted_to_utc = tc_read_bool_field(r, type);
            else if (id == 2 && take(r, &seen, type, id, TC_STRUCT))
                lt->unit = get_empty_union(r, PQ_NANOS);
            else if (id != 1 && id != 2)
                tc_skip(r, type);
            break;
        default:                     /* PQ_LT_INTEGER */
            if (id == 1 && take(r, &seen, type, id, TC_BYTE))
                lt->bit_width = tc_read_byte(r);
            else if (id == 2 && take(r, &seen, type, id, TC_BOOL_TRUE))
                lt->is_signed = tc_read_bool_field(r, type);
            else if (id != 1 && id != 2)
                tc_skip(r, type);
            break;
        }
    }
    tc_read_struct_end(r);
    require(r, seen, F(1) | F(2));
}

/* union LogicalType: kind is the member's field id, PQ_LT_OTHER for a
   member this decoder does not know (or none); more than one member is
   ERR_THRIFT. */
static void get_logical(struct tc_reader *r, struct pq_logical_type *lt) {
    int members = 0, type;
    int16_t id;
    lt->kind = PQ_LT_OTHER;
    tc_read_struct_begin(r);
    while (tc_read_field_begin(r, &type, &id)) {
        if (++members > 1) {
            fail(r, ERR_THRIFT);
            break;
        }
        if (type != TC_STRUCT || !known_logical(id)) {
            tc_skip(r, type);
            continue;
        }
        lt->kind = id;
        if (id == PQ_LT_DECIMAL || id == PQ_LT_TIME || id == PQ_LT_TIMESTAMP ||
            id == PQ_LT_INTEGER)
            get_logical_member(r, lt);
        else
            tc_skip(r, TC_STRUCT);
    }
    tc_read_struct_end(r);
}

static void get_schema_element(struct tc_reader *r, struct pq_schema_element *e) {
    uint32_t seen = 0;
    int type;
    int16_t id;
    tc_read_struct_begin(r);
    while (tc_read_field_begin(r, &type, &id)) {
        switch (id) {
        case 1:
            if (take(r, &seen, type, id, TC_I32)) {
                e->type = tc_read_i32(r);
                e->has_type = 1;
                if (e->type < PQ_BOOLEAN || e->type > PQ_FIXED_LEN_BYTE_ARRAY)
                    fail(r, ERR_CORRUPT);
            }
            break;
        case 2:
            if (take(r, &seen, type, id, TC_I32)) {
                e->type_length = (int32_t)nonneg(r, tc_read_i32(r));
                e->has_type_length = 1;
            }
            break;
        case 3:
            if (take(r, &seen, type, id, TC_I32)) {
                e->repetition_type = tc_read_i32(r);
                e->has_repetition_type = 1;
                if (e->repetition_type < PQ_REQUIRED || e->repetition_type > PQ_REPEATED)
                    fail(r, ERR_CORRUPT);
            }
            break;
        case 4:
            if (take(r, &seen, type, id, TC_BINARY))
                get_bytes(r, &e->name);
            break;
        case 5:
            if (take(r, &seen, type, id, TC_I32)) {
                e->num_children = (int32_t)nonneg(r, tc_read_i32(r));
                e->has_num_children = 1;
            }
            break;
        case 6:
            if (take(r, &seen, type, id, TC_I32)) {
                e->converted_type = tc_read_i32(r);
                e->has_converted_type = 1;
            }
            break;
        case 7:
            if (take(r, &seen, type, id, TC_I32)) {
                e->scale = tc_read_i32(r);
                e->has_scale = 1;
            }
            break;
        case 8:
            if (take(r, &seen, type, id, TC_I32)) {
                e->precision = tc_read_i32(r);
                e->has_precision = 1;
            }
            break;
        case 9:
            if (take(r, &seen, type, id, TC_I32)) {
                e->field_id = tc_read_i32(r);
                e->has_field_id = 1;
            }
            break;
        case 10:
            if (take(r, &seen, type, id, TC_STRUCT))
                get_logical(r, &e->logical);
            break;
        default:
            tc_skip(r, type);
            break;
        }
    }
    tc_read_struct_end(r);
    require(r, seen, F(4));
}

/* list<KeyValue> into a pool array. */
static void get_key_values(struct tc_reader *r, pool_t *pool,
                           struct pq_key_value **out, uint32_t *out_n) {
    uint32_t n = list_begin(r, TC_STRUCT);
    struct pq_key_value *kv = new_array(r, pool, n, sizeof(*kv));
    if (kv == NULL)
        return;
    *out = kv;
    *out_n = n;
    for (uint32_t i = 0; i < n && r->err == ERR_OK; i++) {
        uint32_t seen = 0;
        int type;
        int16_t id;
        tc_read_struct_begin(r);
        while (tc_read_field_begin(r, &type, &id)) {
            if (id == 1 && take(r, &seen, type, id, TC_BINARY)) {
                get_bytes(r, &kv[i].key);
            } else if (id == 2 && take(r, &seen, type, id, TC_BINARY)) {
                get_bytes(r, &kv[i].value);
                kv[i].has_value = 1;
            } else if (id != 1 && id != 2) {
                tc_skip(r, type);
            }
        }
        tc_read_struct_end(r);
        require(r, seen, F(1));
    }
}

static void get_encoding_stats(struct tc_reader *r, pool_t *pool, struct pq_column_meta *c) {
    uint32_t n = list_begin(r, TC_STRUCT);
    struct pq_page_encoding_stats *es = new_array(r, pool, n, sizeof(*es));
    if (es == NULL)
        return;
    c->encoding_stats = es;
    c->n_encoding_stats = n;
    for (uint32_t i = 0; i < n && r->err == ERR_OK; i++) {
        uint32_t seen = 0;
        int type;
        int16_t id;
        tc_read_struct_begin(r);
        while (tc_read_field_begin(r, &type, &id)) {
            if (id == 1 && take(r, &seen, type, id, TC_I32))
                es[i].page_type = tc_read_i32(r);
            else if (id == 2 && take(r, &seen, type, id, TC_I32))
                es[i].encoding = tc_read_i32(r);
            else if (id == 3 && take(r, &seen, type, id, TC_I32))
                es[i].count = (int32_t)nonneg(r, tc_read_i32(r));
            else if (id < 1 || id > 3)
                tc_skip(r, type);
        }
        tc_read_struct_end(r);
        require(r, seen, F(1) | F(2) | F(3));
    }
}

static void get_column_meta(struct tc_reader *r, pool_t *pool, struct pq_column_meta *c) {
    uint32_t seen = 0, n;
    int type;
    int16_t id;
    tc_read_struct_begin(r);
    while (tc_read_field_begin(r, &type, &id)) {
        switch (id) {
        case 1:
            if (take(r, &seen, type, id, TC_I32)) {
                c->type = tc_read_i32(r);
                if (c->type < PQ_BOOLEAN || c->type > PQ_FIXED_LEN_BYTE_ARRAY)
                    fail(r, ERR_CORRUPT);
            }
            break;
        case 2:
            if (!take(r, &seen, type, id, TC_LIST))
                break;
            n = list_begin(r, TC_I32);
            c->encodings = new_array(r, pool, n, sizeof(*c->encodings));
            if (c->encodings == NULL)
                break;
            c->n_encodings = n;
            for (uint32_t i = 0; i < n; i++)
                c->encodings[i] = tc_read_i32(r);
            break;
        case 3:
            if (!take(r, &seen, type, id, TC_LIST))
                break;
            n = list_begin(r, TC_BINARY);
            c->path_in_schema = new_array(r, pool, n, sizeof(*c->path_in_schema));
            if (c->path_in_schema == NULL)
                break;
            c->n_path = n;
            for (uint32_t i = 0; i < n; i++)
                get_bytes(r, &c->path_in_schema[i]);
            break;
        case 4:
            if (take(r, &seen, type, id, TC_I32))
                c->codec = tc_read_i32(r);
            break;
        case 5:
            if (take(r, &seen, type, id, TC_I64))
                c->num_values = nonneg(r, tc_read_i64(r));
            break;
        case 6:
            if (take(r, &seen, type, id, TC_I64))
                c->total_uncompressed_size = nonneg(r, tc_read_i64(r));
            break;
        case 7:
            if (take(r, &seen, type, id, TC_I64))
                c->total_compressed_size = nonneg(r, tc_read_i64(r));
            break;
        case 8:
            if (take(r, &seen, type, id, TC_LIST))
                get_key_values(r, pool, &c->key_value_metadata, &c->n_key_value_metadata);
            break;
        case 9:
            if (take(r, &seen, type, id, TC_I64))
                c->data_page_offset = nonneg(r, tc_read_i64(r));
            break;
        case 10:
            if (take(r, &seen, type, id, TC_I64)) {
                c->index_page_offset = nonneg(r, tc_read_i64(r));
                c->has_index_page_offset = 1;
            }
            break;
        case 11:
            if (take(r, &seen, type, id, TC_I64)) {
                c->dictionary_page_offset = nonneg(r, tc_read_i64(r));
                c->has_dictionary_page_offset = 1;
            }
            break;
        case 12:
            if (take(r, &seen, type, id, TC_STRUCT)) {
                get_statistics(r, &c->statistics);
                c->has_statistics = 1;
            }
            break;
        case 13:
            if (take(r, &seen, type, id, TC_LIST))
                get_encoding_stats(r, pool, c);
            break;
        default:
            tc_skip(r, type);
            break;
        }
    }
    tc_read_struct_end(r);
    require(r, seen, F(1) | F(2) | F(3) | F(4) | F(5) | F(6) | F(7) | F(9));
}

static void get_column_chunk(struct tc_reader *r, pool_t *pool, struct pq_column_chunk *cc) {
    uint32_t seen = 0;
    int type;
    int16_t id;
    tc_read_struct_begin(r);
    while (tc_read_field_begin(r, &type, &id)) {
        switch (id) {
        case 1:
            if (take(r, &seen, type, id, TC_BINARY)) {
                get_bytes(r, &cc->file_path);
                cc->has_file_path = 1;
            }
            break;
        case 2:
            if (take(r, &seen, type, id, TC_I64))
                cc->file_offset = tc_read_i64(r);
            break;
        case 3:
            if (take(r, &seen, type, id, TC_STRUCT)) {
                get_column_meta(r, pool, &cc->meta_data);
                cc->has_meta_data = 1;
            }
            break;
        case 4:
            if (take(r, &seen, type, id, TC_I64))
                cc->offset_index_offset = tc_read_i64(r);
            break;
        case 5:
            if (take(r, &seen, type, id, TC_I32))
                cc->offset_index_length = (int32_t)nonneg(r, tc_read_i32(r));
            break;
        case 6:
            if (take(r, &seen, type, id, TC_I64))
                cc->column_index_offset = tc_read_i64(r);
            break;
        case 7:
            if (take(r, &seen, type, id, TC_I32))
                cc->column_index_length = (int32_t)nonneg(r, tc_read_i32(r));
            break;
        case 8:
        case 9:
            cc->is_encrypted = 1;
            tc_skip(r, type);
            break;
        default:
            tc_skip(r, type);
            break;
        }
    }
    tc_read_struct_end(r);
    require(r, seen, F(2));
    cc->has_offset_index = (seen & (F(4) | F(5))) == (F(4) | F(5));
    cc->has_column_index = (seen & (F(6) | F(7))) == (F(6) | F(7));
}

static void get_row_group(struct tc_reader *r, pool_t *pool, struct pq_row_group *rg) {
    uint32_t seen = 0, n;
    int type;
    int16_t id;
    tc_read_struct_begin(r);
    while (tc_read_field_begin(r, &type, &id)) {
        switch (id) {
        case 1:
            if (!take(r, &seen, type, id, TC_LIST))
                break;
            n = list_begin(r, TC_STRUCT);
            rg->columns = new_array(r, pool, n, sizeof(*rg->columns));
            if (rg->columns == NULL)
                break;
            rg->n_columns = n;
            for (uint32_t i = 0; i < n && r->err == ERR_OK; i++)
                get_column_chunk(r, pool, &rg->columns[i]);
            break;
        case 2:
            if (take(r, &seen, type, id, TC_I64))
                rg->total_byte_size = nonneg(r, tc_read_i64(r));
            break;
        case 3:
            if (take(r, &seen, type, id, TC_I64))
                rg->num_rows = nonneg(r, tc_read_i64(r));
            break;
        case 5:
            if (take(r, &seen, type, id, TC_I64)) {
                rg->file_offset = tc_read_i64(r);
                rg->has_file_offset = 1;
            }
            break;
        case 6:
            if (take(r, &seen, type, id, TC_I64)) {
                rg->total_compressed_size = nonneg(r, tc_read_i64(r));
                rg->has_total_compressed_size = 1;
            }
            break;
        case 7:
            if (take(r, &seen, type, id, TC_I16)) {
                rg->ordinal = tc_read_i16(r);
                rg->has_ordinal = 1;
            }
            break;
        default:                     /* 4: sorting_columns */
            tc_skip(r, type);
            break;
        }
    }
    tc_read_struct_end(r);
    require(r, seen, F(1) | F(2) | F(3));
}

/* The schema list must be one tree in depth-first order: the root, then
   each group followed by its num_children children. */
static void check_schema_tree(struct tc_reader *r, const struct pq_file_meta *m) {
    uint64_t open = 1;               /* elements the tree still expects */
    if (m->n_schema == 0) {
        fail(r, ERR_CORRUPT);
        return;
    }
    for (uint32_t i = 0; i < m->n_schema; i++) {
        const struct pq_schema_element *e = &m->schema[i];
        if (open == 0 ||
            (e->has_num_children && (uint32_t)e->num_children > m->n_schema - 1 - i)) {
            fail(r, ERR_CORRUPT);
            return;
        }
        open--;
        if (e->has_num_children)
            open += (uint32_t)e->num_children;
    }
    if (open != 0)
        fail(r, ERR_CORRUPT);
}

int pqm_decode_file_meta(struct tc_reader *r, pool_t *pool, struct pq_file_meta *m) {
    uint32_t seen = 0, n;
    int type;
    int16_t id;
    memset(m, 0, sizeof(*m));
    tc_read_struct_begin(r);
    while (tc_read_field_begin(r, &type, &id)) {
        switch (id) {
        case 1:
            if (take(r, &seen, type, id, TC_I32))
                m->version = tc_read_i32(r);
            break;
        case 2:
            if (!take(r, &seen, type, id, TC_LIST))
                break;
            n = list_begin(r, TC_STRUCT);
            m->schema = new_array(r, pool, n, sizeof(*m->schema));
            if (m->schema == NULL)
                break;
            m->n_schema = n;
            for (uint32_t i = 0; i < n && r->err == ERR_OK; i++)
                get_schema_element(r, &m->schema[i]);
            if (r->err == ERR_OK)
                check_schema_tree(r, m);
            break;
        case 3:
            if (take(r, &seen, type, id, TC_I64))
                m->num_rows = nonneg(r, tc_read_i64(r));
            break;
        case 4:
            if (!take(r, &seen, type, id, TC_LIST))
                break;
            n = list_begin(r, TC_STRUCT);
            m->row_groups = new_array(r, pool, n, sizeof(*m->row_groups));
            if (m->row_groups == NULL)
                break;
            m->n_row_groups = n;
            for (uint32_t i = 0; i < n && r->err == ERR_OK; i++)
                get_row_group(r, pool, &m->row_groups[i]);
            break;
        case 5:
            if (take(r, &seen, type, id, TC_LIST))
                get_key_values(r, pool, &m->key_value_metadata, &m->n_key_value_metadata);
            break;
        case 6:
            if (take(r, &seen, type, id, TC_BINARY)) {
                get_bytes(r, &m->created_by);
                m->has_created_by = 1;
            }
            break;
        case 7:
            if (!take(r, &seen, type, id, TC_LIST))
                break;
            n = list_begin(r, TC_STRUCT);
            m->column_orders = new_array(r, pool, n, sizeof(*m->column_orders));
            if (m->column_orders == NULL)
                break;
            m->n_column_orders = n;
            for (uint32_t i = 0; i < n && r->err == ERR_OK; i++)
                m->column_orders[i] = get_empty_union(r, 2);
            break;
        case 8:
            fail(r, ERR_ENCRYPTED);
            break;
        default:
            tc_skip(r, type);
            break;
        }
    }
    tc_read_struct_end(r);
    require(r, seen, F(1) | F(2) | F(3) | F(4));
    return tc_reader_error(r);
}

static void get_data_page_header(struct tc_reader *r, struct pq_data_page_header *d) {
    uint32_t seen = 0;
    int type;
    int16_t id;
    tc_read_struct_begin(r);
    while (tc_read_field_begin(r, &type, &id)) {
        switch (id) {
        case 1:
            if (take(r, &seen, type, id, TC_I32))
                d->num_values = (int32_t)nonneg(r, tc_read_i32(r));
            break;
        case 2:
            if (take(r, &seen, type, id, TC_I32))
                d->encoding = tc_read_i32(r);
            break;
        case 3:
            if (take(r, &seen, type, id, TC_I32))
                d->definition_level_encoding = tc_read_i32(r);
            break;
        case 4:
            if (take(r, &seen, type, id, TC_I32))
                d->repetition_level_encoding = tc_read_i32(r);
            break;
        case 5:
            if (take(r, &seen, type, id, TC_STRUCT)) {
                get_statistics(r, &d->statistics);
                d->has_statistics = 1;
            }
            break;
        default:
            tc_skip(r, type);
            break;
        }
    }
    tc_read_struct_end(r);
    require(r, seen, F(1) | F(2) | F(3) | F(4));
}

static void get_dictionary_page_header(struct tc_reader *r, struct pq_dictionary_page_header *d) {
    uint32_t seen = 0;
    int type;
    int16_t id;
    tc_read_struct_begin(r);
    while (tc_read_field_begin(r, &type, &id)) {
        if (id == 1 && take(r, &seen, type, id, TC_I32)) {
            d->num_values = (int32_t)nonneg(r, tc_read_i32(r));
        } else if (id == 2 && take(r, &seen, type, id, TC_I32)) {
            d->encoding = tc_read_i32(r);
        } else if (id == 3 && take(r, &seen, type, id, TC_BOOL_TRUE)) {
            d->is_sorted = tc_read_bool_field(r, type);
            d->has_is_sorted = 1;
        } else if (id < 1 || id > 3) {
            tc_skip(r, type);
        }
    }
    tc_read_struct_end(r);
    require(r, seen, F(1) | F(2));
}

static void get_data_page_header_v2(struct tc_reader *r, struct pq_data_page_header_v2 *d) {
    uint32_t seen = 0;
    int type;
    int16_t id;
    tc_read_struct_begin(r);
    while (tc_read_field_begin(r, &type, &id)) {
        switch (id) {
        case 1:
            if (take(r, &seen, type, id, TC_I32))
                d->num_values = (int32_t)nonneg(r, tc_read_i32(r));
            break;
        case 2:
            if (take(r, &seen, type, id, TC_I32))
                d->num_nulls = (int32_t)nonneg(r, tc_read_i32(r));
            break;
        case 3:
            if (take(r, &seen, type, id, TC_I32))
                d->num_rows = (int32_t)nonneg(r, tc_read_i32(r));
            break;
        case 4:
            if (take(r, &seen, type, id, TC_I32))
                d->encoding = tc_read_i32(r);
            break;
        case 5:
            if (take(r, &seen, type, id, TC_I32))
                d->definition_levels_byte_length = (int32_t)nonneg(r, tc_read_i32(r));
            break;
        case 6:
            if (take(r, &seen, type, id, TC_I32))
                d->repetition_levels_byte_length = (int32_t)nonneg(r, tc_read_i32(r));
            break;
        case 7:
            if (take(r, &seen, type, id, TC_BOOL_TRUE))
                d->is_compressed = tc_read_bool_field(r, type);
            break;
        case 8:
            if (take(r, &seen, type, id, TC_STRUCT)) {
                get_statistics(r, &d->statistics);
                d->has_statistics = 1;
            }
            break;
        default:
            tc_skip(r, type);
            break;
        }
    }
    tc_read_struct_end(r);
    require(r, seen, F(1) | F(2) | F(3) | F(4) | F(5) | F(6));
    if (d->num_nulls > d->num_values)
        fail(r, ERR_CORRUPT);
}

int pqm_decode_page_header(struct tc_reader *r, struct pq_page_header *h) {
    uint32_t seen = 0;
    int type;
    int16_t id;
    memset(h, 0, sizeof(*h));
    h->data_page_header_v2.is_compressed = 1;
    tc_read_struct_begin(r);
    while (tc_read_field_begin(r, &type, &id)) {
        switch (id) {
        case 1:
            if (take(r, &seen, type, id, TC_I32))
                h->type = tc_read_i32(r);
            break;
        case 2:
            if (take(r, &seen, type, id, TC_I32))
                h->uncompressed_page_size = (int32_t)nonneg(r, tc_read_i32(r));
            break;
        case 3:
            if (take(r, &seen, type, id, TC_I32))
                h->compressed_page_size = (int32_t)nonneg(r, tc_read_i32(r));
            break;
        case 4:
            if (take(r, &seen, type, id, TC_I32)) {
                h->crc = tc_read_i32(r);
                h->has_crc = 1;
            }
            break;
        case 5:
            if (take(r, &seen, type, id, TC_STRUCT)) {
                get_data_page_header(r, &h->data_page_header);
                h->has_data_page_header = 1;
            }
            break;
        case 7:
            if (take(r, &seen, type, id, TC_STRUCT)) {
                get_dictionary_page_header(r, &h->dictionary_page_header);
                h->has_dictionary_page_header = 1;
            }
            break;
        case 8:
            if (take(r, &seen, type, id, TC_STRUCT)) {
                get_data_page_header_v2(r, &h->data_page_header_v2);
                h->has_data_page_header_v2 = 1;
            }
            break;
        default:                     /* 6: index_page_header */
            tc_skip(r, type);
            break;
        }
    }
    tc_read_struct_end(r);
    require(r, seen, F(1) | F(2) | F(3));
    if (r->err != ERR_OK)
        return r->err;
    /* The header of the page's own type must be there; the levels of a v2
       page are stored uncompressed, so they fit both sizes. */
    if ((h->type == PQ_DATA_PAGE && !h->has_data_page_header) ||
        (h->type == PQ_DICTIONARY_PAGE && !h->has_dictionary_page_header) ||
        (h->type == PQ_DATA_PAGE_V2 && !h->has_data_page_header_v2))
        fail(r, ERR_CORRUPT);
    if (h->has_data_page_header_v2) {
        const struct pq_data_page_header_v2 *d = &h->data_page_header_v2;
        int64_t levels = (int64_t)d->definition_levels_byte_length +
                         d->repetition_levels_byte_length;
        if (levels > h->compressed_page_size || levels > h->uncompressed_page_size)
            fail(r, ERR_CORRUPT);
    }
    return r->err;
}

static void free_column_meta(pool_t *pool, struct pq_column_meta *c) {
    pool_free(pool, c->encodings);
    pool_free(pool, c->path_in_schema);
    pool_free(pool, c->encoding_stats);
    pool_free(pool, c->key_value_metadata);
}

void pqm_free_file_meta(pool_t *pool, struct pq_file_meta *m) {
    for (uint32_t i = 0; m->row_groups != NULL && i < m->n_row_groups; i++) {
        struct pq_row_group *rg = &m->row_groups[i];
        for (uint32_t j = 0; rg->columns != NULL && j < rg->n_columns; j++)
            free_column_meta(pool, &rg->columns[j].meta_data);
        pool_free(pool, rg->columns);
    }
    pool_free(pool, m->row_groups);
    pool_free(pool, m->schema);
    pool_free(pool, m->key_value_metadata);
    pool_free(pool, m->column_orders);
    memset(m, 0, sizeof(*m));
}
