# scripts/bench dense [--size MIB] [--rounds R]
# Dense changes (every chunk changed): the send to a local sink (the stream to
# /dev/null) against dd iflag=direct bs=4M of the same bytes (whole command, and the
# sender's own "Transferred ... in S seconds" without the JVM's start and the walk),
# and the apply of that stream to a device against dd oflag=direct bs=4M writing the
# same bytes (read with iflag=direct). As root the
# destination is a loop device (direct I/O) over an image file, else the file itself.
# Interleaved rounds, medians; wall times include our JVM's start.
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
size=1024 rounds=3
while (($#)); do
    case $1 in --size) size=$2; shift 2 ;; --rounds) rounds=$2; shift 2 ;; *) exit 2 ;; esac
done
origin=$work/dense.origin cow=$work/dense.cow stream=$work/dense.stream dst=$work/dense.dst
[[ -f $origin && $(stat -c %s "$origin") == $(( size << 20 )) ]] || bench_tool fill "$origin" "$size"
bench_tool cow sequential $(( size * 256 )) "$cow" "$work/dense.unused"
rm -f "$work/dense.unused"
bench_tool send "$cow" "$origin" --stdout > "$stream" 2> /dev/null
truncate -s $(( size << 20 )) "$dst"
loop=
if (( EUID == 0 )); then
    loop=$(losetup --find --show --direct-io=on "$dst")
    trap 'losetup -d "$loop"' EXIT
fi
target=${loop:-$dst}
raw=$out/dense.raw
: > "$raw"
for r in $(seq 1 "$rounds"); do
    drop_cache "$origin"
    t0=$(now)
    bench_tool send "$cow" "$origin" --stdout 2> "$work/dense.err" > /dev/null
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "send\t%.4f\n", b - a }' >> "$raw"
    sed -n 's/.*Transferred [0-9]* bytes in \([0-9.]*\) seconds.*/transfer\t\1/p' "$work/dense.err" >> "$raw"
    drop_cache "$origin"
    printf 'dd-read\t%s\n' "$(seconds dd if="$origin" iflag=direct bs=4M of=/dev/null)" >> "$raw"
    drop_cache "$origin"
    printf 'dd-write\t%s\n' "$(seconds dd if="$origin" iflag=direct bs=4M of="$target" oflag=direct conv=notrunc,fsync)" >> "$raw"
    dd if=/dev/zero of="$target" bs=4M count=$(( size / 4 )) oflag=direct conv=notrunc status=none
    drop_cache "$stream"
    # the bench's own state directory: the host's /var/lib/lvmsync gets no record of it
    printf 'apply\t%s\n' "$(seconds "$repo/scripts/lvmsync" --apply "$stream" --state-dir "$work/dense.state" "$target")" >> "$raw"
    cmp -s "$origin" "$target" || { echo "dense: the applied destination differs from the origin" >&2; exit 1; }
done
tsv=$out/dense.tsv
printf 'what\tmedian_s\tMBps\n' > "$tsv"
for w in send transfer dd-read apply dd-write; do
    m=$(awk -F'\t' -v w="$w" '$1 == w { print $2 }' "$raw" | median)
    awk -v w="$w" -v m="$m" -v s="$size" 'BEGIN { printf "%s\t%.3f\t%.0f\n", w, m, s * 1.048576 / m }' >> "$tsv"
done
get() { awk -F'\t' -v w="$1" '$1 == w { print $2 }' "$tsv"; }
kind="an image file"
[[ -n $loop ]] && kind="a loop device with direct I/O"
echo "Dense: $size MiB, every 4 KiB chunk changed; destination: $kind; median of $rounds interleaved rounds"
echo
echo "| what | median s | MB/s | ratio (dd / ours) |"
echo "|---|---|---|---|"
awk -v s="$(get send)" -v x="$(get transfer)" -v d="$(get dd-read)" -v m="$size" 'BEGIN { printf "| send to a local sink (stream to /dev/null), whole command | %.3f | %.0f | %.2f |\n| the same, its transfer (\"Transferred ... in\") | %.3f | %.0f | %.2f |\n| dd iflag=direct bs=4M of=/dev/null | %.3f | %.0f | |\n", s, m * 1.048576 / s, d / s, x, m * 1.048576 / x, d / x, d, m * 1.048576 / d }'
awk -v s="$(get apply)" -v d="$(get dd-write)" -v m="$size" 'BEGIN { printf "| lvmsync --apply STREAM DEV | %.3f | %.0f | %.2f |\n| dd if=STREAM of=DEV oflag=direct bs=4M | %.3f | %.0f | |\n", s, m * 1.048576 / s, d / s, d, m * 1.048576 / d }'
