# Shared by make-manifest.sh and tests/cli/corpus.sh (sourced, not run);
# corpus_words is also what compare.mjs splits OPTIONS with.
#
# corpus_outcome BIN NAME WORK [SECONDS [OPTIONS]]
#   Converts ./NAME (run from the directory holding it) under a time limit
#   (default 10 s) to WORK/out.parquet, stderr in WORK/err, with default
#   options or, given OPTIONS (one string, as the OPTIONS file holds it, split
#   by corpus_words), as `csv2pq OPTIONS... NAME -o WORK/out.parquet`.
#   Prints the outcome as MANIFEST writes it:
#     rows=N              converted, and csv2pq -d reads N rows back
#     fail=S<TAB>PREFIX   exit status S (1, 2 or 3); PREFIX is the first line of
#                         stderr up to the place it names: "csv2pq: NAME:12:3:"
#     hang                still running after the time limit (a bug)
#     signal=N            killed by signal N (a bug)
#     status=S            any other exit status (a bug)
#     undecodable=S       converted, but csv2pq -d exits S on the result (a bug)
#   Sets $status to csv2pq's exit status (2 when OPTIONS cannot be split:
#   the outcome is then "fail=2<TAB>corpus: OPTIONS ...").
#
# corpus_words OPTIONS
#   Prints the words of OPTIONS one a line, split as xargs(1) splits its
#   input: at blanks, except inside '...' or "..." (taken literally, no
#   backslash escapes inside), or after a backslash; nothing is expanded or
#   run.  So --quote "'" and --comment ';' and --delimiter '\t' each give two
#   words, and --comment '' gives an empty word.  Fails on an unmatched quote.
#
# corpus_options FILE NAME
#   Prints the OPTIONS field of each line of FILE (the OPTIONS file:
#   NAME<TAB>OPTIONS<TAB>why) that is about NAME, one a line.
#
# corpus_make_big DIR
#   Writes the multi-MiB cases (too big to commit) into DIR; their names
#   start with "big-".

corpus_words() {
    [ -n "$1" ] || return 0
    printf '%s\n' "$1" | xargs -r printf '%s\n' 2> /dev/null
}

corpus_options() {
    awk -F '\t' -v n="$2" '!/^#/ && $1 == n { print $2 }' "$1"
}

corpus_outcome() {
    _bin=$1 _name=$2 _work=$3 _secs=${4:-10} _opts=${5:-}
    rm -f "$_work/out.parquet"
    set --    # this function's own positional parameters: the options' words
    if ! corpus_words "$_opts" > "$_work/words"; then
        status=2
        printf 'fail=2\tcorpus: OPTIONS %s: unmatched quote\n' "$_opts"
        return
    fi
    while IFS= read -r _w; do
        set -- "$@" "$_w"
    done < "$_work/words"
    timeout "$_secs" "$_bin" "$@" "$_name" -o "$_work/out.parquet" < /dev/null 2> "$_work/err"
    status=$?
    if [ "$status" -eq 124 ]; then
        echo hang
    elif [ "$status" -gt 128 ]; then
        echo "signal=$((status - 128))"
    elif [ "$status" -eq 0 ]; then
        if ! timeout "$_secs" "$_bin" -d "$_work/out.parquet" > /dev/null 2> "$_work/derr"; then
            echo "undecodable=$?"
        elif _n=$(timeout "$_secs" "$_bin" -d --count "$_work/out.parquet" 2>> "$_work/derr"); then
            echo "rows=$_n"
        else
            echo "undecodable=$?"
        fi
    elif [ "$status" -le 3 ]; then
        _line=$(head -n 1 "$_work/err")
        _rest=${_line#"csv2pq: $_name:"}
        if [ "$_rest" = "$_line" ]; then
            printf 'fail=%s\t%s\n' "$status" "$(printf '%s' "$_line" | cut -c1-60)"
        else
            _loc=$(printf '%s' "$_rest" | sed -n 's/^\(\([0-9][0-9]*:\)*\).*/\1/p')
            printf 'fail=%s\tcsv2pq: %s:%s\n' "$status" "$_name" "$_loc"
        fi
    else
        echo "status=$status"
    fi
}

corpus_make_big() {
    _d=$1
    # one 2 MB field: fits the default 32 MiB budget
    { printf 'a,b\n1,'; head -c 2000000 /dev/zero | tr '\0' x; printf '\n2,y\n'; } > "$_d/big-field-2m.csv"
    # one 5 MB field: more than a column chunk may take of the budget (exit status 3)
    { printf 'a,b\n1,'; head -c 5000000 /dev/zero | tr '\0' x; printf '\n2,y\n'; } > "$_d/big-field-5m.csv"
    # one 40 MB field: more than the whole budget (exit status 3)
    { printf 'a,b\n1,"'; head -c 40000000 /dev/zero | tr '\0' y; printf '"\n'; } > "$_d/big-field-40m.csv"
    # 1,100,000 rows: two row groups at the default --row-group-size
    { echo n; seq 1 1100000; } > "$_d/big-rows-1100000.csv"
    # the second row group holds a value the first one's type cannot take
    { echo n; seq 1 1048576; echo oops; seq 1 10; } > "$_d/big-type-change-second-rg.csv"
    # the same, the value holding a line break (the message must stay one line)
    { echo n; seq 1 1048576; printf '"two\nlines"\n'; } > "$_d/big-type-change-multiline-value.csv"
    # 200,000 fields in one row (1.2 MB line)
    { seq -s , 1 200000; seq -s , 1 200000; } > "$_d/big-wide-200000-fields.csv"
    # 3 MB of quoted field spanning 100,000 lines
    { printf 'a,b\n1,"'; seq 1 100000 | sed 's/$/, x "" y/'; printf '"\n'; } > "$_d/big-quoted-100000-lines.csv"
    # CRLF rows crossing the 64 KiB read chunks of a pipe at every offset
    { echo 'id,text'; seq 1 150000 | sed 's/$/,abc\r/'; } > "$_d/big-crlf-150000.csv"
}
