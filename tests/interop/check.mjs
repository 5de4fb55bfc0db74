// Check Parquet files against the CSV files they were made from, with four
// independent readers: DuckDB, Polars, arrow-rs (parquet-wasm) and hyparquet.
//
// usage: node check.mjs [--dir DIR]... [[OPTIONS] CSV PARQUET]...
//
//   OPTIONS apply to the pair that follows them. They are csv2pq's own options,
//   so a pair can be described by the command line that made it:
//     --no-header      the CSV has no header line
//     --delimiter C    field delimiter (default ,)
//     --quote C        quote character (default "); '' none
//     --null STR       an unquoted STR is NULL too (repeatable; an unquoted
//                      empty field is always NULL, a quoted one never)
//   Without --delimiter, --quote or --no-header DuckDB detects them, as
//   csv2pq does.  Options that change which rows, columns or values reach the
//   file (--on-error, --columns, --rename, --skip, --comment, --type, --schema,
//   --binary, --decimal-comma, the format options ...) leave out the csv
//   comparison; the readers and stats checks still run.
//   csv2pq's other options (-o, -c, --level, --row-group-size, -m, -q, -v, -f,
//   -d) are accepted and change nothing here; a pair from csv2pq -d is
//   (its CSV output, the Parquet file it decoded) and is checked the same way. One more option is the checker's:
//     --expect-types T1,T2,...   DuckDB's type for each column must be these
//     --stat-bytes N             longest truncated string bound (default 64)
//
//   --dir DIR checks every DIR/NAME.parquet against DIR/NAME.csv, with the
//   options in DIR/NAME.opts (csv2pq options as shell words, optional) and the
//   expected types in DIR/NAME.types (optional).
//
// For each file it checks:
//   readers  each reader reads the whole file; all four agree on the row count,
//            the column names, each column's kind of type, each column's NULL
//            count and every cell's value, in file order (see "Canonical
//            values" below).
//   csv      DuckDB reads the CSV with read_csv, giving each column the type
//            DuckDB found in the Parquet file; the two tables must hold the same
//            rows (EXCEPT ALL both ways) in the same order, cell by cell.
//   types    with --expect-types, the Parquet file's DuckDB types are those.
//   stats    for every column chunk, the footer's null_count, min and max
//            (DuckDB's parquet_metadata()) equal the NULL count, minimum and
//            maximum of the chunk's values. A string bound may differ from the
//            value only when the value is longer than --stat-bytes: then the
//            bound is at most that long, min <= the minimum and max >= the
//            maximum (byte order). NaN takes no part in float min/max; a float
//            chunk holding NaN may omit min/max.
// It prints one line per file and check, "interop check: N passed, M failed"
// at the end, and exits 1 when any file failed (2 for a usage error).
//
// Canonical values. Each reader hands back its own JavaScript types; every
// cell is turned into one string before comparing, from the reader's exact
// raw value (never through a lossy JS Date or a 53-bit Number):
//   NULL               null (kept apart from every string)
//   integers           decimal digits of the exact value: "-9223372036854775808".
//                      DuckDB BIGINT and arrow Int64 give BigInt; Polars is
//                      asked for the digits (cast to Utf8) since its Int64
//                      comes back as a lossy Number.
//   floats             JavaScript's shortest round-trip form of the double
//                      ("0.1", "1e+21"), "-0" for negative zero, "NaN",
//                      "Infinity", "-Infinity". FLOAT is widened to double by
//                      every reader, exactly.
//   strings            JSON-quoted, so "" and "null" stay apart from NULL
//   booleans           "true" / "false"
//   dates              "YYYY-MM-DD" from the day count since 1970-01-01
//                      (proleptic Gregorian; DuckDB days, Polars cast to Int32,
//                      arrow Date32 values, hyparquet's raw day number)
//   timestamps         "YYYY-MM-DD HH:MM:SS.fffffffff" from the raw count of
//                      the column's unit (s, ms, us, ns) since the epoch, with
//                      trailing fraction zeros and a bare "." dropped, so the
//                      unit a reader chose does not matter. The count is read
//                      raw: DuckDB's micros/nanos, Polars cast to Int64, arrow's
//                      BigInt64 buffer, hyparquet through parsers that keep the
//                      BigInt (its default makes a millisecond Date). A
//                      TIMESTAMP(isAdjustedToUTC=false) column is the same wall
//                      clock in every reader; whether a column is adjusted to
//                      UTC is compared as its kind (timestamp / timestamptz),
//                      not in the values.
//   times              "HH:MM:SS.fffffffff" the same way, from the unit count
//   decimals           the exact unscaled integer with the point put back
//                      ("-0.01"); hyparquet gives a Number, rounded to the
//                      scale, which is exact up to 15 digits.
// Kinds: int, float, string, bool, date, timestamp, timestamptz, time,
// decimal, null (a column of the Null type, which matches any kind when the
// column holds no value) and other.

