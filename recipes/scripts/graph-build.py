#!/usr/bin/env python3
"""graph-build.py: `make graph-build`, how long each package and each of its
stages took, drawn from the records step.sh leaves in build-time.log
("START END [N/9] PKG VERSION: STAGE", seconds since the epoch), in the
spirit of Buildroot's graph-build.

Usage: graph-build.py BUILD-TIME-LOG OUT-DIR

Writes OUT-DIR/build.svg (a timeline: one row per package, one bar per
stage, on one time axis, so that work done at once under make -j shows as
bars side by side) and OUT-DIR/build.csv (package, stage, seconds), each
written beside and renamed. With rsvg-convert (librsvg2-bin) on the PATH,
also OUT-DIR/build.png. Only the last record of each package's stage
counts: a package built again replaces its earlier times.
"""
import html
import os
import re
import shutil
import subprocess
import sys

COLORS = {"source": "#9e9e9e", "extract": "#8d6e63", "patch": "#ffb74d", "configure": "#4fc3f7",
          "build": "#1976d2", "install": "#81c784", "split and strip": "#ba68c8",
          "check": "#e57373", "pack": "#4db6ac"}
RECORD = re.compile(r"^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) \[\d+/9\] (\S+) (\S+): (.+)$")


def read(log):
    runs = {}
    with open(log, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = RECORD.match(line.rstrip("\n"))
            if not m:
                raise ValueError(f"{log}:{n}: not a stage record: {line.strip()[:80]}")
            start, end, pkg, version, stage = m.groups()
            runs[(pkg, stage)] = (float(start), float(end), version)
    return runs


def write_whole(path, data, mode="w"):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, mode, encoding=None if "b" in mode else "utf-8") as f:
        f.write(data)
    os.replace(tmp, path)


def svg(runs):
    t0 = min(s for s, _, _ in runs.values())
    t1 = max(e for _, e, _ in runs.values())
    pkgs = sorted({p for p, _ in runs}, key=lambda p: min(s for (q, _), (s, _, _) in runs.items() if q == p))
    width, left, row, top = 900, 170, 26, 40
    scale = (width - left - 20) / max(t1 - t0, 1e-3)
    height = top + row * len(pkgs) + 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<text x="10" y="20" font-size="14">tcbuild: build time per package and stage ({t1 - t0:.1f} s in all)</text>']
    for i, p in enumerate(pkgs):
        y = top + i * row
        total = sum(e - s for (q, _), (s, e, _) in runs.items() if q == p)
        out.append(f'<text x="10" y="{y + 16}">{html.escape(p)} ({total:.1f} s)</text>')
        for (q, stage), (s, e, _) in sorted(runs.items(), key=lambda kv: kv[1][0]):
            if q != p:
                continue
            x, w = left + (s - t0) * scale, max((e - s) * scale, 1)
            out.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" '
                       f'fill="{COLORS.get(stage, "#607d8b")}"><title>{html.escape(p)} {html.escape(stage)}: '
                       f'{e - s:.2f} s</title></rect>')
    y = top + row * len(pkgs) + 20
    for j, (stage, color) in enumerate(COLORS.items()):
        x = 10 + j * 98
        out.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{color}"/>'
                   f'<text x="{x + 14}" y="{y + 9}">{html.escape(stage)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 3:
        print("usage: graph-build.py BUILD-TIME-LOG OUT-DIR", file=sys.stderr)
        return 2
    log, out = argv[1:]
    if not os.path.isfile(log):
        print(f"graph-build: {log}: no build-time records yet (build something first)", file=sys.stderr)
        return 1
    try:
        runs = read(log)
    except ValueError as e:
        print(f"graph-build: {e}", file=sys.stderr)
        return 1
    if not runs:
        print(f"graph-build: {log}: no build-time records yet (build something first)", file=sys.stderr)
        return 1
    os.makedirs(out, exist_ok=True)
    write_whole(os.path.join(out, "build.csv"), "package,version,stage,seconds\n" + "".join(
        f"{p},{v},{stage},{e - s:.3f}\n" for (p, stage), (s, e, v) in sorted(runs.items())))
    doc = svg(runs)
    write_whole(os.path.join(out, "build.svg"), doc)
    made = ["build.svg", "build.csv"]
    if shutil.which("rsvg-convert"):
        png = subprocess.run(["rsvg-convert", "-f", "png"], input=doc.encode(), capture_output=True)
        if png.returncode != 0:
            print(f"graph-build: rsvg-convert failed: {png.stderr.decode().strip()}", file=sys.stderr)
            return 1
        write_whole(os.path.join(out, "build.png"), png.stdout, "wb")
        made.append("build.png")
    print(f"{out}: {', '.join(made)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
