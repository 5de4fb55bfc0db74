// Deterministic CSV inputs for the interop tests.
// usage: node gen.mjs KIND ROWS [SEED] [DELIMITER] > out.csv
//
// KIND
//   taxi     19 columns shaped like taxi-trip exports: ints, 2- and 6-decimal
//            numbers, timestamps, low-cardinality flags, a few empty (NULL) fields
//   strings  8 text columns: ids, names, e-mails, free text with quotes, commas
//            and newlines inside quoted fields, UTF-8, empty (NULL) tags
//   numeric  16 columns of integers and floating-point numbers, including
//            exponents, int64 extremes, nan, inf, zero and negative zero
//   mixed    one column of each type: int, double, date, timestamp with
//            fractions, timestamp with a UTC offset, boolean in any case,
//            string, digits with leading zeros, with NULLs and quoted empty
//            strings
//   wide     strings longer than 64 bytes: multi-byte UTF-8 across the 64-byte
//            mark, long shared prefixes, U+10FFFF runs (statistics truncation)
//   dict     dictionary-heavy (few distinct values) and unique-heavy columns,
//            and a column that is almost all NULL
// Same arguments always give the same bytes.

const [kind, rowsArg, seedArg = '1', delim = ','] = process.argv.slice(2);
const rows = Number(rowsArg);
if (!kinds()[kind] || !Number.isInteger(rows) || rows < 0) {
  process.stderr.write('usage: node gen.mjs taxi|strings|numeric|mixed|wide|dict ROWS [SEED] [DELIMITER]\n');
  process.exit(2);
}

// mulberry32: a small PRNG whose output depends only on the seed.
let state = Number(seedArg) >>> 0;
function u32() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}
const rand = () => u32() / 4294967296;
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (a) => a[Math.floor(rand() * a.length)];
const chance = (p) => rand() < p;
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[u32() & 15]).join('');

