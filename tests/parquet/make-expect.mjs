// Produce the expected CSV of every Parquet file under tests/parquet with
// DuckDB, the reference reader, in the exact format csv2pq -d writes.
//
// usage: node tests/parquet/make-expect.mjs [DIR]     (DIR: tests/parquet)
// needs @duckdb/node-api and, for the files DuckDB cannot read, parquet-wasm
// (arrow-rs), nodejs-polars and hyparquet (+ hyparquet-compressors) on
// NODE_PATH or in a node_modules above the working directory.
//
// Writes DIR/expect/<path>.csv for each file some reader reads, and
// DIR/expect/MANIFEST: one line per file, tab-separated:
//   path  outcome  readers  note
// outcome: "duckdb"  the CSV is DuckDB's reading;
//          "arrow"   DuckDB cannot read the file; arrow-rs reads it and
//                    rewrites it uncompressed, DuckDB reads that rewrite;
//          "error"   csv2pq -d must fail cleanly: no reader reads the file,
//                    or it is in bad_data/ and not every reader reads it,
//                    or it is outside csv2pq's scope (see note).
//
// CSV format (what csv2pq -d writes): a header line, LF line ends, NULL as
// nothing, a field quoted when it contains , " CR or LF or is empty.  Each
// top-level column's value is DuckDB's text (CAST(x AS VARCHAR), TimeZone
// UTC).  A nested value (LIST, STRUCT, MAP) is compact JSON: numbers and
// booleans bare (nan, inf as strings), other leaves as JSON strings of
// their text, a MAP as an object keyed by the key's text.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';

const dir = path.resolve(process.argv[2] || path.join(path.dirname(new URL(import.meta.url).pathname)));
const require = createRequire(path.join(process.cwd(), 'noop.js'));
const load = async (name) => import(require.resolve(name));
const duck = await load('@duckdb/node-api');

// Files no reader should be asked to render: the reason is the note.
const FORCED_ERROR = {
  'data/large_string_map.brotli.parquet': 'BROTLI pages: unsupported codec (and 2 GiB of text)',
};

function walk(d, rel = '') {
  const out = [];
  for (const f of fs.readdirSync(path.join(d, rel)).sort()) {
    const r = rel ? `${rel}/${f}` : f;
    const st = fs.statSync(path.join(d, r));
    if (st.isDirectory()) { if (f !== 'expect') out.push(...walk(d, r)); }
    else if (/\.parquet(\.encrypted)?$/.test(f)) out.push(r);
  }
  return out;
}

const db = await duck.DuckDBInstance.create(':memory:', { threads: '1' });
const con = await db.connect();
await con.run("SET TimeZone = 'UTC'");
await con.run('SET enable_geoparquet_conversion = false');

const T = duck.DuckDBTypeId;
const NUMERIC = new Set([T.TINYINT, T.SMALLINT, T.INTEGER, T.BIGINT, T.UTINYINT, T.USMALLINT,
  T.UINTEGER, T.UBIGINT, T.HUGEINT, T.UHUGEINT, T.DECIMAL, T.FLOAT, T.DOUBLE]);
const isNested = (t) => t.typeId === T.LIST || t.typeId === T.STRUCT || t.typeId === T.MAP || t.typeId === T.ARRAY;
const q = (s) => '"' + s.replaceAll('"', '""') + '"';

// A SQL expression turning x of type t into the same shape with VARCHAR
// leaves (maps become lists of {k, v}).
let lambdaId = 0;
function leafText(x, t) {
  if (t.typeId === T.LIST || t.typeId === T.ARRAY) {
    const v = `e${lambdaId++}`;
    return `list_transform(${x}, lambda ${v}: ${leafText(v, t.valueType)})`;
  }
  if (t.typeId === T.STRUCT) {
    const parts = t.entryNames.map((n, i) => `${q(n)} := ${leafText(`${x}.${q(n)}`, t.entryTypes[i])}`);
    return `CASE WHEN ${x} IS NULL THEN NULL ELSE struct_pack(${parts.join(', ')}) END`;
  }
  if (t.typeId === T.MAP) {
    const v = `e${lambdaId++}`;
    return `list_transform(map_entries(${x}), lambda ${v}: {'k': ${leafText(`${v}.key`, t.keyType)}, 'v': ${leafText(`${v}.value`, t.valueType)}})`;
  }
  return `CAST(${x} AS VARCHAR)`;
}

