#!/usr/bin/env python3
"""show-info.py: `make PKG-show-info`, one package as JSON: version, license,
homepage, sources (with their checksums as the recipe gives them), patches,
dependencies (declared, and the whole closure is theirs), its cache key
(when its dependencies are built), and how long each stage took when it was
last built (from build-time.log).

Usage: show-info.py PACKAGES.tsv NAME KEY BUILD-TIME-LOG [DEPENDENCY...]
"""
import json
import os
import re
import sys

import pkgmeta


def build_times(log, name):
    """{stage: seconds} of the last build of NAME, from step.sh's records."""
    stages = {}
    if not os.path.isfile(log):
        return stages
    with open(log, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^(\S+) (\S+) \[\d+/9\] (\S+) \S+: (.+)$", line.rstrip("\n"))
            if m and m.group(3) == name:
                stages[m.group(4)] = round(float(m.group(2)) - float(m.group(1)), 3)
    return stages


def main(argv):
    if len(argv) < 5:
        print("usage: show-info.py PACKAGES.tsv NAME KEY BUILD-TIME-LOG [DEPENDENCY...]", file=sys.stderr)
        return 2
    meta, name, key, log = argv[1:5]
    pkgs = {p["name"]: p for p in pkgmeta.load(meta)}
    if name not in pkgs:
        print(f"show-info: {name}: no such package", file=sys.stderr)
        return 1
    p = pkgs[name]
    times = build_times(log, name)
    info = {
        "name": name,
        "version": p["version"],
        "license": p["license"],
        "license_files": p["license_files"],
        "homepage": p["homepage"],
        "sources": [os.path.basename(s) for s in p["sources"]],
        "patches": [os.path.basename(s) for s in p["patches"]],
        "dependencies": argv[5:],
        "cpe": f"{p['cpe_vendor']}:{p['cpe_product']}",
        "key": key or None,
        "build_time": {"stages": times, "total": round(sum(times.values()), 3)} if times else None,
    }
    json.dump(info, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
