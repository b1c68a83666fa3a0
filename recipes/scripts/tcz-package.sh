#!/usr/bin/env bash
# Stages 7-9 of a package: split the installed tree into NAME (main),
# NAME-dev, NAME-doc and NAME-locale; strip; check; compute .dep; pack each
# non-empty part with its companion files into OUT. Called by
# recipes/pkg-infra.mk with the environment it sets; not by hand.
set -euo pipefail

for v in PKG VERSION DESTDIR WORK OUT TCZ STRIP GLIBC KERNEL BUILD_TREE LOG BASE_SONAMES; do
	[ -n "${!v:-}" ] || { echo "tcz-package.sh: $v is not set" >&2; exit 2; }
done
here=$(cd "$(dirname "$0")" && pwd)
upstream_sonames=$here/../tcl3-upstream-sonames.txt
title="$PKG $VERSION"

fail() {
	echo "tcbuild: $title: $*" >&2
	echo "tcbuild: $title: $*" >> "$LOG"
	exit 1
}
waived() { # CHECK -> prints the reason if the recipe waives CHECK
	local w
	for w in $WAIVE; do [ "${w%%:*}" = "$1" ] && { echo "${w#*:}"; return 0; }; done
	return 1
}
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }

echo "[7/9] $title: split and strip"
rm -rf "$WORK"
mkdir -p "$WORK"
cp -a "$DESTDIR" "$WORK/main"
main=$WORK/main

# Tiny Core's rule: extensions live under /usr/local.
outside=$(cd "$main" && find . -mindepth 1 \( -path ./usr -o -path ./usr/local -o -path './usr/local/*' \) -prune -o -print | sed 's,^\./,,')
if [ -n "$outside" ]; then
	if reason=$(waived outside-prefix); then
		echo "check outside-prefix waived: $reason" | tee -a "$LOG"
	else
		fail "files outside /usr/local (set ${PKG^^}_CHECK_WAIVE += outside-prefix:REASON if they must be): $(echo $outside | cut -c1-300)"
	fi
fi

# part PATTERN...: move matching paths (relative to main) into WORK/PART.
move() {
	local part=$1; shift
	local p
	for p; do
		(cd "$main" && compgen -G "$p" || true) | while read -r m; do
			mkdir -p "$WORK/$part/$(dirname "$m")"
			mv "$main/$m" "$WORK/$part/$m"
		done
	done
}
move dev usr/local/include usr/local/lib/pkgconfig usr/local/share/pkgconfig usr/local/share/aclocal \
	'usr/local/lib/*.a' 'usr/local/lib/*.la'
move doc usr/local/share/man usr/local/man usr/local/share/info usr/local/share/doc usr/local/share/gtk-doc
move locale usr/local/share/locale
# Development symlinks (libfoo.so -> libfoo.so.1) belong with the headers.
(cd "$main" && find usr/local/lib -maxdepth 1 -type l -name 'lib*.so' 2>/dev/null || true) | while read -r l; do
	mkdir -p "$WORK/dev/$(dirname "$l")"; mv "$main/$l" "$WORK/dev/$l"
done
find "$WORK" -depth -type d -empty -delete 2>/dev/null || true
mkdir -p "$main"

# Strip what runs on the target; static archives keep their symbols.
find "$main" -type f | while read -r f; do
	is_elf "$f" || continue
	"$STRIP" --strip-unneeded "$f" >> "$LOG" 2>&1 || fail "strip $f failed"
done

if [ -n "${TCE_INSTALLED:-}" ]; then
	[ -f "$TCE_INSTALLED" ] || fail "tce.installed script $TCE_INSTALLED missing"
	install -D -m 0755 "$TCE_INSTALLED" "$main/usr/local/tce.installed/$PKG"
	chmod 0775 "$main/usr/local/tce.installed"
fi

echo "[8/9] $title: check"
rules=(--glibc "$GLIBC" --kernel "$KERNEL" --build-dir "$BUILD_TREE")
elf_rules=("${rules[@]}")
if reason=$(waived i486); then
	echo "check i486 waived: $reason" | tee -a "$LOG"
	rules+=(--waive i486)
	elf_rules+=(--no-i486)
