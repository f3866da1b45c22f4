# scripts/bench walk [--exceptions N] [--repeat R]
# The COW walk in process: a synthetic exception store of N (default 2,621,440: a full
# 10 GiB COW of 4 KiB chunks) scattered exceptions, walked into a run list R times per
# engine in one JVM, each walk from a cold cache of that file; the first walk of each
# JVM is JIT warm-up and left out of the median. Engines: pread (one read at a time,
# the old walk), io_uring at depth 128 (what lvmsync does), and the mmap + WILLNEED
# variant of the design card. The original's walk (its LVM::Snapshot#differences, Ruby)
# on the same file when LVMSYNC_BENCH_ORIGINAL is set. Also: walk time against the
# number of exceptions (linear in the change).
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
exceptions=2621440 repeat=6
while (($#)); do
    case $1 in
        --exceptions) exceptions=$2; shift 2 ;; --repeat) repeat=$2; shift 2 ;;
        *) echo "walk: unknown option $1" >&2; exit 2 ;;
    esac
done
image=$work/walk-$exceptions.img
tsv=$out/walk.tsv
printf 'walker\texceptions\tmedian_ms\n' > "$tsv"
walk_median() { # engine depth count image
    bench_tool walk "$4" "$3" "$1" "$2" "$repeat" | tail -n +2 | awk '{ print $3 }' | median
}
for e in "uring 128" "pread 1" "mmap 0"; do
    set -- $e
    printf '%s\t%s\t%s\n' "$1" "$exceptions" "$(walk_median "$1" "$2" "$exceptions" "$image")" >> "$tsv"
done
# the mmap variant's WILLNEED calls alone, and fio reading the same areas (O_DIRECT, depth 32)
prefetch=$(bench_tool walk "$image" "$exceptions" mmap 0 "$repeat" | tail -n +2 | awk '{ print $4 }' | median)
need fio fio
areas=$(( exceptions / 256 + 1 ))
{ echo "fio version 2 iolog"; echo "$image add"; echo "$image open"
  awk -v f="$image" -v n="$areas" 'BEGIN { for (i = 0; i < n; i++) printf "%s read %d 4096\n", f, (1 + 257 * i) * 4096 }'
  echo "$image close"; } > "$work/walk-areas.iolog"
fio_ms=$(for i in 1 2 3; do fio --name=areas --read_iolog="$work/walk-areas.iolog" --ioengine=io_uring --direct=1 \
    --iodepth=32 --replay_no_stall=1 --output-format=terse --terse-version=3 2> /dev/null | awk -F';' '{ print $9 }'; done | median)
if find_original; then
    cat > "$out/original-walk.rb" <<'RUBY'
# Times the original's own COW walk (LVM::Snapshot#differences) on an image file.
require 'lvm/snapshot'
class LVM::Snapshot
  def metadata_device = ENV.fetch('COW')
end
t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
n = LVM::Snapshot.new('vg', 'lv').differences.size
t1 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
printf("%d %.1f\n", n, (t1 - t0) * 1000)
RUBY
    ms=$(for i in 1 2; do drop_cache "$image"; COW=$image RUBYLIB=$rubylib ruby "$out/original-walk.rb" | awk '{ print $2 }'; done | median)
    printf 'original\t%s\t%s\n' "$exceptions" "$ms" >> "$tsv"
fi
# linear in the change: the same walk at 1/16, 1/4 and all of the exceptions
lin=$out/walk-scaling.tsv
printf 'exceptions\tmedian_ms\n' > "$lin"
for n in $(( exceptions / 16 )) $(( exceptions / 4 )) "$exceptions"; do
    printf '%s\t%s\n' "$n" "$(walk_median uring 128 "$n" "$work/walk-$n.img")" >> "$lin"
done
echo "COW walk in process, 4 KiB chunks, scattered exceptions, cold cache of the image; median of $(( repeat - 1 )) walks after one warm-up"
echo
echo "| walker | exceptions | ms | vs lvmsync (io_uring, depth 128) |"
echo "|---|---|---|---|"
base=$(awk -F'\t' '$1 == "uring" { print $3 }' "$tsv")
awk -F'\t' -v b="$base" 'NR > 1 { printf "| %s | %d | %.1f | %.2fx |\n", $1, $2, $3, $3 / b }' "$tsv"
[[ -n $original ]] || no_original_note
echo
echo "The mmap variant's $areas WILLNEED calls alone: $prefetch ms (median); fio reading the same $areas areas (--read_iolog, O_DIRECT, io_uring, depth 32): $fio_ms ms (median of 3)."
echo
echo "| exceptions | ms | ns per exception |"
echo "|---|---|---|"
awk -F'\t' 'NR > 1 { printf "| %d | %.1f | %.0f |\n", $1, $2, $2 * 1e6 / $1 }' "$lin"