import fs from 'node:fs';
import path from 'node:path';

const USAGE = 'usage: node check.mjs [--dir DIR]... [[OPTIONS] CSV PARQUET]...';
const SHOW = 3;           // mismatches shown per check before "... and N more"

// ---------------------------------------------------------------- arguments

// Splits the text of a .opts file into words, with '...', "..." and \ as in sh.
function shellWords(text) {
  const words = [];
  let word = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated quote');
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      word = word ?? '';
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && /["\\$`]/.test(text[i + 1] ?? '')) i++;
        word += text[i];
      }
      if (i >= text.length) throw new Error('unterminated quote');
    } else if (ch === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i];
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

function defaultOptions() {
  return { header: undefined, delimiter: undefined, quote: undefined, nulls: [''], expectTypes: null,
           statBytes: 64, compareCsv: true };
}

const WITH_VALUE = new Set(['-o', '--output', '-c', '--compression', '--level', '--row-group-size', '-m', '--memory',
  '-j', '--threads', '--infer-rows', '--max-errors', '--rejects']);
// Options after which the Parquet file is not DuckDB's plain read of the CSV.
const TRANSFORMING = new Set(['--on-error', '--columns', '--rename', '--skip', '--comment', '--type', '--schema',
  '--date-format', '--timestamp-format']);
const TRANSFORMING_FLAGS = new Set(['--binary', '--decimal-comma']);
const FLAGS = new Set(['-q', '-v', '-f', '-d', '--quiet', '--verbose', '--force', '--decode', '--print-schema',
  '--byte-stream-split', '--header']);

function oneChar(opt, v) {
  const c = v === '\\t' ? '\t' : v;
  if ([...c].length !== 1) throw new Error(`${opt} wants one character, got ${JSON.stringify(v)}`);
  return c;
}

// Reads one option at words[i] into opts; returns how many words it used,
// or 0 when words[i] is not an option.
function takeOption(words, i, opts) {
  let [name, value] = words[i].startsWith('--') && words[i].includes('=')
    ? [words[i].slice(0, words[i].indexOf('=')), words[i].slice(words[i].indexOf('=') + 1)]
    : [words[i], undefined];
  const needsValue = ['--delimiter', '--quote', '--null', '--expect-types', '--stat-bytes'].includes(name) ||
    WITH_VALUE.has(name) || TRANSFORMING.has(name);
  let used = 1;
  if (needsValue && value === undefined) {
    if (i + 1 >= words.length) throw new Error(`${name} needs a value`);
    value = words[i + 1];
    used = 2;
  }
  switch (name) {
    case '--no-header': opts.header = false; break;
    case '--header': opts.header = true; break;
    case '--delimiter':                  // '' (one column): no read_csv equivalent
      if (value === '') opts.compareCsv = false;
      else opts.delimiter = oneChar(name, value);
      break;
    case '--quote': opts.quote = value === '' ? '' : oneChar(name, value); break;
    case '--null': opts.nulls.push(value); break;
    case '--expect-types': opts.expectTypes = value.split(',').map((t) => t.trim()); break;
    case '--stat-bytes':
      opts.statBytes = Number(value);
      if (!Number.isInteger(opts.statBytes) || opts.statBytes < 1) throw new Error(`--stat-bytes wants a count, got ${value}`);
      break;
    default:
      if (TRANSFORMING.has(name) || TRANSFORMING_FLAGS.has(name)) {
        opts.compareCsv = false;
        break;
      }
      if (!WITH_VALUE.has(name) && !FLAGS.has(name)) {
        if (name.startsWith('-') && name !== '-') throw new Error(`unknown option ${name}`);
        return 0;
      }
  }
  return used;
}

function casesFromDir(dir) {
  const cases = [];
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort()) {
    const stem = path.join(dir, f.slice(0, -'.parquet'.length));
    const c = { name: stem + '.parquet', csv: stem + '.csv', parquet: stem + '.parquet', opts: defaultOptions() };
    try {
      if (fs.existsSync(stem + '.opts')) {
        const words = shellWords(fs.readFileSync(stem + '.opts', 'utf8'));
        for (let i = 0; i < words.length;) {
          const used = takeOption(words, i, c.opts);
          if (!used) throw new Error(`unexpected word ${JSON.stringify(words[i])}`);
          i += used;
        }
      }
      if (fs.existsSync(stem + '.types')) {
        c.opts.expectTypes = fs.readFileSync(stem + '.types', 'utf8').trim().split(',').map((t) => t.trim());
      }
    } catch (e) {
      c.error = `${stem}: ${e.message}`;
    }
    cases.push(c);
  }
  return cases;
}