function json(v, t) {
  if (v === null || v === undefined) return 'null';
  if (t.typeId === T.LIST || t.typeId === T.ARRAY) return '[' + v.map((e) => json(e, t.valueType)).join(',') + ']';
  if (t.typeId === T.STRUCT)
    return '{' + t.entryNames.map((n, i) => JSON.stringify(n) + ':' + json(v[n], t.entryTypes[i])).join(',') + '}';
  if (t.typeId === T.MAP)
    return '{' + v.map((e) => {
      let k = json(e.k, t.keyType);
      if (!k.startsWith('"')) k = JSON.stringify(k);
      return k + ':' + json(e.v, t.valueType);
    }).join(',') + '}';
  if (t.typeId === T.BOOLEAN) return v;
  if (NUMERIC.has(t.typeId)) return /^-?(nan|inf)$/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

function csvField(s) {
  if (s === null) return '';
  return s === '' || /[,"\r\n]/.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;
}

async function duckCsv(file) {
  const src = `read_parquet('${file.replaceAll("'", "''")}')`;
  const types = (await con.runAndReadAll(`SELECT * FROM ${src} LIMIT 0`));
  const names = types.columnNames(), tys = types.columnTypes();
  const sel = names.map((n, i) => `${leafText(q(n), tys[i])} AS ${q(n)}`).join(', ');
  const rows = (await con.runAndReadAll(`SELECT ${sel || '*'} FROM ${src}`)).getRowsJson();
  let out = names.length ? names.map(csvField).join(',') + '\n' : '';
  for (const r of rows)
    out += r.map((v, i) => csvField(v === null ? null : isNested(tys[i]) ? json(v, tys[i]) : v)).join(',') + '\n';
  return out;
}

async function others(file) {
  const ok = [];
  const bytes = new Uint8Array(fs.readFileSync(file));
  try {
    const pl = (await load('nodejs-polars')).default;
    pl.readParquet(file); ok.push('polars');
  } catch { /* not read */ }
  let table = null;
  try {
    const pw = await load('parquet-wasm');
    table = pw.readParquet(bytes);
    ok.push('arrow-rs');
  } catch { /* not read */ }
  try {
    const { parquetReadObjects } = await load('hyparquet');
    const { compressors } = await load('hyparquet-compressors');
    await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), compressors });
    ok.push('hyparquet');
  } catch { /* not read */ }
  return { ok, table };
}

// hyparquet can throw from a detached promise on some damaged files.
process.on('uncaughtException', () => {});
process.on('unhandledRejection', () => {});

// tests/parquet/extra: files DuckDB writes, for the types and encodings
// the corpus lacks (TIME, TIMESTAMP_NS, UUID, INTERVAL, unsigned and
// small integers, DECIMAL in INT32/INT64/FIXED_LEN_BYTE_ARRAY, JSON, ENUM,
// nested lists, structs and maps with NULLs; data pages v2 with the DELTA
// and BYTE_STREAM_SPLIT encodings; several row groups).  Written once:
// delete them to write them again.
const EXTRA_SQL = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE t AS SELECT
  i AS id,
  CASE WHEN i % 7 = 3 THEN NULL ELSE (i * 37 % 101) - 50 END::TINYINT AS i8,
  (i * 1234 % 60000)::USMALLINT AS u16,
  (i * 2654435761 % 4294967296)::UINTEGER AS u32,
  (i * 11400714819323198485 % 18446744073709551616)::UBIGINT AS u64,
  (i * 1234567 - 5000000)::BIGINT AS i64,
  CASE i % 5 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN -0.0 WHEN 2 THEN 1e300 * i ELSE i / 7.0 END AS dbl,
  CASE i % 4 WHEN 0 THEN 'inf'::FLOAT WHEN 1 THEN NULL ELSE (i / 3.0)::FLOAT END AS flt,
  (((i * 98765) % 1000000 - 500000) / 10000.0)::DECIMAL(9,4) AS d9,
  (i * 123456789012::DECIMAL(18,0) - 7)::DECIMAL(18,3) AS d18,
  (i * 12345678901234567890::DECIMAL(38,0))::DECIMAL(38,5) AS d38,
  DATE '2000-01-01' + (i * 977 - 40000)::INTEGER AS dt,
  CASE WHEN i = 5 THEN DATE '-0044-03-15' WHEN i = 6 THEN DATE '12345-06-07' ELSE DATE '1970-01-01' + i::INTEGER END AS dt2,
  TIME '00:00:00' + INTERVAL (i * 3671001) MILLISECOND AS tm,
  TIMETZ '01:02:03.25+00' AS tmtz,
  TIMESTAMP '2024-02-29 23:59:59.999999' + INTERVAL (i * 86400123) MICROSECOND AS ts,
  (TIMESTAMP '1969-12-31 23:59:59' + INTERVAL (i) SECOND)::TIMESTAMP_MS AS ts_ms,
  (TIMESTAMP '2020-01-01' + INTERVAL (i * 1000003) SECOND)::TIMESTAMP_NS + INTERVAL (i) MICROSECOND AS ts_ns,
  TIMESTAMPTZ '2024-01-02 03:04:05.5+00' + INTERVAL (i) HOUR AS tstz,
  ('12345678-1234-5678-1234-5678123456' || lpad((i % 100)::VARCHAR, 2, '0'))::UUID AS uid,
  INTERVAL (i) MONTH + INTERVAL (i * 3) DAY + INTERVAL (i * 1500) MILLISECOND AS iv,
  CASE i % 6 WHEN 0 THEN 'plain' WHEN 1 THEN 'comma, inside' WHEN 2 THEN 'quote " inside' WHEN 3 THEN 'new