fi
elves=()
while read -r f; do is_elf "$f" && elves+=("$f"); done < <(find "$main" -type f | LC_ALL=C sort)
if [ ${#elves[@]} -gt 0 ] && ! "$TCZ" elf "${elf_rules[@]}" "${elves[@]}" >> "$LOG" 2>&1; then
	grep '^tcz: ' "$LOG" | tail -n 20 >&2
	fail "ELF checks failed (see above; a recipe may waive one by name with a reason)"
fi

# .dep: the recipe's runtime deps, plus the extension providing each NEEDED
# soname that neither the base system nor the package itself provides.
deps=$(for d in ${TCZ_DEPS:-}; do echo "${d%.tcz}.tcz"; done)
provided=$(for f in "${elves[@]}"; do "$TCZ" elf --soname "$f"; basename "$f"; done | sort -u)
for f in "${elves[@]}"; do "$TCZ" elf --needed "$f"; done | sort -u | while read -r so; do
	grep -qxF "$so" <(grep -v '^#' "$BASE_SONAMES") && continue
	grep -qxF "$so" <<< "$provided" && continue
	ext=$(grep -l -E "(^|/)$(printf '%s' "$so" | sed 's/[.+]/\\&/g')\$" "$OUT"/*.tcz.list 2>/dev/null | head -n 1 || true)
	if [ -n "$ext" ]; then
		basename "${ext%.list}"
	elif up=$(awk -v s="$so" '$1 == s { print $2; exit }' "$upstream_sonames") && [ -n "$up" ]; then
		echo "$up"
	else
		echo "UNRESOLVED $so"
	fi
done > "$WORK/auto-deps"
if grep -q '^UNRESOLVED' "$WORK/auto-deps"; then
	fail "no extension provides $(grep '^UNRESOLVED' "$WORK/auto-deps" | cut -d' ' -f2 | tr '\n' ' ')(build it first, or name it in ${PKG^^}_TCZ_DEPS)"
fi
{ echo "$deps"; grep -vxF "$PKG.tcz" "$WORK/auto-deps" || true; } | sed '/^$/d' | awk '!seen[$0]++' > "$WORK/main.dep"
echo "dependencies: $(tr '\n' ' ' < "$WORK/main.dep")" >> "$LOG"

echo "[9/9] $title: pack"
mkdir -p "$OUT"
for part in main dev doc locale; do
	[ -d "$WORK/$part" ] || continue
	[ "$part" = main ] && name=$PKG || name=$PKG-$part
	[ "$part" = main ] || [ -n "$(ls -A "$WORK/$part")" ] || continue
	case $part in
	main) cp "$WORK/main.dep" "$WORK/$part.deps" ;;
	dev) echo "$PKG.tcz" > "$WORK/$part.deps" ;;
	*) : > "$WORK/$part.deps" ;;
	esac
	rm -f "$OUT/$name.tcz".*
	"$TCZ" pack -q "$WORK/$part" -o "$OUT/$name.tcz" >> "$LOG" 2>&1 || fail "packing $name.tcz failed"
	[ -s "$WORK/$part.deps" ] && cp "$WORK/$part.deps" "$OUT/$name.tcz.dep"
	size=$(du -h --apparent-size "$OUT/$name.tcz" | cut -f1)
	desc=$DESCRIPTION
	[ "$part" = main ] || desc="$DESCRIPTION ($part files)"
	{
		printf 'Title:\t\t%s.tcz\n' "$name"
		printf 'Description:\t%s\n' "$desc"
		printf 'Version:\t%s\n' "$VERSION"
		printf 'Author:\t\t%s\n' "the $PKG authors"
		printf 'Original-site:\t%s\n' "${HOMEPAGE:--}"
		printf 'Copying-policy:\t%s\n' "${LICENSE:--}"
		printf 'Size:\t\t%s\n' "$size"
		printf 'Extension_by:\t%s\n' "tcbuild"
		printf 'Comments:\t%s\n' "${COMMENTS:-Built with tcbuild for Tiny Core 3.x (i486, glibc $GLIBC).}"
		printf 'Change-log:\t%s\n' "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y/%m/%d) $VERSION"
		printf 'Current:\t%s\n' "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y/%m/%d) $VERSION"
	} > "$OUT/$name.tcz.info"
	if command -v zsyncmake >/dev/null; then
		(cd "$OUT" && zsyncmake -u "$name.tcz" -o "$name.tcz.zsync.tmp" "$name.tcz" >> "$LOG" 2>&1 &&
			mv "$name.tcz.zsync.tmp" "$name.tcz.zsync") || fail "zsyncmake $name.tcz failed"
	fi
	"$TCZ" check "${rules[@]}" "$OUT/$name.tcz" >> "$LOG" 2>&1 || { tail -n 20 "$LOG" >&2; fail "tcz check $name.tcz failed"; }
done

# NAME.tcz.tree: the dependency tree, 3 spaces per level, as on TC's mirror.
tree() { # NAME DEPTH
	printf '%*s%s\n' $(($2 * 3)) '' "$1"
	[ "$2" -lt 20 ] || return 0
	local d
	[ -f "$OUT/$1.dep" ] && while read -r d; do [ -n "$d" ] && tree "$d" $(($2 + 1)); done < "$OUT/$1.dep"
	return 0
}
for name in "$PKG" "$PKG-dev"; do
	[ -f "$OUT/$name.tcz" ] || continue
	tree "$name.tcz" 0 > "$OUT/$name.tcz.tree"
done