function parseArgs(argv) {
  const cases = [];
  let opts = defaultOptions();
  const files = [];
  for (let i = 0; i < argv.length;) {
    if (argv[i] === '--dir') {
      if (i + 1 >= argv.length) throw new Error('--dir needs a value');
      cases.push(...casesFromDir(argv[i + 1]));
      i += 2;
      continue;
    }
    const used = takeOption(argv, i, opts);
    if (used) {
      i += used;
      continue;
    }
    files.push(argv[i++]);
    if (files.length === 2) {
      const [csv, parquet] = files.splice(0);
      cases.push({ name: parquet, csv, parquet, opts });
      opts = defaultOptions();
    }
  }
  if (files.length) throw new Error(`${files[0]}: a CSV file needs a Parquet file after it`);
  return cases;
}

// ------------------------------------------------------- canonical rendering

const UNIT_NANOS = { s: 1000000000n, ms: 1000000n, us: 1000n, ns: 1n };
const DAY_NANOS = 86400n * 1000000000n;

function floorDiv(a, b) {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

// Days since 1970-01-01 to "YYYY-MM-DD" (H. Hinnant's civil_from_days).
function canonDate(days) {
  const z = BigInt(days) + 719468n;
  const era = floorDiv(z, 146097n);
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const d = doy - (153n * mp + 2n) / 5n + 1n;
  const m = mp < 10n ? mp + 3n : mp - 9n;
  const y = yoe + era * 400n + (m <= 2n ? 1n : 0n);
  const year = y < 0n ? '-' + String(-y).padStart(4, '0') : String(y).padStart(4, '0');
  return `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function canonClock(nanosOfDay) {
  const two = (n) => String(n).padStart(2, '0');
  const secs = nanosOfDay / 1000000000n;
  const frac = String(nanosOfDay % 1000000000n).padStart(9, '0').replace(/0+$/, '');
  return `${two(secs / 3600n)}:${two(secs / 60n % 60n)}:${two(secs % 60n)}${frac ? '.' + frac : ''}`;
}

function canonTimestamp(count, unit) {
  const nanos = BigInt(count) * UNIT_NANOS[unit];
  const days = floorDiv(nanos, DAY_NANOS);
  return `${canonDate(days)} ${canonClock(nanos - days * DAY_NANOS)}`;
}

const canonTime = (count, unit) => canonClock(BigInt(count) * UNIT_NANOS[unit]);

function canonFloat(x) {
  if (typeof x !== 'number') throw new Error(`expected a number, got ${typeof x} ${String(x)}`);
  return Object.is(x, -0) ? '-0' : String(x);
}

function canonInt(x) {
  if (typeof x === 'number' && !Number.isSafeInteger(x)) throw new Error(`integer ${x} is not exact`);
  return String(typeof x === 'string' ? BigInt(x) : x);
}

function canonDecimal(unscaled, scale) {
  const v = BigInt(unscaled);
  const digits = String(v < 0n ? -v : v).padStart(scale + 1, '0');
  const text = scale ? digits.slice(0, -scale) + '.' + digits.slice(-scale) : digits;
  return (v < 0n ? '-' : '') + text;
}

// "12.3" or "-0.01" at the given scale to its canonical form.
function canonDecimalText(s, scale) {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(s.trim());
  if (!m) throw new Error(`not a decimal: ${s}`);
  const frac = (m[3] ?? '').padEnd(scale, '0');
  if (frac.length > scale) throw new Error(`decimal ${s} has more than ${scale} fraction digits`);
  return canonDecimal((m[1] === '-' ? -1n : 1n) * BigInt((m[2] || '0') + frac), scale);
}

const canonString = (s) => JSON.stringify(s);
const canonBool = (b) => (b ? 'true' : 'false');

// ------------------------------------------------------------------ readers

let duck = null;    // one DuckDB connection for every file
const mods = {};

async function loadReaders() {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  duck = await db.connect();
  try {
    await duck.run("SET TimeZone = 'UTC'");
  } catch {
    // Without ICU there are no zone-aware casts to configure.
  }
  mods.pl = (await import('nodejs-polars')).default;
  mods.pw = await import('parquet-wasm');
  mods.arrow = await import('apache-arrow');
  mods.hy = await import('hyparquet');
  mods.hyc = (await import('hyparquet-compressors')).compressors;
}

const lit = (s) => "'" + String(s).replaceAll("'", "''") + "'";
const ident = (s) => '"' + String(s).replaceAll('"', '""') + '"';

async function sql(text) {
  return (await duck.runAndReadAll(text)).getRowObjects();
}

function duckKind(type) {
  const t = String(type);
  if (/^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(t)) return 'int';
  if (t === 'FLOAT' || t === 'DOUBLE') return 'float';
  if (t === 'VARCHAR') return 'string';
  if (t === 'BOOLEAN') return 'bool';
  if (t === 'DATE') return 'date';
  if (/^TIMESTAMP(_S|_MS|_NS)?$/.test(t)) return 'timestamp';
  if (t === 'TIMESTAMP WITH TIME ZONE') return 'timestamptz';
  if (t === 'TIME' || t === 'TIME_NS') return 'time';
  if (t.startsWith('DECIMAL')) return 'decimal';
  if (t === '"NULL"' || t === 'NULL') return 'null';
  return 'other';
}

function duckCell(kind, v) {
  if (v === null) return null;
  switch (kind) {
    case 'int': return canonInt(v);
    case 'float': return canonFloat(v);
    case 'string': return canonString(v);
    case 'bool': return canonBool(v);
    case 'date': return canonDate(v.days);
    case 'timestamp':
    case 'timestamptz':
      if ('nanos' in v) return canonTimestamp(v.nanos, 'ns');
      if ('millis' in v) return canonTimestamp(v.millis, 'ms');
      if ('seconds' in v) return canonTimestamp(v.seconds, 's');
      return canonTimestamp(v.micros, 'us');
    case 'time': return 'nanos' in v ? canonTime(v.nanos, 'ns') : canonTime(v.micros, 'us');
    case 'decimal': return canonDecimal(v.value, v.scale);
    default: return String(v);
  }
}

// DuckDB reads table t (a copy of the Parquet file, or of the CSV).
async function duckTable(t) {
  const r = await duck.runAndReadAll(`SELECT * FROM ${t}`);
  const types = r.columnTypes().map(String);
  const kinds = types.map(duckKind);
  const cols = types.map((_, k) => []);
  r.getColumns().forEach((vals, k) => { cols[k] = vals.map((v) => duckCell(kinds[k], v)); });
  return { names: r.columnNames(), types, kinds, rows: r.currentRowCount, cols };
}

async function readDuckdb(c) {
  await duck.run(`CREATE OR REPLACE TEMP TABLE pq AS SELECT * FROM read_parquet(${lit(c.parquet)})`);
  return duckTable('pq');
}

function readPolars(c) {
  const pl = mods.pl;
  const df = pl.readParquet(c.parquet);
  const names = [], types = [], kinds = [], cols = [];
  for (const s of df.getColumns()) {
    const dt = s.dtype;
    const v = dt.variant;
    let kind, cells;
    const raw = (series, f) => series.toArray().map((x) => (x === null || x === undefined ? null : f(x)));
    if (/^U?Int(8|16|32|64)$/.test(v)) {
      kind = 'int';
      cells = raw(s.cast(pl.Utf8), canonInt);
    } else if (v === 'Float32' || v === 'Float64') {
      kind = 'float';
      cells = raw(s, canonFloat);
    } else if (v === 'String' || v === 'Utf8') {
      kind = 'string';
      cells = raw(s, canonString);
    } else if (v === 'Bool') {
      kind = 'bool';
      cells = raw(s, canonBool);
    } else if (v === 'Date') {
      kind = 'date';
      cells = raw(s.cast(pl.Int32), canonDate);
    } else if (v === 'Datetime') {
      kind = dt.timeZone ? 'timestamptz' : 'timestamp';
      cells = raw(s.cast(pl.Int64).cast(pl.Utf8), (x) => canonTimestamp(x, dt.timeUnit));
    } else if (v === 'Time') {
      kind = 'time';
      cells = raw(s.cast(pl.Int64).cast(pl.Utf8), (x) => canonTime(x, 'ns'));
    } else if (v === 'Decimal') {
      kind = 'decimal';
      cells = raw(s.cast(pl.Utf8), (x) => canonDecimalText(x, dt.scale));
    } else if (v === 'Null') {
      kind = 'null';
      cells = new Array(s.length).fill(null);
    } else {
      kind = 'other';
      cells = raw(s.cast(pl.Utf8), String);
    }
    names.push(s.name);
    types.push(String(dt).replace(/^DataType\((.*)\)$/, '$1'));
    kinds.push(kind);
    cols.push(cells);
  }
  // (df.height would be a column named "height": nodejs-polars exposes columns as properties)
  const series = df.getColumns();
  return { names, types, kinds, rows: series.length ? series[0].length : 0, cols };
}

// The raw buffer values of an arrow vector (BigInt for 64-bit units), null where null.
function arrowRaw(vec) {
  const out = [];
  for (const d of vec.data) {
    for (let i = 0; i < d.length; i++) out.push(d.getValid(i) ? d.values[i] : null);
  }
  return out;
}

function readArrow(c, bytes) {
  const A = mods.arrow;
  const t = A.tableFromIPC(mods.pw.readParquet(bytes).intoIPCStream());
  const names = [], types = [], kinds = [], cols = [];
  const UNIT = { [A.TimeUnit.SECOND]: 's', [A.TimeUnit.MILLISECOND]: 'ms',
    [A.TimeUnit.MICROSECOND]: 'us', [A.TimeUnit.NANOSECOND]: 'ns' };
  t.schema.fields.forEach((f, k) => {
    const vec = t.getChildAt(k);
    const type = f.type;
    const each = (fn) => Array.from({ length: vec.length }, (_, i) => (vec.isValid(i) ? fn(vec.get(i)) : null));
    let kind, cells;
    switch (type.typeId) {
      case A.Type.Int: kind = 'int'; cells = each(canonInt); break;
      case A.Type.Float: kind = 'float'; cells = each(canonFloat); break;
      case A.Type.Utf8: case A.Type.LargeUtf8: case A.Type.Utf8View:
        kind = 'string'; cells = each(canonString); break;
      case A.Type.Bool: kind = 'bool'; cells = each(canonBool); break;
      case A.Type.Date:
        kind = 'date';
        cells = type.unit === A.DateUnit.DAY
          ? arrowRaw(vec).map((x) => (x === null ? null : canonDate(x)))
          : arrowRaw(vec).map((x) => (x === null ? null : canonDate(floorDiv(BigInt(x), 86400000n))));
        break;
      case A.Type.Timestamp:
        kind = type.timezone ? 'timestamptz' : 'timestamp';
        cells = arrowRaw(vec).map((x) => (x === null ? null : canonTimestamp(x, UNIT[type.unit])));
        break;
      case A.Type.Time:
        kind = 'time';
        cells = arrowRaw(vec).map((x) => (x === null ? null : canonTime(x, UNIT[type.unit])));
        break;
      case A.Type.Decimal:
        kind = 'decimal';
        cells = each((x) => canonDecimal(BigInt(String(x)), type.scale));
        break;
      case A.Type.Null: kind = 'null'; cells = new Array(vec.length).fill(null); break;
      default: kind = 'other'; cells = each(String);
    }
    names.push(f.name);
    types.push(String(type));
    kinds.push(kind);
    cols.push(cells);
  });
  return { names, types, kinds, rows: t.numRows, cols };
}

// The kind of a Parquet leaf as its schema element declares it. A legacy
// TIMESTAMP_MILLIS/MICROS converted type without a logical type means
// isAdjustedToUTC = true (LogicalTypes.md, backward compatibility).
function parquetKind(el) {
  const lt = el.logical_type?.type;
  const ct = el.converted_type;
  const t = el.type;
  if (lt === 'UNKNOWN') return 'null';
  if (t === 'BOOLEAN') return 'bool';
  if (lt === 'DATE' || ct === 'DATE') return 'date';
  if (lt === 'TIMESTAMP') return el.logical_type.isAdjustedToUTC ? 'timestamptz' : 'timestamp';
  if (ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS') return 'timestamptz';
  if (t === 'INT96') return 'timestamp';
  if (lt === 'TIME' || ct === 'TIME_MILLIS' || ct === 'TIME_MICROS') return 'time';
  if (lt === 'DECIMAL' || ct === 'DECIMAL') return 'decimal';
  if (lt === 'STRING' || ct === 'UTF8' || lt === 'ENUM' || ct === 'ENUM') return 'string';
  if (t === 'INT32' || t === 'INT64') return 'int';
  if (t === 'FLOAT' || t === 'DOUBLE') return 'float';
  return 'other';
}

function parquetTypeName(el) {
  const lt = el.logical_type;
  if (lt) {
    const args = Object.entries(lt).filter(([k]) => k !== 'type').map(([, v]) => v);
    return `${el.type}/${lt.type}${args.length ? '(' + args.join(',') + ')' : ''}`;
  }
  return el.converted_type ? `${el.type}/${el.converted_type}` : el.type;
}

// hyparquet keeps the raw count for timestamps and dates through these parsers.
const HY_PARSERS = {
  timestampFromMilliseconds: (v) => ({ count: BigInt(v), unit: 'ms' }),
  timestampFromMicroseconds: (v) => ({ count: BigInt(v), unit: 'us' }),
  timestampFromNanoseconds: (v) => ({ count: BigInt(v), unit: 'ns' }),
  dateFromDays: (v) => ({ days: v }),
};

// hyparquet turns a DECIMAL with a converted type into a Number; one with only
// the logical type stays an integer or big-endian two's complement bytes.
function hyDecimal(v, scale) {
  if (typeof v === 'number') return canonDecimalText(v.toFixed(scale), scale);
  if (v instanceof Uint8Array) {
    let x = 0n;
    for (const b of v) x = x * 256n + BigInt(b);
    if (v.length && v[0] & 0x80) x -= 1n << BigInt(8 * v.length);
    return canonDecimal(x, scale);
  }
  return canonDecimal(v, scale);
}

async function readHyparquet(c, bytes) {
  const { parquetMetadata, parquetSchema, parquetRead } = mods.hy;
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const metadata = parquetMetadata(ab);
  const leaves = parquetSchema(metadata).children;
  let data = [];
  if (leaves.length) {
    await parquetRead({ file: ab, metadata, compressors: mods.hyc, parsers: HY_PARSERS,
      onComplete: (rows) => { data = rows; } });
  }
  const names = [], types = [], kinds = [], cols = [];
  leaves.forEach((leaf, k) => {
    const el = leaf.element;
    const kind = leaf.children.length ? 'other' : parquetKind(el);
    const timeUnit = { MILLIS: 'ms', MICROS: 'us', NANOS: 'ns' }[el.logical_type?.unit]
      ?? (el.converted_type === 'TIME_MILLIS' ? 'ms' : 'us');
    const cell = (v) => {
      switch (kind) {
        case 'int': return canonInt(v);
        case 'float': return canonFloat(v);
        case 'string': return canonString(v);
        case 'bool': return canonBool(v);
        case 'date': return canonDate(typeof v === 'object' ? v.days : v);
        case 'timestamp': case 'timestamptz': return canonTimestamp(v.count, v.unit);
        case 'time': return canonTime(v, timeUnit);
        case 'decimal': return hyDecimal(v, el.scale ?? 0);
        default: return String(v);
      }
    };
    names.push(el.name);
    types.push(parquetTypeName(el));
    kinds.push(kind);
    cols.push(data.map((r) => (r[k] === null || r[k] === undefined ? null : cell(r[k]))));
  });
  return { names, types, kinds, rows: Number(metadata.num_rows), cols, dataRows: data.length };
}

// ------------------------------------------------------------------- checks

const nullCounts = (r) => r.cols.map((col) => col.reduce((n, v) => n + (v === null ? 1 : 0), 0));

function more(list, show = SHOW) {
  return list.length > show ? [...list.slice(0, show), `... and ${list.length - show} more`] : list;
}

// Differences between the readers' results, as messages.
function compareReaders(res) {
  const readers = Object.keys(res);
  const ref = res[readers[0]];
  const problems = [];
  const all = (f) => readers.map((r) => `${r}=${f(res[r])}`).join(' ');
  const same = (f) => new Set(readers.map((r) => JSON.stringify(f(res[r])))).size === 1;
  for (const r of readers) {
    if (res[r].dataRows !== undefined && res[r].dataRows !== res[r].rows) {
      problems.push(`${r} read ${res[r].dataRows} rows of the footer's ${res[r].rows}`);
    }
  }
  if (!same((r) => r.rows)) problems.push(`row counts differ: ${all((r) => r.rows)}`);
  if (!same((r) => r.names)) problems.push(`column names differ: ${all((r) => JSON.stringify(r.names))}`);
  if (problems.length) return problems;
  const nulls = Object.fromEntries(readers.map((r) => [r, nullCounts(res[r])]));
  ref.names.forEach((name, k) => {
    const kinds = new Set(readers.map((r) => res[r].kinds[k]));
    const empty = nulls[readers[0]][k] === ref.rows;
    if (kinds.size > 1 && !(empty && kinds.size === 2 && kinds.has('null'))) {
      problems.push(`column ${JSON.stringify(name)}: kinds differ: ${all((r) => `${r.kinds[k]}(${r.types[k]})`)}`);
      return;
    }
    if (new Set(readers.map((r) => nulls[r][k])).size > 1) {
      problems.push(`column ${JSON.stringify(name)}: NULL counts differ: ${readers.map((r) => `${r}=${nulls[r][k]}`).join(' ')}`);
    }
    const bad = [];
    for (let i = 0; i < ref.rows; i++) {
      const v = ref.cols[k][i];
      if (readers.some((r) => res[r].cols[k][i] !== v)) bad.push(i);
    }
    if (bad.length) {
      const i = bad[0];
      problems.push(`column ${JSON.stringify(name)}: ${bad.length} cells differ, first at row ${i + 1}: ` +
        readers.map((r) => `${r}=${res[r].cols[k][i]}`).join(' '));
    }
  });
  return problems;
}

