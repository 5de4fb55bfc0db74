# The CSV corpus (tests/corpus): every file of tests/corpus/files, and the
# multi-MiB cases that tests/corpus/lib.sh makes here, converted under a
# time limit with default options and, for each line of tests/corpus/OPTIONS
# about it, with those options too.  For each file and each way:
#   - the outcome is the one tests/corpus/MANIFEST gives (rows read back by
#     csv2pq -d, or the exit status and the place the message names);
#   - no crash, no hang, no exit status but 0, 1, 2 or 3 (and no 2, a usage
#     error, with OPTIONS); a converted file decodes with csv2pq -d, and its
#     column names are UTF-8;
#   - a failure prints one line on stderr, starting with "csv2pq: ", and
#     leaves no temporary output file;
#   - the same bytes through a pipe (with the same options) give the same
#     exit status and the same Parquet file, except for type drift (a
#     regular file is converted again with wider types; a pipe stops at
#     the value).
# A file listed in tests/corpus/KNOWN_BUGS (NAME<TAB>bug for the default
# way, NAME<TAB>+OPTIONS<TAB>bug for the way with OPTIONS) that fails a
# check is reported as KNOWN, not failed (with a 2 s limit instead of
# 10 s); one listed there that passes every check fails, so that the list
# is kept honest.  The files named in tests/corpus/INTEROP are kept (as
# converted with default options) for the interop tier.
. "$(dirname "$0")/lib.inc"
CORPUS=$TESTS/corpus
. "$CORPUS/lib.sh"
MANIFEST=$CORPUS/MANIFEST
mkdir "$T/big" "$T/run"
corpus_make_big "$T/big"
known=0

# field2 FILE NAME [OPTIONS]: on the line of FILE about NAME with default
# options ("NAME<TAB>REST", REST not starting with "+"), or with OPTIONS
# ("NAME<TAB>+OPTIONS<TAB>REST"), what REST says.
field2() {
    # (through the environment, as awk -v would turn a \t in OPTIONS into a tab)
    NAME=$2 OPTS=${3:-} WITHOPTS=${3+y} awk -F '\t' '
        $1 != ENVIRON["NAME"] { next }
        ENVIRON["WITHOPTS"] == "" && $2 !~ /^\+/ { sub(/^[^\t]*\t/, ""); print; exit }
        ENVIRON["WITHOPTS"] != "" && $2 == "+" ENVIRON["OPTS"] { sub(/^[^\t]*\t[^\t]*\t/, ""); print; exit }' "$1"
}

