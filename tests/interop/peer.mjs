// Write Parquet files with DuckDB or Polars, for the decoding tests.
// usage: node peer.mjs duckdb|polars IN.csv OUT.parquet [IN.csv OUT.parquet]...
import process from 'node:process';

const [engine, ...files] = process.argv.slice(2);
if (!['duckdb', 'polars'].includes(engine) || !files.length || files.length % 2) {
  console.error('usage: node peer.mjs duckdb|polars IN.csv OUT.parquet [IN.csv OUT.parquet]...');
  process.exit(2);
}
const lit = (s) => "'" + s.replaceAll("'", "''") + "'";
if (engine === 'duckdb') {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const con = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
  for (let i = 0; i < files.length; i += 2) {
    await con.run(`COPY (FROM read_csv(${lit(files[i])}, allow_quoted_nulls = false)) ` +
      `TO ${lit(files[i + 1])} (FORMAT parquet, COMPRESSION zstd)`);
  }
} else {
  const pl = (await import('nodejs-polars')).default;
  for (let i = 0; i < files.length; i += 2) {
    pl.readCSV(files[i], { inferSchemaLength: 10000 }).writeParquet(files[i + 1], { compression: 'zstd' });
  }
}
