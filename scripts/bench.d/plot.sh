# scripts/bench plot
# SVG bar charts for BENCHMARKS.md from the tables' TSV files in target/bench/, written
# to doc/bench/*.svg, where BENCHMARKS.md shows them. python3, no libraries.
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
mkdir -p "$repo/doc/bench"
python3 - "$out" "$repo/doc/bench" <<'PY'
import csv, os, sys
out, pub = sys.argv[1], sys.argv[2]

def bars(name, title, unit, rows):
    """rows: (label, value) pairs; a horizontal bar chart, values printed at the bars."""
    if not rows:
        return
    width, left, bar, gap = 720, 300, 22, 10
    top = 40
    height = top + len(rows) * (bar + gap) + 20
    vmax = max(v for _, v in rows) or 1
    scale = (width - left - 90) / vmax
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="13">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">{title}</text>']
    for i, (label, v) in enumerate(rows):
        y = top + i * (bar + gap)
        colour = "#2b7bb9" if "lvmsync" in label or label.startswith("ours") else "#999999"
        svg.append(f'<text x="{left - 8}" y="{y + bar * 0.7}" text-anchor="end">{label}</text>')
        svg.append(f'<rect x="{left}" y="{y}" width="{max(1, v * scale):.1f}" height="{bar}" fill="{colour}"/>')
        svg.append(f'<text x="{left + v * scale + 6:.1f}" y="{y + bar * 0.7}">{v:,.3g} {unit}</text>')
    svg.append('</svg>')
    with open(os.path.join(pub, name + ".svg"), "w") as f:
        f.write("\n".join(svg) + "\n")
    print("plot:", os.path.join(pub, name + ".svg"))

def read(name):
    path = os.path.join(out, name + ".tsv")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))

names = {"uring-32": "lvmsync, io_uring depth 32", "threads-32": "lvmsync, 32 threads",
         "pread-1": "lvmsync, pread depth 1", "fio-replay-32": "fio, same reads, depth 32"}
bars("readrate", "Changed-chunk reads (reads per second, higher is better)", "/s",
     [(names.get(r["what"], r["what"]), float(r["iops"])) for r in read("readrate")])
walkers = {"uring": "lvmsync (io_uring, depth 128)", "pread": "lvmsync, pread (before)",
           "mmap": "mmap + WILLNEED variant", "original": "original (Ruby)"}
bars("walk", "COW walk of 2.6 M exceptions (ms, lower is better)", "ms",
     [(walkers.get(r["walker"], r["walker"]), float(r["median_ms"])) for r in read("walk")])
tools = {"ours": "lvmsync (Java) --version", "original": "original (Ruby) --version", "hello-jvm": "a JVM printing one line"}
bars("version", "--version wall time (s, lower is better)", "s",
     [(tools.get(r["tool"], r["tool"]), float(r["median_s"])) for r in read("version")])
bars("rss", "Peak RSS of a whole send (MiB)", "MiB",
     [(f'lvmsync, {r["changed_gib"]} GiB changed ({r["layout"]})', float(r["peak_rss_mib"])) for r in read("rss")])
race = read("race")
if race:
    mean = {}
    for r in race:
        if r["seconds"] != "failed":
            mean.setdefault(r["tool"], []).append(float(r["seconds"]))
    label = {"ours": "lvmsync (Java)", "ours_nocache": "lvmsync, LVMSYNC_AOT=off",
             "ours_tiered": "lvmsync, tiered C1+C2", "theirs": "original (Ruby)"}
    bars("race", "Race in the guest: one local sync (s, lower is better)", "s",
         [(label.get(t, t), sum(v) / len(v)) for t, v in mean.items()])
PY
