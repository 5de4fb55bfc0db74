// Row counts of csv2pq next to DuckDB's and Polars' for every corpus file.
//
// usage: node tests/corpus/compare.mjs CSV2PQ [--only-diff] [--tsv OUT.tsv] [NAME...]
//
// Needs the readers that tests/interop installs:
//   (cd tests/interop && npm install --no-audit --no-fund)
//
// For each file of tests/corpus/files (or the NAMEs given):
//   csv2pq   csv2pq FILE -o OUT with default options, then csv2pq -d --count
//            OUT; or "exit S" (and the message) when the conversion fails.
//   duckdb   CREATE TABLE AS SELECT * FROM read_csv(FILE) (all of DuckDB's
//            detection: delimiter, quote, header, types), then count(*).
//   polars   readCSV(FILE) with Polars' defaults (comma, header, inferred types).
// Each reader runs in a child process, restarted after a crash, with a 60 s
// limit per file.  The verdict:
//   same      csv2pq read as many rows as every reader that read the file
//   one       readers disagree; csv2pq agrees with one of them
//   FAILS     a reader read the file and csv2pq refused it
//   DIFF      csv2pq read it, with a row count no reader has
//   unread    neither reader read it (csv2pq's outcome stands alone)
// and tests/corpus/NOTES gives the reason for each known FAILS and DIFF
// ("?" marks one without a note).  The goal the corpus serves: every file
// that DuckDB or Polars can read converts with the same number of rows.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const filesDir = path.join(here, 'files');
const interop = path.join(here, '..', 'interop');
const require = createRequire(path.join(interop, 'package.json'));
const LIMIT_MS = 60000;

if (process.argv[2] === '--worker') {
  await worker(process.argv[3], process.argv.slice(4));
  process.exit(0);
}

// ---- worker: one engine, files in order, one JSON line per file
async function worker(engine, files) {
  const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
  if (engine === 'duckdb') {
    const { DuckDBInstance } = await import(require.resolve('@duckdb/node-api'));
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const con = await db.connect();
    const lit = (s) => "'" + s.replaceAll("'", "''") + "'";
    for (const f of files) {
      try {
        await con.run(`CREATE OR REPLACE TEMP TABLE t AS SELECT * FROM read_csv(${lit(f)})`);
        const r = await con.runAndReadAll('SELECT count(*) AS n FROM t');
        say({ file: f, rows: Number(r.getRows()[0][0]) });
      } catch (e) {
        say({ file: f, error: firstLine(e.message) });
      }
    }
  } else {
    const pl = (await import(require.resolve('nodejs-polars'))).default;
    for (const f of files) {
      try {
        // (not df.height: a column named "height" shadows it)
        const cols = pl.readCSV(f).getColumns();
        say({ file: f, rows: cols.length ? cols[0].length : 0 });
      } catch (e) {
        say({ file: f, error: firstLine(e.message) });
      }
    }
  }
}

function firstLine(s) {
  return (String(s).split('\n').find((l) => l.trim()) ?? String(s)).slice(0, 300);
}

// ---- parent
function usage() {
  console.error('usage: node tests/corpus/compare.mjs CSV2PQ [--only-diff] [--tsv OUT.tsv] [NAME...]');
  process.exit(2);
}
const args = process.argv.slice(2);
if (!args.length || args[0].startsWith('-')) usage();
const bin = path.resolve(args.shift());
let onlyDiff = false, tsvOut = null;
const names = [];
while (args.length) {
  const a = args.shift();
  if (a === '--only-diff') onlyDiff = true;
  else if (a === '--tsv') tsvOut = args.shift() ?? usage();
  else if (a.startsWith('-')) usage();
  else names.push(path.basename(a));
}
for (const m of ['@duckdb/node-api', 'nodejs-polars']) {
  try {
    require.resolve(m);
  } catch {
    console.error(`compare: ${m} is missing; run (cd tests/interop && npm install --no-audit --no-fund)`);
    process.exit(2);
  }
}
const all = names.length ? names : fs.readdirSync(filesDir).sort();
const files = all.map((n) => path.join(filesDir, n));
const notes = readNotes(path.join(here, 'NOTES'));

