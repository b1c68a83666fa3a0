#!/usr/bin/env python3
"""check-recipes.py: the style and consistency rules of tcbuild's recipes,
in the spirit of Buildroot's utils/check-package. Run by `make
check-recipes` (which also parses every recipe, so that make's own checks,
unknown <PKG>_ variables and dependencies without a recipe, run too).

Usage: check-recipes.py RECIPE_DIR...

Each problem is printed as FILE:LINE: message; the exit status is 1 when
there is any, 0 otherwise. The rules, and why:
- one recipe per package name across all recipe directories (a second one
  would silently replace the first);
- the first line is a comment naming the package ("# nginx: what it is"),
  which is what `make list` readers and reviewers look for;
- VERSION, LICENSE, HOMEPAGE and DESCRIPTION are set: legal-info, the .info
  file and `make list` need them;
- a recipe sets only its own <PKG>_ variables, except defaults for user
  variables given with ?= (a recipe must not change another package);
- <PKG>_SOURCE_FILE is the user's local override, never a recipe's;
- checksums are 64 hex digits (sha256) or 32 (md5), or the word none;
- no site URL ends in '/' (the infrastructure joins SITE/SOURCE);
- exactly one $(eval $(TYPE-package)) statement;
- no trailing whitespace, no two blank lines in a row, commands in a
  define are not indented with spaces.
"""
import os
import re
import sys

TYPES = ("generic", "autotools", "make", "kernel")
ASSIGN = re.compile(r"^(?:override\s+)?([A-Za-z0-9_.-]+)\s*(\?=|:=|::=|\+=|=)")
DEFINE = re.compile(r"^define\s+([A-Za-z0-9_.-]+)")
REQUIRED = ("VERSION", "LICENSE", "HOMEPAGE", "DESCRIPTION")


def upper(name):
    return name.upper().replace("-", "_")


class Linter:
    def __init__(self):
        self.problems = 0

    def report(self, path, line, msg):
        print(f"{path}:{line}: {msg}")
        self.problems += 1

    def check(self, path, name):
        pkg = upper(name)
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        else:
            self.report(path, len(lines), "no newline at the end of the file")
        if not lines or not re.match(rf"^# {re.escape(name)}: \S", lines[0], re.IGNORECASE):
            self.report(path, 1, f"the first line should be '# {name}: what it is'")
        assigned = {}
        in_define = None
        blank = 0
        evals = []
        for n, line in enumerate(lines, 1):
            if line != line.rstrip():
                self.report(path, n, "trailing whitespace")
            blank = blank + 1 if not line.strip() else 0
            if blank == 2:
                self.report(path, n, "two blank lines in a row")
            if in_define:
                if line.strip() == "endef":
                    in_define = None
                elif re.match(r"^ +\S", line):
                    self.report(path, n, f"command in define {in_define} indented with spaces")
                continue
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if re.match(r"^\$\(eval \$\(([a-z]+)-package\)\)$", line.strip()):
                evals.append(n)
            if line.startswith("\t") or line.startswith(" "):
                continue  # a continuation line or a rule's command
            m = DEFINE.match(line)
            if m:
                in_define = m.group(1)
                var, op = m.group(1), "="
            else:
                m = ASSIGN.match(line)
                if not m:
                    continue
                var, op = m.group(1), m.group(2)
            assigned.setdefault(var, (n, line))
            if var.startswith(pkg + "_"):
                self.check_value(path, n, pkg, var[len(pkg) + 1:], line)
            elif op != "?=":
                self.report(path, n, f"sets {var}: a recipe sets only {pkg}_ variables "
                            "(or gives a user variable a default with ?=)")
        for v in REQUIRED:
            if pkg + "_" + v not in assigned:
                self.report(path, 1, f"{pkg}_{v} is not set")
        types = "|".join(TYPES)
        good = [n for n in evals if re.match(rf"^\$\(eval \$\(({types})-package\)\)$", lines[n - 1].strip())]
        if len(good) != 1 or len(evals) != 1:
            self.report(path, (evals or [len(lines)])[-1], "a recipe has exactly one $(eval $(TYPE-package)), "
                        f"TYPE one of {', '.join(TYPES)}")

    def check_value(self, path, n, pkg, suffix, line):
        value = line.split("=", 1)[1].strip() if "=" in line else ""
        if suffix == "SOURCE_FILE":
            self.report(path, n, f"{pkg}_SOURCE_FILE is the user's local override; recipes name SOURCE and SITE")
        elif suffix in ("SHA256", "PATCH_SHA256") and value != "none" and not re.fullmatch(r"[0-9a-f]{64}", value):
            self.report(path, n, f"{pkg}_{suffix} is not 64 lower-case hex digits (or none)")
        elif suffix == "MD5" and not re.fullmatch(r"[0-9a-f]{32}", value):
            self.report(path, n, f"{pkg}_MD5 is not 32 lower-case hex digits")
        elif suffix.endswith("SITE"):
            for url in value.split():
                if url.endswith("/"):
                    self.report(path, n, f"{pkg}_{suffix}: {url} ends in '/'")


def main(argv):
    if len(argv) < 2:
        print("usage: check-recipes.py RECIPE_DIR...", file=sys.stderr)
        return 2
    lint = Linter()
    seen = {}
    for d in argv[1:]:
        if not os.path.isdir(d):
            print(f"check-recipes.py: {d}: not a directory", file=sys.stderr)
            return 2
        for f in sorted(os.listdir(d)):
            if not f.endswith(".mk") or f.startswith("pkg-"):
                continue
            path = os.path.join(d, f)
            name = f[:-3]
            if name in seen:
                lint.report(path, 1, f"package {name} is already defined by {seen[name]}")
                continue
            seen[name] = path
            lint.check(path, name)
    print(f"check-recipes: {len(seen)} recipes, {lint.problems} problem{'s' if lint.problems != 1 else ''}")
    return 1 if lint.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