function csvSource(c, types) {
  const o = c.opts;
  const spec = types.map((t, k) => `${lit(t.name)}: ${lit(t.type)}`).join(', ');
  const given = (o.header === undefined ? '' : `header = ${o.header}, `) +
    (o.delimiter === undefined ? '' : `delim = ${lit(o.delimiter)}, `) +
    (o.quote === undefined ? '' : `quote = ${lit(o.quote)}, escape = ${lit(o.quote)}, `);
  return `read_csv(${lit(c.csv)}, ${given}nullstr = [${o.nulls.map(lit).join(', ')}], ` +
    `allow_quoted_nulls = false, columns = {${spec}})`;
}

// DuckDB's read_csv of the CSV against the Parquet file (table pq).
async function compareCsv(c, ref) {
  if (!c.opts.compareCsv) return { problems: [], line: 'not compared: the options transform the rows' };
  const types = ref.names.map((name, k) => ({ name, type: ref.types[k] }));
  if (!types.length) return { problems: [], line: 'no columns to compare' };
  await duck.run(`CREATE OR REPLACE TEMP TABLE csv AS SELECT * FROM ${csvSource(c, types)}`);
  const count = async (q) => Number((await sql(`SELECT count(*) AS n FROM (${q})`))[0].n);
  const missing = await count('SELECT * FROM csv EXCEPT ALL SELECT * FROM pq');
  const extra = await count('SELECT * FROM pq EXCEPT ALL SELECT * FROM csv');
  const fromCsv = await duckTable('csv');
  const line = `rows=${ref.rows} csv_rows=${fromCsv.rows} missing=${missing} extra=${extra} types=${ref.types.join(',')}`;
  const problems = [];
  if (missing || extra || fromCsv.rows !== ref.rows) {
    problems.push(`${missing} CSV rows are not in the Parquet file and ${extra} Parquet rows are not in the CSV`);
  }
  const diffs = [];
  for (let i = 0; i < Math.min(ref.rows, fromCsv.rows); i++) {
    const k = ref.cols.findIndex((col, j) => col[i] !== fromCsv.cols[j][i]);
    if (k >= 0) diffs.push(`row ${i + 1} column ${JSON.stringify(ref.names[k])}: csv=${fromCsv.cols[k][i]} parquet=${ref.cols[k][i]}`);
  }
  if (diffs.length) problems.push(`${diffs.length} rows differ in order or value`, ...more(diffs));
  return { problems, line };
}

