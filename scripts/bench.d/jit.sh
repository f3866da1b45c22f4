# scripts/bench jit [--size MIB] [--rounds R]
# The JIT the launcher starts the JVM with: C1 only (-XX:TieredStopAtLevel=1, the
# default since it measured fastest in the qemu guest's race) against the JVM's default
# tiered compilation (C1, then C2 for hot code), on the host, on the work where the
# optimizing compiler could pay off: long transfers. Three workloads, interleaved rounds,
# medians: a scattered send (10 % of the 4 KiB chunks of a SIZE MiB image, io_uring at
# depth 32: the first send of a JVM and the mean of three more in the same JVM), a dense
# send of SIZE MiB to /dev/null (a whole process), and the apply of a scattered stream
# (10 % of SIZE MiB in 4 KiB records) through the launcher.
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
size=1024 rounds=5
while (($#)); do
    case $1 in --size) size=$2; shift 2 ;; --rounds) rounds=$2; shift 2 ;; *) echo "jit: unknown option $1" >&2; exit 2 ;; esac
done
img=$work/jit.img origin=$work/jit.origin cow=$work/jit.cow scow=$work/jit.scow stream=$work/jit.stream dst=$work/jit.dst
[[ -f $img && $(stat -c %s "$img") == $(( size << 20 )) ]] || bench_tool fill "$img" "$size"
[[ -f $origin && $(stat -c %s "$origin") == $(( size << 20 )) ]] || bench_tool fill "$origin" "$size"
bench_tool cow sequential $(( size * 256 )) "$cow" "$work/jit.unused"
rm -f "$work/jit.unused"
cp "$origin" "$work/jit.changed"
bench_tool change "$work/jit.changed" "$scow" 10 7 > /dev/null
bench_tool send "$scow" "$work/jit.changed" --stdout > "$stream" 2> /dev/null
rm -f "$work/jit.changed"
truncate -s $(( size << 20 )) "$dst"
declare -A opts=([tiered]="-XX:TieredStopAtLevel=4" [c1]="-XX:TieredStopAtLevel=1")
raw=$out/jit.raw
: > "$raw"
for r in $(seq 1 "$rounds"); do
    for jit in tiered c1; do
        BENCH_JAVA_OPTS=${opts[$jit]} bench_tool readrate "$img" 10 42 uring 32 - 4 \
            | awk -v j="$jit" 'NR == 1 { print j "\tscattered-first\t" $3 } NR > 1 { s += $3 } END { print j "\tscattered-steady\t" s / (NR - 1) }' >> "$raw"
        drop_cache "$origin"
        printf '%s\tdense-send\t%s\n' "$jit" "$(BENCH_JAVA_OPTS=${opts[$jit]} seconds bench_tool send "$cow" "$origin" --stdout)" >> "$raw"
        drop_cache "$stream"
        printf '%s\tscattered-apply\t%s\n' "$jit" "$(LVMSYNC_JAVA_OPTS=${opts[$jit]} seconds "$repo/scripts/lvmsync" --apply "$stream" --state-dir "$work/jit.state" "$dst")" >> "$raw"
    done
done
tsv=$out/jit.tsv
printf 'workload\ttiered_s\tc1_s\n' > "$tsv"
for w in scattered-first scattered-steady dense-send scattered-apply; do
    t=$(awk -F'\t' -v w="$w" '$1 == "tiered" && $2 == w { print $3 }' "$raw" | median)
    c=$(awk -F'\t' -v w="$w" '$1 == "c1" && $2 == w { print $3 }' "$raw" | median)
    printf '%s\t%s\t%s\n' "$w" "$t" "$c" >> "$tsv"
done
echo "JIT modes on the host: medians of $rounds interleaved rounds, $size MiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| workload | tiered (C1+C2) s | C1 only s | C1 / tiered |"
echo "|---|---|---|---|"
awk -F'\t' 'NR > 1 { n = $1; sub(/scattered-first/, "scattered send, first in a JVM (10 %, 4 KiB)", n); sub(/scattered-steady/, "scattered send, steady state (same JVM, 3 more)", n); sub(/dense-send/, "dense send to /dev/null (whole process)", n); sub(/scattered-apply/, "scattered apply, lvmsync --apply (whole process)", n); printf "| %s | %.3f | %.3f | %.2f |\n", n, $2, $3, $3 / $2 }' "$tsv"
