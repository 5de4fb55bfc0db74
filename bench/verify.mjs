// Whole-file checks of the files the benchmark timed, cheap enough for any
// size (tests/interop/check.mjs holds every cell of four readers in memory,
// which a file of millions of rows does not fit).
//
// usage: node bench/verify.mjs encode CSV PARQUET [ROWS]
//        node bench/verify.mjs decode PARQUET CSV [ROWS]
//        node bench/verify.mjs count FILE ROWS
//
//   encode   PARQUET was made from CSV: DuckDB reads CSV with read_csv, giving
//            each column the type DuckDB finds in PARQUET, and the two must hold
//            the same rows in the same order, cell by cell (a POSITIONAL JOIN
//            of the two scans); Polars must read PARQUET with the same row
//            count, column names and per-column NULL count, minimum and
//            maximum (numbers, dates, times) or total bytes (strings) as DuckDB.
//   decode   CSV was made from PARQUET (csv2pq -d): the same comparison, with
//            the CSV on the other side.
//   count    FILE (Parquet, or CSV with a header) holds ROWS rows, as DuckDB
//            reads it; for the peers' outputs.
//   ROWS, when given, is the number of rows the files must hold.
// Prints one line per check and exits 1 when one failed (2 for a usage error).
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const USAGE = 'usage: node bench/verify.mjs encode CSV PARQUET [ROWS] | decode PARQUET CSV [ROWS] | count FILE ROWS';
const args = process.argv.slice(2);
const [mode, a, b, rowsArg] = args;
const arity = { encode: [3, 4], decode: [3, 4], count: [3] }[mode];
if (!arity || !arity.includes(args.length)) {
  console.error(USAGE);
  process.exit(2);
}
const expectRows = mode === 'count' ? Number(b) : rowsArg === undefined ? null : Number(rowsArg);
if (expectRows !== null && !Number.isInteger(expectRows)) {
  console.error(USAGE);
  process.exit(2);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'interop', 'package.json'));
const load = async (name) => import(pathToFileURL(require.resolve(name)).href);
const { DuckDBInstance } = await load('@duckdb/node-api');
const con = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
const lit = (s) => "'" + String(s).replaceAll("'", "''") + "'";
const ident = (s) => '"' + String(s).replaceAll('"', '""') + '"';
const sql = async (q) => (await con.runAndReadAll(q)).getRowObjectsJS();

let failed = 0;
function report(name, problems, okText) {
  if (problems.length) {
    failed++;
    for (const p of problems) console.log(`${name}: FAIL ${p}`);
  } else {
    console.log(`${name}: ok ${okText}`);
  }
}

// The CSV as csv2pq reads it: header, ',' and '"', an unquoted empty field is
// NULL and a quoted one the empty string; columns typed as given.
function csvScan(file, columns) {
  const spec = columns ? `, columns = {${columns.map((c) => `${lit(c.name)}: ${lit(c.type)}`).join(', ')}}` : '';
  return `read_csv(${lit(file)}, header = true, delim = ',', quote = '"', escape = '"', ` +
    `nullstr = '', allow_quoted_nulls = false${spec})`;
}
const isParquet = (f) => f.endsWith('.parquet');

async function parquetColumns(file) {
  const rows = await sql(`DESCRIBE SELECT * FROM read_parquet(${lit(file)})`);
  return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
}

// The CSV and the Parquet file hold the same rows in the same order.
async function sameRows(csv, parquet) {
  const name = `${parquet} vs ${csv}`;
  const columns = await parquetColumns(parquet);
  const [n] = await sql(`SELECT
      (SELECT count(*) FROM read_parquet(${lit(parquet)})) AS pq,
      (SELECT count(*) FROM ${csvScan(csv, columns)}) AS csv`);
  const problems = [];
  if (n.pq !== n.csv) problems.push(`${n.pq} rows in the Parquet file, ${n.csv} in the CSV`);
  if (expectRows !== null && Number(n.pq) !== expectRows) problems.push(`${n.pq} rows, expected ${expectRows}`);
  const pairs = `(SELECT row_number() OVER () AS i, t AS p FROM read_parquet(${lit(parquet)}) t)
    POSITIONAL JOIN (SELECT t AS c FROM ${csvScan(csv, columns)} t)`;
  const [d] = await sql(`SELECT count(*) FILTER (WHERE p IS DISTINCT FROM c) AS bad,
      min(i) FILTER (WHERE p IS DISTINCT FROM c) AS first FROM ${pairs}`);
  if (Number(d.bad) > 0) {
    const [row] = await sql(`SELECT p::VARCHAR AS p, c::VARCHAR AS c FROM ${pairs} WHERE i = ${d.first}`);
    problems.push(`${d.bad} rows differ, first at row ${d.first}: parquet=${String(row.p).slice(0, 300)} csv=${String(row.c).slice(0, 300)}`);
  }
  report(name, problems, `${n.pq} rows x ${columns.length} columns equal, in order`);
  return columns;
}