line' WHEN 4 THEN '' ELSE NULL END AS s,
  ('{"k": ' || i || ', "s": "x\\"y"}')::JSON AS js,
  (['sad', 'ok', 'happy'])[1 + i % 3]::mood AS mood,
  ('\\x00\\x01\\x5C\\x27\\x22\\xFF' || i::VARCHAR)::BLOB AS bl,
  CASE WHEN i % 4 = 0 THEN NULL WHEN i % 4 = 1 THEN [] ELSE [i, NULL, i * 2] END AS lst,
  {'a': i, 'b': CASE WHEN i % 3 = 0 THEN NULL ELSE 'x' || i END, 'c': [1.5, NULL]} AS st,
  CASE WHEN i % 5 = 0 THEN NULL ELSE MAP {'k' || i: [i], 'z': []} END AS mp,
  [{'x': i, 'y': [[i], []]}, NULL] AS lst_st,
  CASE WHEN i % 2 = 0 THEN NULL ELSE {'inner': {'v': i::DOUBLE / 4}} END AS st_nested
FROM range(60) r(i);
COPY t TO 'EXTRA/duckdb_types.parquet' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 25);
COPY t TO 'EXTRA/duckdb_types_v2.parquet' (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION v2, ROW_GROUP_SIZE 40);
COPY (SELECT * EXCLUDE (tmtz, ts_ns) FROM t) TO 'EXTRA/duckdb_types_gzip.parquet' (FORMAT parquet, COMPRESSION gzip);
`;
const extra = path.join(dir, 'extra');
if (!fs.existsSync(path.join(extra, 'duckdb_types.parquet'))) {
  fs.mkdirSync(extra, { recursive: true });
  const wdb = await duck.DuckDBInstance.create(':memory:', { threads: '1' });
  const w = await wdb.connect();
  for (const st of EXTRA_SQL.replaceAll('EXTRA', extra.replaceAll("'", "''")).split(/;\n/))
    if (st.trim()) await w.run(st);
}

const files = walk(dir);
fs.mkdirSync(path.join(dir, 'expect'), { recursive: true });
const manifest = [];
for (const rel of files) {
  const file = path.join(dir, rel);
  const out = path.join(dir, 'expect', rel.replace(/\.parquet(\.encrypted)?$/, '.csv'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  if (fs.existsSync(out)) fs.rmSync(out);
  let csv = null, outcome = 'error', note = '', readers = [];
  if (FORCED_ERROR[rel]) {
    manifest.push([rel, 'error', '-', FORCED_ERROR[rel]].join('\t'));
    console.log(manifest[manifest.length - 1]);
    continue;
  }
  try {
    csv = await duckCsv(file);
    readers.push('duckdb');
    outcome = 'duckdb';
  } catch (e) {
    note = 'duckdb: ' + String(e.message).split('\n')[0].replace(dir + '/', '').slice(0, 120);
  }
  const o = await others(file);
  readers.push(...o.ok);
  if (!csv && o.table) {
    const pw = await load('parquet-wasm');
    const tmp = path.join(os.tmpdir(), `make-expect-${process.pid}.parquet`);
    try {
      const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.UNCOMPRESSED).build();
      fs.writeFileSync(tmp, pw.writeParquet(o.table, props));
      csv = await duckCsv(tmp);
      outcome = 'arrow';
    } catch (e) {
      note += '; arrow-rs rewrite: ' + String(e.message).split('\n')[0].slice(0, 120);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  // bad_data: damaged on purpose, so an error is expected unless every
  // reader reads the file (then it is only unusual, and must read the same).
  if (rel.startsWith('bad_data/') && csv !== null && readers.length < 4) {
    note = `damaged (${readers.join(', ')} read it anyway): csv2pq -d must fail cleanly`;
    outcome = 'error';
    csv = null;
  }
  if (csv !== null) fs.writeFileSync(out, csv);
  manifest.push([rel, outcome, readers.join(',') || '-', note || '-'].join('\t'));
  console.log(manifest[manifest.length - 1]);
}
fs.writeFileSync(path.join(dir, 'expect', 'MANIFEST'), manifest.join('\n') + '\n');