# check_corpus_file DIR NAME [OPTIONS]: every check above on DIR/NAME, with
# default options or with OPTIONS (as the OPTIONS file holds them).
check_corpus_file() {
    dir=$1 f=$2
    if [ $# -ge 3 ]; then
        opts=$3 label="$2 +$3"
        why=$(field2 "$CORPUS/KNOWN_BUGS" "$f" "$opts")
        expected=$(field2 "$MANIFEST" "$f" "$opts")
    else
        opts='' label=$2
        why=$(field2 "$CORPUS/KNOWN_BUGS" "$f")
        expected=$(field2 "$MANIFEST" "$f")
    fi
    # the options' words become this function's positional parameters
    set --
    if [ -n "$opts" ]; then
        if ! corpus_words "$opts" > "$T/run/words"; then
            fail "corpus $label: OPTIONS has an unmatched quote"
            return
        fi
        while IFS= read -r w; do
            set -- "$@" "$w"
        done < "$T/run/words"
    fi
    secs=10
    [ -z "$why" ] || secs=2
    problems=
    cd "$dir"
    corpus_outcome "$BIN" "$f" "$T/run" "$secs" "$opts" > "$T/run/outcome"    # sets $status
    cd "$TESTS"
    got=$(cat "$T/run/outcome")
    if [ -z "$expected" ]; then
        problems="$problems; not in MANIFEST (sh tests/corpus/make-manifest.sh)"
    elif [ "$got" != "$expected" ]; then
        problems="$problems; expected \"$expected\", got \"$got\""
    fi
    case $got in
    hang|signal=*|status=*|undecodable=*) problems="$problems; $got" ;;
    esac
    if [ -n "$opts" ] && [ "$status" -eq 2 ]; then
        problems="$problems; a usage error: fix the line of tests/corpus/OPTIONS"
    fi
    case $status in
    1|2|3)
        if [ "$(wc -l < "$T/run/err")" -ne 1 ] || ! head -n 1 "$T/run/err" | grep -q '^csv2pq: ' ||
           grep -q '^csv2pq: internal error' "$T/run/err"; then
            problems="$problems; stderr is not one \"csv2pq: \" line: $(head -c 300 "$T/run/err")"
        fi ;;
    esac
    if [ "$status" -eq 0 ] && "$BIN" -d --head 0 "$T/run/out.parquet" 2> /dev/null |
            LC_ALL=C.UTF-8 grep -qavx '.*'; then
        problems="$problems; column names that are not UTF-8 (DuckDB and Polars refuse the file)"
    fi
    if ls -a "$T/run" | grep -q '\.csv2pq-'; then
        problems="$problems; a temporary output file was left behind"
        rm -f "$T/run"/.*.csv2pq-*
    fi
    if [ "$got" != hang ]; then
        (cd "$dir" && cat "$f" | timeout "$secs" "$BIN" "$@" > "$T/run/pipe.parquet" 2> "$T/run/perr")
        pstatus=$?
        if [ "$pstatus" -eq 1 ] && [ "$status" -eq 0 ] && grep -q ', but this value is ' "$T/run/perr"; then
            :   # type drift: the file was converted again, the pipe cannot be
        elif [ "$pstatus" -ne "$status" ]; then
            problems="$problems; through a pipe: exit status $pstatus, not $status ($(head -c 200 "$T/run/perr"))"
        elif [ "$status" -eq 0 ] && ! cmp -s "$T/run/out.parquet" "$T/run/pipe.parquet"; then
            problems="$problems; through a pipe: a different Parquet file"
        fi
    fi
    if [ -n "$problems" ]; then
        if [ -n "$why" ]; then
            known=$((known + 1))
            echo "KNOWN: $label: $why (${problems#; })"
        else
            fail "corpus $label: ${problems#; }"
        fi
    elif [ -n "$why" ]; then
        fail "corpus $label is in tests/corpus/KNOWN_BUGS but passes every check: remove it there"
    else
        pass
        if [ -z "$opts" ] && [ "$status" -eq 0 ] && grep -qxF "$f" "$CORPUS/INTEROP"; then
            keep "$f" "$dir/$f" "$T/run/out.parquet"
        fi
    fi
}

# check_corpus_dir DIR: each file of DIR, by default and with its OPTIONS
check_corpus_dir() {
    for f in $(cd "$1" && ls); do
        check_corpus_file "$1" "$f"
        corpus_options "$OPTIONS" "$f" > "$T/opts"
        while IFS= read -r o <&3; do
            check_corpus_file "$1" "$f" "$o"
        done 3< "$T/opts"
    done
}
OPTIONS=$CORPUS/OPTIONS
[ -f "$OPTIONS" ] || OPTIONS=/dev/null
check_corpus_dir "$CORPUS/files"
check_corpus_dir "$T/big"

# Every MANIFEST and OPTIONS line names a file that exists, and the
# MANIFEST lines with options are those of OPTIONS.
for f in $({ grep -v '^#' "$MANIFEST"; grep -v '^#' "$OPTIONS"; } | cut -f1 | sort -u); do
    [ -e "$CORPUS/files/$f" ] || [ -e "$T/big/$f" ] ||
        fail "MANIFEST or OPTIONS names $f, which is neither in tests/corpus/files nor a big- case"
done
grep -v '^#' "$MANIFEST" | awk -F '\t' '$2 ~ /^\+/ { print $1 "\t" substr($2, 2) }' | sort > "$T/opts-manifest"
grep -v '^#' "$OPTIONS" | awk -F '\t' 'NF { print $1 "\t" $2 }' | sort > "$T/opts-options"
if ! cmp -s "$T/opts-manifest" "$T/opts-options"; then
    fail "MANIFEST's lines with options are not those of tests/corpus/OPTIONS (sh tests/corpus/make-manifest.sh):" \
        "$(diff "$T/opts-manifest" "$T/opts-options" | grep '^[<>]' | head -5 | tr '\n\t' '; ')"
fi
rm -rf "$T/big"

[ "$known" -eq 0 ] || echo "corpus: $known files hit the known bugs listed in tests/corpus/KNOWN_BUGS"
finish