// Polars' view of the Parquet file against DuckDB's, column by column. Every
// figure is brought to text by the engine itself, so 64-bit values stay exact.
async function polarsAgrees(parquet, columns) {
  const pl = (await load('nodejs-polars')).default;
  const df = pl.readParquet(parquet);
  const problems = [];
  if (JSON.stringify(df.columns) !== JSON.stringify(columns.map((c) => c.name))) {
    problems.push(`Polars reads the columns ${JSON.stringify(df.columns)}`);
  }
  const duckExprs = ['count(*)::VARCHAR AS "rows"'];
  const polarsExprs = [pl.len().cast(pl.Utf8).alias('rows')];
  const figures = [];
  columns.forEach((c, k) => {
    if (df.columns[k] !== c.name) return;
    const col = ident(c.name);
    const p = pl.col(c.name);
    const add = (what, duck, polars) => {
      duckExprs.push(`(${duck})::VARCHAR AS "${what}${k}"`);
      polarsExprs.push(polars.cast(pl.Utf8).alias(`${what}${k}`));
      figures.push([`${what}${k}`, `column ${c.name} ${what}`, /DOUBLE|FLOAT/.test(c.type) && what !== 'nulls']);
    };
    add('nulls', `count(*) - count(${col})`, p.nullCount());
    if (c.type === 'VARCHAR') {
      add('chars', `sum(length(${col}))`, p.str.lengths().cast(pl.Int64).sum());
    } else if (/TIMESTAMP/.test(c.type)) {
      const raw = p.cast(pl.Datetime('us')).cast(pl.Int64);
      add('min', `min(epoch_us(${col}))`, raw.min());
      add('max', `max(epoch_us(${col}))`, raw.max());
    } else if (c.type === 'DATE') {
      add('min', `min(${col} - DATE '1970-01-01')`, p.cast(pl.Int32).min());
      add('max', `max(${col} - DATE '1970-01-01')`, p.cast(pl.Int32).max());
    } else if (/INT|DOUBLE|FLOAT/.test(c.type)) {
      add('min', `min(${col})`, p.min());
      add('max', `max(${col})`, p.max());
    }
  });
  const [duck] = await sql(`SELECT ${duckExprs.join(', ')} FROM read_parquet(${lit(parquet)})`);
  const polars = df.select(...polarsExprs).toRecords()[0];
  if (duck.rows !== polars.rows) problems.push(`Polars reads ${polars.rows} rows, DuckDB ${duck.rows}`);
  for (const [key, what, float] of figures) {
    const d = duck[key] ?? null;
    const p = polars[key] ?? null;
    const same = float && d !== null && p !== null ? Number(d) === Number(p) : d === p;
    if (!same) problems.push(`${what}: Polars ${p}, DuckDB ${d}`);
  }
  report(`${parquet} Polars vs DuckDB`, problems, `Polars and DuckDB agree on ${duck.rows} rows and ${figures.length} figures of ${columns.length} columns`);
}

async function count(file) {
  const scan = isParquet(file) ? `read_parquet(${lit(file)})` : csvScan(file, null);
  const [n] = await sql(`SELECT count(*) AS n FROM ${scan}`);
  report(`${file} rows`, Number(n.n) === expectRows ? [] : [`${n.n} rows, expected ${expectRows}`], `${n.n} rows`);
}

try {
  if (mode === 'encode') {
    const columns = await sameRows(a, b);
    await polarsAgrees(b, columns);
  } else if (mode === 'decode') {
    await sameRows(b, a);
  } else {
    await count(a);
  }
} catch (e) {
  failed++;
  console.log(`${a}: FAIL ${String(e.message || e).split('\n')[0].slice(0, 400)}`);
}
process.exit(failed ? 1 : 0);