function checkTypes(c, ref) {
  const want = c.opts.expectTypes;
  if (want.length === ref.types.length && want.every((t, k) => t === ref.types[k])) return [];
  return [`expected types ${want.join(',')}, got ${ref.types.join(',')}`];
}

// The min/max of a chunk's metadata row. The deprecated min/max fields are
// used only where their signed byte order cannot differ from the spec's.
function statValues(m, kind) {
  const legacy = kind !== 'string';
  return { smin: m.stats_min_value ?? (legacy ? m.stats_min : null),
    smax: m.stats_max_value ?? (legacy ? m.stats_max : null) };
}

// True when no UTF-8 string of at most n bytes is >= s: s is longer than n
// bytes and its first n bytes are all U+10FFFF, so a writer may leave the
// maximum out rather than store it whole.
function noShortUpperBound(s, n) {
  if (Buffer.byteLength(s) <= n) return false;
  let bytes = 0;
  for (const ch of s) {
    bytes += Buffer.byteLength(ch);
    if (bytes > n) return true;
    if (ch !== '\u{10FFFF}') return false;
  }
  return true;
}

// Footer statistics of every column chunk against the chunk's own values.
async function checkStats(c, ref) {
  const meta = await sql(`SELECT row_group_id, row_group_num_rows, column_id, path_in_schema,
      stats_min_value, stats_max_value, stats_min, stats_max, stats_null_count, min_is_exact, max_is_exact
    FROM parquet_metadata(${lit(c.parquet)}) ORDER BY row_group_id, column_id`);
  const groups = new Map();
  for (const m of meta) {
    const g = Number(m.row_group_id);
    if (!groups.has(g)) groups.set(g, { rows: Number(m.row_group_num_rows), chunks: [] });
    groups.get(g).chunks.push(m);
  }
  const problems = [];
  let first = 0;
  for (const [g, { rows, chunks }] of [...groups].sort((a, b) => a[0] - b[0])) {
    const where = `file_row_number >= ${first} AND file_row_number < ${first + rows}`;
    first += rows;
    if (chunks.length !== ref.names.length) {
      problems.push(`row group ${g}: ${chunks.length} column chunks for ${ref.names.length} columns`);
      continue;
    }
    const exprs = [];
    chunks.forEach((m, k) => {
      const col = ident(ref.names[k]);
      const type = ref.types[k];
      const kind = ref.kinds[k];
      const filter = kind === 'float' ? ` FILTER (WHERE NOT isnan(${col}))` : '';
      const min = `(min(${col})${filter})`;
      const max = `(max(${col})${filter})`;
      const { smin, smax } = statValues(m, kind);
      exprs.push(`count(*) - count(${col}) AS n${k}`, `(count(${col})${filter}) AS v${k}`,
        `${min}::VARCHAR AS min${k}`, `${max}::VARCHAR AS max${k}`,
        `${kind === 'float' ? `count(*) FILTER (WHERE isnan(${col}))` : '0'} AS nan${k}`,
        smin === null ? `NULL AS mineq${k}` : `TRY_CAST(${lit(smin)} AS ${type}) = ${min} AS mineq${k}`,
        smax === null ? `NULL AS maxeq${k}` : `TRY_CAST(${lit(smax)} AS ${type}) = ${max} AS maxeq${k}`);
      if (kind === 'string') {
        const bound = (stat, op, value) => stat === null ? 'NULL' :
          `${lit(stat)} ${op} ${value} AND strlen(${value}) > ${c.opts.statBytes} AND strlen(${lit(stat)}) <= ${c.opts.statBytes}`;
        exprs.push(`${bound(smin, '<=', min)} AS minok${k}`, `${bound(smax, '>=', max)} AS maxok${k}`);
      }
    });
    const [a] = await sql(`SELECT ${exprs.join(', ')} FROM read_parquet(${lit(c.parquet)}, file_row_number = true) WHERE ${where}`);
    chunks.forEach((m, k) => {
      const at = `row group ${g} column ${JSON.stringify(ref.names[k])}`;
      if (m.path_in_schema !== ref.names[k]) problems.push(`${at}: metadata names the chunk ${JSON.stringify(m.path_in_schema)}`);
      const nulls = Number(a[`n${k}`]);
      if (m.stats_null_count === null) problems.push(`${at}: no null_count (${nulls} NULLs)`);
      else if (Number(m.stats_null_count) !== nulls) problems.push(`${at}: null_count=${m.stats_null_count}, the chunk has ${nulls} NULLs`);
      const isString = ref.kinds[k] === 'string';
      const { smin, smax } = statValues(m, ref.kinds[k]);
      const show = (v) => (v === null ? 'none' : JSON.stringify(v));
      if (Number(a[`v${k}`]) === 0) {
        if (smin !== null || smax !== null) problems.push(`${at}: min=${show(smin)} max=${show(smax)} for a chunk with no values`);
        return;
      }
      if (Number(a[`nan${k}`]) > 0 && (smin === null || smax === null)) return;
      for (const [side, stat, eq, ok, exact] of [
        ['min', smin, a[`mineq${k}`], a[`minok${k}`], m.min_is_exact],
        ['max', smax, a[`maxeq${k}`], a[`maxok${k}`], m.max_is_exact]]) {
        const actual = a[`${side}${k}`];
        if (stat === null) {
          if (!(isString && side === 'max' && noShortUpperBound(actual, c.opts.statBytes))) {
            problems.push(`${at}: no ${side} statistic (the chunk's ${side} is ${show(actual)})`);
          }
          continue;
        }
        if (eq === true) continue;
        if (isString && ok === true && exact !== true) continue;
        problems.push(`${at}: ${side}=${show(stat)}${exact === true ? ' (marked exact)' : ''}, the chunk's ${side} is ${show(actual)}`);
      }
    });
  }
  return { problems, line: `${ref.names.length} columns x ${groups.size} row groups` };
}

