# scripts/bench readrate [--size MIB] [--percent P] [--rounds R] [--device DEV]
# Changed-chunk read rate: the real Sender reading PERCENT % of the 4 KiB chunks of a
# device (scattered, sorted and coalesced as a snapshot's changes are) through each
# engine, into a sink that discards, against fio replaying exactly the same reads
# (--read_iolog written by the same tool: same offsets, lengths and order) with
# io_uring and O_DIRECT at iodepth 32, and fio's own randread (4 KiB, random order) at
# depth 1 and 32 for scale. Rounds are interleaved; medians. Each of our rounds is one
# JVM doing the same send 4 times: the first is what a run sees (JIT still cold), the
# last three the engine at steady state.
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
size=2048 percent=10 rounds=5 device=
while (($#)); do
    case $1 in
        --size) size=$2; shift 2 ;; --percent) percent=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;; --device) device=$2; shift 2 ;;
        *) echo "readrate: unknown option $1" >&2; exit 2 ;;
    esac
done
need fio fio
if [[ -z $device ]]; then
    device=$work/readrate.img
    [[ -f $device && $(stat -c %s "$device") == $(( size << 20 )) ]] || bench_tool fill "$device" "$size"
fi
iolog=$work/readrate.iolog
tsv=$out/readrate.tsv
raw=$out/readrate.raw
: > "$raw"
fio_replay() { # prints the seconds fio took
    fio --name=replay --read_iolog="$iolog" --ioengine=io_uring --direct=1 --iodepth=32 \
        --replay_no_stall=1 --output-format=terse --terse-version=3 2> /dev/null \
        | awk -F';' '{ printf "%.6f\n", $9 / 1000 }'   # read runtime, ms
}
fio_rand() { # depth: prints IOPS
    fio --name=rand --filename="$device" --rw=randread --bs=4k --direct=1 --ioengine=io_uring \
        --iodepth="$1" --runtime=3 --time_based --output-format=terse --terse-version=3 2> /dev/null \
        | awk -F';' '{ print $8 }'
}
bench_tool readrate "$device" "$percent" 42 pread 1 "$iolog" > /dev/null   # writes the iolog once
reads=$(grep -c ' read ' "$iolog")
for round in $(seq 1 "$rounds"); do
    for engine in "uring 32" "threads 32" "pread 1"; do
        set -- $engine
        bench_tool readrate "$device" "$percent" 42 "$1" "$2" - 4 \
            | awk -v e="$1" -v d="$2" 'NR == 1 { print e "-" d "-cold\t" $3 } NR > 1 { print e "-" d "\t" $3 }' >> "$raw"
    done
    printf 'fio-replay-32\t%s\n' "$(fio_replay)" >> "$raw"
done
for depth in 1 32; do printf 'fio-randread-%s-iops\t%s\n' "$depth" "$(fio_rand "$depth")" >> "$raw"; done
printf 'what\treads\tmedian_s\tiops\n' > "$tsv"
for what in uring-32 uring-32-cold threads-32 threads-32-cold pread-1 pread-1-cold fio-replay-32; do
    m=$(awk -F'\t' -v w="$what" '$1 == w { print $2 }' "$raw" | median)
    awk -v w="$what" -v r="$reads" -v m="$m" 'BEGIN { printf "%s\t%d\t%.4f\t%.0f\n", w, r, m, r / m }' >> "$tsv"
done
fio_s=$(awk -F'\t' '$1 == "fio-replay-32" { print $3 }' "$tsv")
echo "Changed-chunk reads: $reads reads ($percent % of $(( $(stat -c %s "$device") >> 20 )) MiB, 4 KiB chunks coalesced), O_DIRECT, median of $rounds interleaved rounds"
echo
echo "| reader | median s | reads/s | vs fio replay (iodepth 32) |"
echo "|---|---|---|---|"
awk -F'\t' -v f="$fio_s" 'NR > 1 { n = $1; sub(/-cold$/, " (first send of a JVM)", n); sub(/^uring-32$/, "uring-32 (steady state)", n); sub(/^threads-32$/, "threads-32 (steady state)", n); sub(/^pread-1$/, "pread-1 (steady state)", n); printf "| %s | %.3f | %.0f | %.2f |\n", n, $3, $4, f / $3 }' "$tsv"
awk -F'\t' '/fio-randread/ { printf "| fio randread 4k, depth %s (random order, 3 s) | | %.0f | |\n", ($1 ~ /-1-/ ? 1 : 32), $2 }' "$raw"