function readNotes(p) {
  const m = new Map();
  if (!fs.existsSync(p)) return m;
  for (const line of fs.readFileSync(p, 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const tab = line.indexOf('\t');
    if (tab > 0) m.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return m;
}

// csv2pq, file by file
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'csv2pq-compare-'));
const mine = new Map();
for (const f of files) {
  const out = path.join(work, 'out.parquet');
  fs.rmSync(out, { force: true });
  const r = spawnSync(bin, [path.basename(f), '-o', out], { cwd: filesDir, timeout: 10000, encoding: 'latin1' });
  if (r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGTERM') {
    mine.set(f, { error: 'hang (10 s)' });
  } else if (r.status !== 0) {
    mine.set(f, { error: `exit ${r.status ?? r.signal}: ${firstLine(r.stderr).replace(/^csv2pq: [^:]*:/, '')}` });
  } else {
    const c = spawnSync(bin, ['-d', '--count', out], { timeout: 10000, encoding: 'utf8' });
    mine.set(f, c.status === 0 ? { rows: Number(c.stdout.trim()) } : { error: `undecodable: ${firstLine(c.stderr)}` });
  }
}
fs.rmSync(work, { recursive: true, force: true });

// the readers, each in a child process that is restarted after a crash
async function runEngine(engine) {
  const results = new Map();
  let pending = files.slice();
  while (pending.length) {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--worker', engine, ...pending],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let timer = null;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
    };
    arm();
    child.stderr.resume();
    const rl = readline.createInterface({ input: child.stdout });
    for await (const line of rl) {
      let o;
      try {
        o = JSON.parse(line);
      } catch {
        continue;
      }
      results.set(o.file, o);
      pending = pending.filter((p) => p !== o.file);
      arm();
    }
    const [code, signal] = await new Promise((res) => {
      if (child.exitCode !== null || child.signalCode !== null) res([child.exitCode, child.signalCode]);
      else child.on('exit', (c, s) => res([c, s]));
    });
    clearTimeout(timer);
    if (pending.length) {
      const f = pending.shift();
      results.set(f, { error: signal === 'SIGKILL' ? `no answer in ${LIMIT_MS / 1000} s` : `crashed (${signal ?? 'exit ' + code})` });
    }
  }
  return results;
}
const [duck, polars] = await Promise.all([runEngine('duckdb'), runEngine('polars')]);

// the table
const show = (r) => (r && 'rows' in r ? String(r.rows) : 'error');
const rowsOut = [];
const counts = {};
for (const f of files) {
  const n = path.basename(f), m = mine.get(f), d = duck.get(f), p = polars.get(f);
  const read = [d, p].filter((r) => r && 'rows' in r).map((r) => r.rows);
  let verdict;
  if (!read.length) verdict = 'unread';
  else if (!('rows' in m)) verdict = 'FAILS';
  else if (read.every((x) => x === m.rows)) verdict = 'same';
  else if (read.includes(m.rows)) verdict = 'one';
  else verdict = 'DIFF';
  counts[verdict] = (counts[verdict] ?? 0) + 1;
  const note = notes.get(n) ?? (verdict === 'FAILS' || verdict === 'DIFF' ? '?' : '');
  rowsOut.push({ n, mine: show(m), duck: show(d), polars: show(p), verdict, note, m, d, p });
}
const width = Math.max(...rowsOut.map((r) => r.n.length));
console.log(`${'file'.padEnd(width)}  ${'csv2pq'.padStart(8)}  ${'duckdb'.padStart(8)}  ${'polars'.padStart(8)}  verdict  note`);
for (const r of rowsOut) {
  if (onlyDiff && !['FAILS', 'DIFF', 'one'].includes(r.verdict)) continue;
  console.log(`${r.n.padEnd(width)}  ${r.mine.padStart(8)}  ${r.duck.padStart(8)}  ${r.polars.padStart(8)}  ${r.verdict.padEnd(7)}  ${r.note}`);
  if (r.verdict === 'FAILS' && r.m.error) console.log(`${''.padEnd(width)}    csv2pq: ${r.m.error.slice(0, 150)}`);
}
console.log('compare: ' + Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', '));
if (tsvOut) {
  const esc = (s) => String(s ?? '').replace(/[\t\n\r]/g, ' ');
  const lines = ['file\tcsv2pq\tduckdb\tpolars\tverdict\tnote\tcsv2pq_error\tduckdb_error\tpolars_error'];
  for (const r of rowsOut) {
    lines.push([r.n, r.mine, r.duck, r.polars, r.verdict, r.note, r.m.error, r.d?.error, r.p?.error].map(esc).join('\t'));
  }
  fs.writeFileSync(tsvOut, lines.join('\n') + '\n');
}
