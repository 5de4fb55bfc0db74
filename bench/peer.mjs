// One conversion by a peer, as one whole process for the benchmark to time.
//
// usage: node bench/peer.mjs duckdb encode IN.csv OUT.parquet
//        node bench/peer.mjs duckdb decode IN.parquet OUT.csv
//        node bench/peer.mjs polars encode IN.csv OUT.parquet
//        node bench/peer.mjs duckdb|polars load
//
// DuckDB runs with BENCH_DUCKDB_THREADS threads (default 2); Polars uses its
// default thread pool (one thread per core). "load" only loads the module, to
// show what node and the module cost before any work.
// The modules come from tests/interop/node_modules (sh tests/interop/run.sh,
// or npm install there).
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const USAGE = 'usage: node bench/peer.mjs duckdb|polars encode|decode|load [IN OUT]';
const [engine, job, input, output] = process.argv.slice(2);
const known = { duckdb: ['encode', 'decode', 'load'], polars: ['encode', 'load'] };
if (!known[engine]?.includes(job) || (job === 'load') !== (input === undefined) ||
    (job !== 'load' && output === undefined)) {
  console.error(USAGE);
  process.exit(2);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'interop', 'package.json'));
const load = async (name) => import(pathToFileURL(require.resolve(name)).href);
const lit = (s) => "'" + s.replaceAll("'", "''") + "'";

if (engine === 'duckdb') {
  const { DuckDBInstance } = await load('@duckdb/node-api');
  if (job === 'load') process.exit(0);
  const threads = process.env.BENCH_DUCKDB_THREADS || '2';
  const con = await (await DuckDBInstance.create(':memory:', { threads })).connect();
  if (job === 'encode') {
    await con.run(`COPY (FROM read_csv(${lit(input)}, allow_quoted_nulls = false)) ` +
      `TO ${lit(output)} (FORMAT parquet, COMPRESSION zstd)`);
  } else {
    await con.run(`COPY (FROM read_parquet(${lit(input)})) TO ${lit(output)} (FORMAT csv, HEADER)`);
  }
} else {
  const pl = (await load('nodejs-polars')).default;
  if (job === 'load') process.exit(0);
  await pl.scanCSV(input, { inferSchemaLength: 10000 })
    .sinkParquet(output, { compression: 'zstd' }).collect();
}
