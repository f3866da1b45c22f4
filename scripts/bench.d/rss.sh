# scripts/bench rss
# Peak RSS (/usr/bin/time %M) of a whole send — COW walk, run list, reads at depth, the
# stream to /dev/null — at 1 GiB, 10 GiB and 100 GiB of changed 4 KiB chunks, from
# synthetic exception stores and sparse origins (holes read back as zeros, so 100 GiB
# costs little disk). 1 and 10 GiB scattered (no two changed chunks adjacent: the run
# list's worst case; 10 GiB is a full 10 GiB COW), 100 GiB clustered (runs of 16
# chunks), so the run takes minutes, not hours.
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
tsv=$out/rss.tsv
printf 'changed_gib\tlayout\texceptions\tpeak_rss_mib\tseconds\n' > "$tsv"
for spec in "1 scattered 262144" "10 scattered 2621440" "100 clustered 26214400"; do
    set -- $spec
    cow=$work/rss-$1.cow origin=$work/rss-$1.origin
    [[ -f $cow ]] || bench_tool cow "$2" "$3" "$cow" "$origin"
    t0=$(now)
    # the launcher's JVM options (scripts/lvmsync), with the benchmark helper's main class
    kib=$(/usr/bin/time -f %M "$java" -XX:+UseSerialGC -Xmn16m -XX:-UsePerfData --enable-native-access=ALL-UNNAMED -cp "$jar:$classes" \
        org.lvmsync.bench.BenchTool send "$cow" "$origin" --stdout 2>&1 >/dev/null | tail -n 1)
    t1=$(now)
    awk -v g="$1" -v l="$2" -v n="$3" -v k="$kib" -v a="$t0" -v b="$t1" \
        'BEGIN { printf "%s\t%s\t%s\t%.1f\t%.1f\n", g, l, n, k / 1024, b - a }' >> "$tsv"
done
echo "Peak RSS of a whole send (walk, run list, reads at depth 32, stream to /dev/null)"
echo
echo "| changed | layout | exceptions | peak RSS MiB | s |"
echo "|---|---|---|---|---|"
awk -F'\t' 'NR > 1 { printf "| %s GiB | %s | %d | %.1f | %.1f |\n", $1, $2, $3, $4, $5 }' "$tsv"
