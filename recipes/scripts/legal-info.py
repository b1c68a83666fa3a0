#!/usr/bin/env python3
"""legal-info.py: what a redistributor of tcbuild's extensions must ship,
and an SBOM of what was built. Run by `make legal-info` after every source
is downloaded and every package with <PKG>_LICENSE_FILES is extracted.

Usage: legal-info.py PACKAGES.tsv LEGAL_DIR TCZ TCZ_OUT_DIR

Writes LEGAL_DIR (built beside as LEGAL_DIR.tmp and renamed, so a failure
leaves the previous one):
  manifest.csv                 package, version, license, license files,
                               sources with their sha256, patches
  sources/PKG-VERSION/         the source files, the patches tcbuild applies
                               and a series file giving their order
  licenses/PKG-VERSION/        the license files the recipe names, copied
                               from the extracted source tree
  sbom.cdx.json                CycloneDX 1.5: one component per extension in
                               TCZ_OUT_DIR (its sha256, the package it comes
                               from), with every file inside and its sha256,
                               read back from the image with `tcz unpack`
"""
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import pkgmeta


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fail(msg):
    print(f"legal-info: {msg}", file=sys.stderr)
    sys.exit(1)


def copy_sources(p, root):
    dest = os.path.join(root, "sources", f"{p['name']}-{p['version']}")
    os.makedirs(dest)
    sums = []
    for src in p["sources"]:
        if not os.path.isfile(src):
            fail(f"{p['name']}: source {src} is missing (make source downloads it)")
        shutil.copy2(src, dest)
        sums.append(f"{os.path.basename(src)}:{sha256(src)}")
    if p["patches"]:
        with open(os.path.join(dest, "series"), "w", encoding="utf-8") as series:
            for patch in p["patches"]:
                shutil.copy2(patch, dest)
                series.write(os.path.basename(patch) + "\n")
    return sums


def copy_licenses(p, root):
    if not p["license_files"]:
        return
    dest = os.path.join(root, "licenses", f"{p['name']}-{p['version']}")
    for rel in p["license_files"]:
        src = os.path.join(p["srcdir"], rel)
        if os.path.isabs(rel) or ".." in rel.split("/") or not os.path.isfile(src):
            fail(f"{p['name']}: license file {rel} not found in {p['srcdir']} "
                 f"(check {p['name'].upper().replace('-', '_')}_LICENSE_FILES)")
        os.makedirs(os.path.join(dest, os.path.dirname(rel)), exist_ok=True)
        shutil.copy2(src, os.path.join(dest, rel))


def package_of(ext, pkgs):
    """The recipe an extension comes from: NAME, NAME-dev, -doc, -locale, or
    a kernel's NAME-KVER module extensions (the longest matching name)."""
    best = None
    for p in pkgs:
        n = p["name"]
        if ext == n or ext.startswith(n + "-"):
            if best is None or len(n) > len(best["name"]):
                best = p
    return best


def extension_files(tcz, image):
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([tcz, "unpack", image, "-C", tmp], capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"{image}: tcz unpack failed: {r.stderr.strip()}")
        files = []
        for dirpath, dirnames, filenames in os.walk(tmp):
            dirnames.sort()
            for f in sorted(filenames):
                path = os.path.join(dirpath, f)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                files.append((os.path.relpath(path, tmp), sha256(path)))
        return files


def sbom(pkgs, tcz, out_dir):
    components = []
    images = sorted(f for f in os.listdir(out_dir) if f.endswith(".tcz")) if os.path.isdir(out_dir) else []
    for image in images:
        ext = image[:-4]
        path = os.path.join(out_dir, image)
        p = package_of(ext, pkgs)
        comp = {
            "type": "application",
            "bom-ref": f"tcz:{ext}",
            "name": image,
            "hashes": [{"alg": "SHA-256", "content": sha256(path)}],
            "components": [{"type": "file", "name": rel, "hashes": [{"alg": "SHA-256", "content": digest}]}
                           for rel, digest in extension_files(tcz, path)],
        }
        if p:
            comp["version"] = p["version"]
            if p["license"]:
                comp["licenses"] = [{"expression": p["license"]}]
            comp["properties"] = [{"name": "tcbuild:package", "value": p["name"]}]
            if p["homepage"]:
                comp["externalReferences"] = [{"type": "website", "url": p["homepage"]}]
        components.append(comp)
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    # Same inputs, same document: the serial number derives from the content.
    body = json.dumps(components, sort_keys=True).encode()
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, hashlib.sha256(body).hexdigest())}",
        "version": 1,
        "metadata": {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)),
            "tools": {"components": [{"type": "application", "name": "tcbuild"}]},
        },
        "components": components,
    }


def main(argv):
    if len(argv) != 5:
        print("usage: legal-info.py PACKAGES.tsv LEGAL_DIR TCZ TCZ_OUT_DIR", file=sys.stderr)
        return 2
    meta, legal, tcz, out_dir = argv[1:]
    try:
        pkgs = pkgmeta.load(meta)
    except (OSError, ValueError) as e:
        fail(f"{meta}: {e}")
    tmp = legal + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    with open(os.path.join(tmp, "manifest.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["package", "version", "license", "license files", "sources", "patches"])
        for p in pkgs:
            sums = copy_sources(p, tmp)
            copy_licenses(p, tmp)
            w.writerow([p["name"], p["version"], p["license"], " ".join(p["license_files"]),
                        " ".join(sums), " ".join(os.path.basename(x) for x in p["patches"])])
    with open(os.path.join(tmp, "sbom.cdx.json"), "w", encoding="utf-8") as f:
        json.dump(sbom(pkgs, tcz, out_dir), f, indent=1, sort_keys=True)
        f.write("\n")
    shutil.rmtree(legal, ignore_errors=True)
    os.rename(tmp, legal)
    print(f"{legal}: manifest.csv, sources/, licenses/, sbom.cdx.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