// ---------------------------------------------------------------------- main

// An exception's message on one line, shortened.
function oneLine(e) {
  return String(e && e.message || e).split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' | ').slice(0, 400);
}

async function checkCase(c) {
  const say = (what, text) => console.log(`${c.name} ${what}: ${text}`);
  let ok = true;
  const fail = (what, problems) => {
    ok = false;
    for (const p of more(problems, 10)) say(what, 'FAIL ' + p);
  };
  if (c.error) {
    fail('setup', [c.error]);
    return false;
  }
  for (const f of [c.csv, c.parquet]) {
    if (!fs.existsSync(f)) {
      fail('setup', [`${f}: no such file`]);
      return false;
    }
  }
  const bytes = new Uint8Array(fs.readFileSync(c.parquet));
  const res = {};
  for (const [name, read] of [['duckdb', readDuckdb], ['polars', readPolars],
    ['arrow-rs', readArrow], ['hyparquet', readHyparquet]]) {
    try {
      const r = await read(c, bytes);
      res[name] = r;
      say(name, `ok rows=${r.rows} cols=${r.names.length} nulls=${nullCounts(r).join(',')} types=${r.types.join(',')}`);
    } catch (e) {
      fail(name, [oneLine(e)]);
    }
  }
  if (!res.duckdb) return false;
  const readers = Object.keys(res);
  const disagree = compareReaders(res);
  if (disagree.length) fail('readers', disagree);
  else if (readers.length > 1) say('readers', `ok ${readers.join(', ')} agree on ${res.duckdb.rows} rows x ${res.duckdb.names.length} columns`);

  const ref = res.duckdb;
  for (const [what, run] of [['csv', compareCsv], ['stats', checkStats]]) {
    try {
      const { problems, line } = await run(c, ref);
      if (problems.length) {
        say(what, line);
        fail(what, problems);
      } else {
        say(what, 'ok ' + line);
      }
    } catch (e) {
      fail(what, [oneLine(e)]);
    }
  }
  if (c.opts.expectTypes) {
    const problems = checkTypes(c, ref);
    if (problems.length) fail('types', problems);
    else say('types', 'ok ' + ref.types.join(','));
  }
  return ok;
}

let cases;
try {
  cases = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`check.mjs: ${e.message}\n${USAGE}`);
  process.exit(2);
}
if (!cases.length) {
  console.error(USAGE);
  process.exit(2);
}
await loadReaders();
let passed = 0;
let failed = 0;
for (const c of cases) {
  if (await checkCase(c)) passed++;
  else failed++;
}
console.log(`interop check: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
