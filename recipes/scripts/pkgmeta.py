"""pkgmeta.py: reads the package list the global targets write
($(O)/packages.tsv, see recipes/pkg-global.mk): one package per line,
tab-separated fields; a field's words are joined by the ASCII unit
separator; "-" is an empty field."""

FIELDS = ("name", "version", "license", "license_files", "sources", "homepage",
          "cpe_vendor", "cpe_product", "ignore_cves", "srcdir", "patches")
LISTS = ("license_files", "sources", "ignore_cves", "patches")


def load(path):
    pkgs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            values = line.split("\t")
            if len(values) != len(FIELDS):
                raise ValueError(f"{path}:{n}: {len(values)} fields, expected {len(FIELDS)}")
            p = {}
            for k, v in zip(FIELDS, values):
                words = [] if v == "-" else v.split("\x1f")
                p[k] = words if k in LISTS else " ".join(words)
            pkgs.append(p)
    return pkgs
