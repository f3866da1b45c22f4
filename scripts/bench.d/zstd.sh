# scripts/bench zstd [--size MIB] [--rounds R] [--rate "RATE..."]
# What -z (zstd) buys through a slow link: dense changes (every 4 KiB chunk) of an
# incompressible origin (pseudo-random) and of a compressible one (the host's own files:
# /usr/share and /usr/lib through tar, text and binaries, repeated to the size), sent as
# extended streams without compression, with -z 1 and with -z 3 (the default level),
# through `pv -L RATE` (default "100m 20m": 100 and 20 MiB/s) into `lvmsync --apply -`
# writing an image file, and the same with no limit (what compression costs when the link
# is not the bottleneck). Whole pipelines, both JVMs' starts included; interleaved rounds, medians;
# the stream's size is counted once per case with wc -c.
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
size=256 rounds=3 rates="100m 20m"
while (($#)); do
    case $1 in --size) size=$2; shift 2 ;; --rounds) rounds=$2; shift 2 ;; --rate) rates=$2; shift 2 ;; *) exit 2 ;; esac
done
need pv pv
random=$work/zstd.random files=$work/zstd.files cow=$work/zstd.cow dst=$work/zstd.dst state=$work/zstd.state
[[ -f $random && $(stat -c %s "$random") == $(( size << 20 )) ]] || bench_tool fill "$random" "$size"
if [[ ! -f $files || $(stat -c %s "$files") != $(( size << 20 )) ]]; then
    # real files as a disk holds them; repeated if the tree is smaller than the size
    tar -cf - /usr/share /usr/lib 2> /dev/null | head -c $(( size << 20 )) > "$files" || true
    while (( $(stat -c %s "$files") < (size << 20) )); do
        head -c $(( (size << 20) - $(stat -c %s "$files") )) "$files" > "$files.more"
        cat "$files.more" >> "$files"
        rm -f "$files.more"
    done
fi
bench_tool cow sequential $(( size * 256 )) "$cow" "$work/zstd.unused"
rm -f "$work/zstd.unused"
truncate -s $(( size << 20 )) "$dst"
receiver=("$java" -XX:+UseSerialGC -Xmn16m -XX:-UsePerfData --enable-native-access=ALL-UNNAMED -jar "$jar"
          --apply - --state-dir "$state" "$dst")
modes=(plain z1 z3)
flags() { case $1 in plain) ;; z1) echo --compress 1 ;; z3) echo --compress 3 ;; esac; }
# one pipeline: sender | [pv -L RATE |] receiver
pipeline() { # DATA MODE LIMIT
    local data=$1 mode=$2 limit=$3
    # shellcheck disable=SC2046
    if [[ $limit == none ]]; then
        bench_tool send "$cow" "$data" --stdout $(flags "$mode") 2> /dev/null | "${receiver[@]}" 2> "$work/zstd.err"
    else
        bench_tool send "$cow" "$data" --stdout $(flags "$mode") 2> /dev/null | pv -q -L "$limit" \
            | "${receiver[@]}" 2> "$work/zstd.err"
    fi
}
bytes=$out/zstd.bytes
: > "$bytes"
for data in random files; do
    for mode in "${modes[@]}"; do
        # shellcheck disable=SC2046
        n=$(bench_tool send "$cow" "${!data}" --stdout $(flags "$mode") 2> /dev/null | wc -c)
        printf '%s\t%s\t%s\n' "$data" "$mode" "$n" >> "$bytes"
    done
done
raw=$out/zstd.raw
: > "$raw"
for r in $(seq 1 "$rounds"); do
    for data in random files; do
        for limit in $rates none; do
            for mode in "${modes[@]}"; do
                drop_cache "${!data}"
                t=$(seconds pipeline "${!data}" "$mode" "$limit")
                cmp -s "${!data}" "$dst" || { echo "zstd: $data $mode: the destination differs from the origin" >&2; exit 1; }
                printf '%s\t%s\t%s\t%s\n' "$data" "$limit" "$mode" "$t" >> "$raw"
                dd if=/dev/zero of="$dst" bs=4M count=$(( size / 4 )) conv=notrunc status=none
            done
        done
    done
done
tsv=$out/zstd.tsv
printf 'data\tlimit\tmode\tstream_bytes\tmedian_s\n' > "$tsv"
for data in random files; do
    for limit in $rates none; do
        for mode in "${modes[@]}"; do
            m=$(awk -F'\t' -v d="$data" -v l="$limit" -v o="$mode" '$1 == d && $2 == l && $3 == o { print $4 }' "$raw" | median)
            n=$(awk -F'\t' -v d="$data" -v o="$mode" '$1 == d && $2 == o { print $3 }' "$bytes")
            printf '%s\t%s\t%s\t%s\t%s\n' "$data" "$limit" "$mode" "$n" "$m" >> "$tsv"
        done
    done
done
echo "zstd through a rate-limited pipe: $size MiB of dense changes, sender | pv -q -L RATE | lvmsync --apply - (image file),"
echo "RATE $rates and no limit; median of $rounds interleaved rounds, whole pipelines (JVM starts included); $(nproc) cores,"
echo "so -z compresses on the sender's own thread (workers only from 4 cores)"
echo
echo "| data | link | stream | stream bytes | ratio (bytes) | median s | speed-up vs uncompressed |"
echo "|---|---|---|---|---|---|---|"
awk -F'\t' 'NR > 1 {
    key = $1 SUBSEP $2
    if ($3 == "plain") { base_s[key] = $5; base_n[$1] = $4 }
    rows[NR] = $0
} END {
    for (i = 2; i <= NR; i++) {
        split(rows[i], f, "\t")
        key = f[1] SUBSEP f[2]
        data = f[1] == "random" ? "incompressible (random)" : "compressible (/usr files)"
        link = f[2] == "none" ? "no limit" : "pv -L " f[2]
        name = f[3] == "plain" ? "extended, uncompressed" : "-z " substr(f[3], 2)
        printf "| %s | %s | %s | %d | %.2f | %.2f | %.2fx |\n", data, link, name, f[4], base_n[f[1]] / f[4], f[5], base_s[key] / f[5]
    }
}' "$tsv"
