// Row counts of csv2pq next to DuckDB's and Polars' for every corpus file.
//
// usage: node tests/corpus/compare.mjs CSV2PQ [--only-diff] [--tsv OUT.tsv] [NAME...]
// (--only-diff: print only the files that are FAILS, DIFF or one by default,
// or have a line in OPTIONS; --tsv: every file)
//
// Needs the readers that tests/interop installs:
//   (cd tests/interop && npm install --no-audit --no-fund)
//
// For each file of tests/corpus/files (or the NAMEs given):
//   csv2pq   csv2pq FILE -o OUT with default options, then csv2pq -d --count
//            OUT; or "exit S" (and the message) when the conversion fails.
//   options  for a file that tests/corpus/OPTIONS names: the same with the
//            options given there (csv2pq OPTIONS... FILE -o OUT).
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
// ("?" marks one without a note).  The same verdict with "+" appended
// (same+, one+, FAILS+, DIFF+, unread+) judges csv2pq's count with OPTIONS.
// The goal the corpus serves: every file that DuckDB or Polars can read
// converts with the same number of rows; a file counts toward it when
// csv2pq's count by default or with its OPTIONS is one a reader has, and
// the last line says how many do, by default and only with OPTIONS.
// --tsv writes the table: file, csv2pq, duckdb, polars, verdict, note, the
// three errors, then options, csv2pq+ (the count with them), verdict+ and
// csv2pq+_error (empty for a file without OPTIONS).
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
const options = readNotes(path.join(here, 'OPTIONS'));  // NAME -> "OPTIONS<TAB>why"
for (const [n, v] of options) options.set(n, v.split('\t')[0]);

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

// OPTIONS's words, split by lib.sh's corpus_words (as corpus.sh splits them)
function words(opts) {
  const r = spawnSync('sh', ['-c', '. "$1" && corpus_words "$2"', 'sh', path.join(here, 'lib.sh'), opts],
    { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return r.stdout.split('\n').slice(0, -1);
}

// csv2pq, file by file: by default, and with the file's OPTIONS
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'csv2pq-compare-'));
function convert(f, argv) {
  const out = path.join(work, 'out.parquet');
  fs.rmSync(out, { force: true });
  const r = spawnSync(bin, [...argv, path.basename(f), '-o', out], { cwd: filesDir, timeout: 10000, encoding: 'latin1' });
  if (r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGTERM') return { error: 'hang (10 s)' };
  if (r.status !== 0) return { error: `exit ${r.status ?? r.signal}: ${firstLine(r.stderr).replace(/^csv2pq: [^:]*:/, '')}` };
  const c = spawnSync(bin, ['-d', '--count', out], { timeout: 10000, encoding: 'utf8' });
  return c.status === 0 ? { rows: Number(c.stdout.trim()) } : { error: `undecodable: ${firstLine(c.stderr)}` };
}
const mine = new Map(), mineOpts = new Map();
for (const f of files) {
  mine.set(f, convert(f, []));
  const opts = options.get(path.basename(f));
  if (opts === undefined) continue;
  const argv = words(opts);
  mineOpts.set(f, argv ? convert(f, argv) : { error: `OPTIONS ${opts}: unmatched quote` });
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
function judge(m, read) {
  if (!read.length) return 'unread';
  if (!('rows' in m)) return 'FAILS';
  if (read.every((x) => x === m.rows)) return 'same';
  if (read.includes(m.rows)) return 'one';
  return 'DIFF';
}
const rowsOut = [];
const counts = {}, countsOpts = {};
let read = 0, goalDefault = 0, goalOpts = 0;
for (const f of files) {
  const n = path.basename(f), m = mine.get(f), mo = mineOpts.get(f), d = duck.get(f), p = polars.get(f);
  const counted = [d, p].filter((r) => r && 'rows' in r).map((r) => r.rows);
  const verdict = judge(m, counted);
  counts[verdict] = (counts[verdict] ?? 0) + 1;
  const verdictOpts = mo ? judge(mo, counted) + '+' : '';
  if (mo) countsOpts[verdictOpts] = (countsOpts[verdictOpts] ?? 0) + 1;
  if (counted.length) {
    read++;
    if (verdict === 'same' || verdict === 'one') goalDefault++;
    else if (verdictOpts === 'same+' || verdictOpts === 'one+') goalOpts++;
  }
  const note = notes.get(n) ?? (verdict === 'FAILS' || verdict === 'DIFF' ? '?' : '');
  rowsOut.push({ n, mine: show(m), duck: show(d), polars: show(p), verdict, note, m, d, p,
    opts: options.get(n), mo, mineOpts: mo ? show(mo) : '', verdictOpts });
}
const width = Math.max(...rowsOut.map((r) => r.n.length));
console.log(`${'file'.padEnd(width)}  ${'csv2pq'.padStart(8)}  ${'duckdb'.padStart(8)}  ${'polars'.padStart(8)}  verdict  ` +
  `${'options'.padStart(8)}  verdict+  note`);
for (const r of rowsOut) {
  if (onlyDiff && !['FAILS', 'DIFF', 'one'].includes(r.verdict) && !r.mo) continue;
  console.log(`${r.n.padEnd(width)}  ${r.mine.padStart(8)}  ${r.duck.padStart(8)}  ${r.polars.padStart(8)}  ${r.verdict.padEnd(7)}  ` +
    `${r.mineOpts.padStart(8)}  ${r.verdictOpts.padEnd(8)}  ${r.note}`);
  if (r.verdict === 'FAILS' && r.m.error) console.log(`${''.padEnd(width)}    csv2pq: ${r.m.error.slice(0, 150)}`);
  if (r.mo) {
    console.log(`${''.padEnd(width)}    with options: ${r.opts}`);
    if (r.mo.error) console.log(`${''.padEnd(width)}    csv2pq ${r.opts}: ${r.mo.error.slice(0, 150)}`);
  }
}
const list = (c) => Object.entries(c).map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
console.log(`compare: by default ${list(counts)}; with OPTIONS (${mineOpts.size} files) ${list(countsOpts)}`);
console.log(`compare: goal: ${goalDefault + goalOpts} of the ${read} files that DuckDB or Polars reads convert with a ` +
  `row count a reader has (${goalDefault} by default, ${goalOpts} only with their OPTIONS; ${read - goalDefault - goalOpts} not)`);
if (tsvOut) {
  const esc = (s) => String(s ?? '').replace(/[\t\n\r]/g, ' ');
  const lines = ['file\tcsv2pq\tduckdb\tpolars\tverdict\tnote\tcsv2pq_error\tduckdb_error\tpolars_error' +
    '\toptions\tcsv2pq+\tverdict+\tcsv2pq+_error'];
  for (const r of rowsOut) {
    lines.push([r.n, r.mine, r.duck, r.polars, r.verdict, r.note, r.m.error, r.d?.error, r.p?.error,
      r.opts, r.mineOpts, r.verdictOpts, r.mo?.error].map(esc).join('\t'));
  }
  fs.writeFileSync(tsvOut, lines.join('\n') + '\n');
}