// A field, quoted when it holds the delimiter, a quote or a line break.
function field(v) {
  if (v === null) return '';
  const s = String(v);
  return s === '' || s.includes(delim) || /["\r\n]/.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;
}

const out = [];
function row(values) {
  out.push(values.map(field).join(delim) + '\n');
  if (out.length >= 4096) flush();
}
function flush() {
  process.stdout.write(out.join(''));
  out.length = 0;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
function timestamp(ms, fraction) {
  const d = new Date(ms);
  let s = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (fraction) s += '.' + fraction;
  return s;
}
const date = (ms) => timestamp(ms).slice(0, 10);

const FIRST = ['Ana', 'Bo', 'Chidi', 'Dmitri', 'Élodie', 'Fatima', 'Göran', 'Hiro',
  'Ines', 'José', 'Kwame', 'Li', 'Mårten', 'Nadia', 'Olu', 'Priya'];
const LAST = ['Smith', "O'Brien", 'García', 'Nguyen', 'Müller', 'Kowalski', 'Okafor',
  'Tanaka', 'Rossi', 'Øvergaard', 'Dubois', 'Ivanova'];
const WORDS = ('data parquet column row group page dictionary encode stream pipe ' +
  'memory arena thrift compact zstd gzip quote, comma "quoted" newline').split(' ');
const CITIES = ['Lagos', 'Oslo', 'São Paulo', 'Kyiv', 'Osaka', 'Lima', 'Nairobi',
  'Zürich', 'Washington, D.C.'];

function kinds() {
  return { taxi, strings, numeric, mixed, wide, dict };
}

function taxi(n) {
  row(['VendorID', 'tpep_pickup_datetime', 'tpep_dropoff_datetime', 'passenger_count',
    'trip_distance', 'pickup_longitude', 'pickup_latitude', 'RateCodeID',
    'store_and_fwd_flag', 'dropoff_longitude', 'dropoff_latitude', 'payment_type',
    'fare_amount', 'extra', 'mta_tax', 'tip_amount', 'tolls_amount',
    'improvement_surcharge', 'total_amount']);
  const t0 = Date.UTC(2015, 0, 1);
  let sec = 0;
  for (let i = 0; i < n; i++) {
    sec += int(0, 3);
    const pu = t0 + sec * 1000;
    const dist = -Math.log(1 - rand()) * 3;
    const fare = 2.5 + Math.round(dist * 100) / 100 * 2.5;
    const tip = fare * pick([0, 0, 0.1, 0.15, 0.2]);
    const tolls = pick([0, 0, 0, 0, 5.54]);
    const extra = pick([0, 0.5, 1]);
    const nulls = chance(0.02);
    row([int(1, 2), timestamp(pu), timestamp(pu + int(60, 3600) * 1000), int(1, 6),
      dist.toFixed(2), (-73.99 + rand() * 0.2 - 0.1).toFixed(6), (40.75 + rand() * 0.2 - 0.1).toFixed(6),
      nulls ? null : pick([1, 1, 1, 2, 5]), nulls ? null : pick('NNNNNNNNNY'),
      (-73.98 + rand() * 0.2 - 0.1).toFixed(6), (40.76 + rand() * 0.2 - 0.1).toFixed(6),
      int(1, 4), fare.toFixed(2), extra.toFixed(1), '0.5', tip.toFixed(2), tolls.toFixed(2), '0.3',
      (fare + tip + tolls + extra + 0.8).toFixed(2)]);
  }
}

function strings(n) {
  row(['id', 'uuid', 'first_name', 'last_name', 'email', 'city', 'comment', 'tags']);
  for (let i = 0; i < n; i++) {
    const f = pick(FIRST);
    const l = pick(LAST);
    let words = Array.from({ length: int(3, 20) }, () => pick(WORDS)).join(' ');
    if (chance(0.05)) words += '\nsecond line';
    const tags = chance(0.1) ? null
      : Array.from({ length: int(1, 3) }, () => pick(['a', 'b', 'vip', 'new', 'churn'])).join(';');
    row([i, `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`, f, l,
      `${f.toLowerCase()}.${l.toLowerCase().replace("'", '')}${int(0, 99)}@example.org`,
      pick(CITIES), words, tags]);
  }
}

function numeric(n) {
  row([...Array.from({ length: 8 }, (_, k) => 'i' + k), ...Array.from({ length: 8 }, (_, k) => 'f' + k)]);
  const extremes = ['9223372036854775807', '-9223372036854775808', '0', '-1', '4294967296'];
  for (let i = 0; i < n; i++) {
    const ints = [i, int(0, 9), int(-1000, 1000), u32() * 256 + (u32() & 255), int(0, 255),
      i * 7 % 1000003, i % 5 === 0 ? pick(extremes) : String(u32() * 2097152 + (u32() >>> 11)), -i];
    const floats = [rand(), Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()),
      rand() * 2e6 - 1e6, -Math.log(1 - rand()), (rand() * 100).toFixed(2), rand().toFixed(4),
      pick(['1e-7', '-2.5E+10', '1.7976931348623157e308', '5e-324', '-0.0', '0', '3.14159',
        'nan', 'inf', '-inf', '.5']),
      int(0, 100) + '.0'];
    row([...ints, ...floats.map(String)]);
  }
}

function mixed(n) {
  row(['id', 'price', 'day', 'at', 'at_utc', 'flag', 'label', 'qty', 'zip', 'note']);
  const t0 = Date.UTC(1969, 11, 25);
  for (let i = 0; i < n; i++) {
    const ms = t0 + int(0, 2e6) * 1e6 + int(0, 999);
    const fraction = pick(['', '', '5', '123', '123456', String(int(0, 999999)).padStart(6, '0')]);
    const note = chance(0.1) ? null : chance(0.1) ? '' : pick(['ok', 'late', 'Ünïcödé', 'a "quote"', 'x,y']);
    const utc = timestamp(ms, fraction).replace(' ', pick([' ', 'T'])) + pick(['Z', '+02:00', '-05:30', '+00:00']);
    row([i + 1, chance(0.05) ? null : (rand() * 1000 - 100).toFixed(int(0, 4)), date(ms),
      timestamp(ms, fraction), chance(0.05) ? null : utc, pick(['true', 'false', 'TRUE', 'False']),
      pick(['alpha', 'beta', 'gamma', 'delta']), chance(0.2) ? null : int(-50, 50),
      String(int(0, 99999)).padStart(5, '0'), note]);
  }
}

function wide(n) {
  row(['id', 'text', 'shared', 'utf8edge', 'maxchar']);
  const prefix = 'The quick brown fox jumps over the lazy dog while the parquet writer';
  for (let i = 0; i < n; i++) {
    const text = Array.from({ length: int(8, 40) }, () => pick(WORDS.concat(['日本語', 'Ελληνικά', '🙂']))).join(' ');
    const shared = prefix + ' #' + String(int(0, 99999)).padStart(5, '0');
    const utf8edge = 'a'.repeat(int(58, 66)) + pick(['é', '日', '🙂']).repeat(int(1, 5)) + hex(int(0, 20));
    const maxchar = i === n - 1 ? '\u{10FFFF}'.repeat(20) : 'z'.repeat(int(60, 70)) + hex(4);
    row([i, text, shared, utf8edge, maxchar]);
  }
}

function dict(n) {
  row(['id', 'status', 'code', 'key', 'flag', 'sparse', 'bucket']);
  for (let i = 0; i < n; i++) {
    row([i, pick(['new', 'open', 'closed', 'on hold', 'cancelled']), pick([100, 200, 404]),
      `${hex(8)}-${hex(4)}-${hex(4)}-${hex(12)}`, chance(0.9) ? 'true' : 'false',
      chance(0.97) ? null : int(0, 1e6), (i % 64).toString(36).repeat(3)]);
  }
}

kinds()[kind](rows);
flush();
