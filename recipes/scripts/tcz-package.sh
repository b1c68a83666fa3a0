#!/usr/bin/env bash
# Stages 7-9 of a package, one per call, each with its own stamp:
#   tcz-package.sh split ENV   split the installed tree into NAME (main),
#                              NAME-dev, NAME-doc, NAME-locale; strip
#   tcz-package.sh check ENV   the ELF rules; the runtime .dep
#   tcz-package.sh pack ENV    each non-empty part and its companion files
#                              into OUT, the files written listed in WORK/files
# ENV is the shell file recipes/pkg-infra.mk writes for the package (every
# value quoted there, so an apostrophe in a description is just text).
# Called by recipes/pkg-infra.mk; not by hand.
set -euo pipefail

stage=${1:?usage: tcz-package.sh split|check|pack ENV}
# shellcheck disable=SC1090
. "${2:?usage: tcz-package.sh split|check|pack ENV}"
for v in PKG VERSION DESTDIR WORK OUT TCZ STRIP GLIBC KERNEL BUILD_TREE LOG BASE_SONAMES UPSTREAM_SONAMES; do
	[ -n "${!v:-}" ] || { echo "tcz-package.sh: $v is not set in $2" >&2; exit 2; }
done
title="$PKG $VERSION"
main=$WORK/main

fail() {
	echo "tcbuild: $title: $*" >&2
	echo "tcbuild: $title: $*" >> "$LOG"
	exit 1
}
waived() { # CHECK -> prints the reason if the recipe waives CHECK
	local w
	for w in ${WAIVE:-}; do [ "${w%%:*}" = "$1" ] && { echo "${w#*:}"; return 0; }; done
	return 1
}
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }
elves() { find "$main" -type f | LC_ALL=C sort | while read -r f; do is_elf "$f" && echo "$f"; done; }
# The target's rules for tcz elf and tcz check, with the recipe's waiver.
rules=(--glibc "$GLIBC" --kernel "$KERNEL" --build-dir "$BUILD_TREE")
elf_rules=("${rules[@]}")
if waived i486 > /dev/null; then
	rules+=(--waive i486)
	elf_rules+=(--no-i486)
fi

# part PATTERN...: move matching paths (relative to main) into WORK/PART.
move() {
	local part=$1 p m; shift
	for p; do
		(cd "$main" && compgen -G "$p" || true) | while read -r m; do
			mkdir -p "$WORK/$part/$(dirname "$m")"
			mv "$main/$m" "$WORK/$part/$m"
		done
	done
}

split() {
	rm -rf "$WORK"
	mkdir -p "$WORK"
	cp -a "$DESTDIR" "$main"
	# Tiny Core's rule: extensions live under /usr/local.
	local outside reason
	outside=$(cd "$main" && find . -mindepth 1 \( -path ./usr -o -path ./usr/local -o -path './usr/local/*' \) -prune -o -print | sed 's,^\./,,')
	if [ -n "$outside" ]; then
		if reason=$(waived outside-prefix); then
			echo "check outside-prefix waived: $reason" | tee -a "$LOG"
		else
			fail "files outside /usr/local (set ${PKG^^}_CHECK_WAIVE += outside-prefix:REASON if they must be): $(echo $outside | cut -c1-300)"
		fi
	fi
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
	local f
	while read -r f; do
		"$STRIP" --strip-unneeded "$f" >> "$LOG" 2>&1 || fail "strip $f failed"
	done < <(elves)
	if [ -n "${TCE_INSTALLED:-}" ]; then
		[ -f "$TCE_INSTALLED" ] || fail "tce.installed script $TCE_INSTALLED missing"
		install -D -m 0755 "$TCE_INSTALLED" "$main/usr/local/tce.installed/$PKG"
		chmod 0775 "$main/usr/local/tce.installed"
	fi
}

check() {
	local reason f so ext up provided
	local -a elf_list
	if reason=$(waived i486); then echo "check i486 waived: $reason" | tee -a "$LOG"; fi
	mapfile -t elf_list < <(elves)
	if [ ${#elf_list[@]} -gt 0 ] && ! "$TCZ" elf "${elf_rules[@]}" "${elf_list[@]}" >> "$LOG" 2>&1; then
		grep '^tcz: ' "$LOG" | tail -n 20 >&2
		fail "ELF checks failed (see above; a recipe may waive one by name with a reason)"
	fi
	# .dep: the recipe's runtime deps, plus the extension providing each
	# NEEDED soname that neither the base system nor the package provides.
	provided=$(for f in "${elf_list[@]}"; do "$TCZ" elf --soname "$f"; basename "$f"; done | sort -u)
	for f in "${elf_list[@]}"; do "$TCZ" elf --needed "$f"; done | sort -u | while read -r so; do
		grep -qxF "$so" <(grep -v '^#' "$BASE_SONAMES") && continue
		grep -qxF "$so" <<< "$provided" && continue
		ext=$(grep -l -E "(^|/)$(printf '%s' "$so" | sed 's/[.+]/\\&/g')\$" "$OUT"/*.tcz.list 2>/dev/null | head -n 1 || true)
		if [ -n "$ext" ]; then
			basename "${ext%.list}"
		elif up=$(awk -v s="$so" '$1 == s { print $2; exit }' "$UPSTREAM_SONAMES") && [ -n "$up" ]; then
			echo "$up"
		else
			echo "UNRESOLVED $so"
		fi
	done > "$WORK/auto-deps"
	if grep -q '^UNRESOLVED' "$WORK/auto-deps"; then
		fail "no extension provides $(grep '^UNRESOLVED' "$WORK/auto-deps" | cut -d' ' -f2 | tr '\n' ' ')(build it first, or name it in ${PKG^^}_TCZ_DEPS)"
	fi
	{ for d in ${TCZ_DEPS:-}; do echo "${d%.tcz}.tcz"; done; grep -vxF "$PKG.tcz" "$WORK/auto-deps" || true; } |
		sed '/^$/d' | awk '!seen[$0]++' > "$WORK/main.dep"
	echo "dependencies: $(tr '\n' ' ' < "$WORK/main.dep")" >> "$LOG"
}

info() { # NAME PART
	local desc=$DESCRIPTION size
	[ "$2" = main ] || desc="$DESCRIPTION ($2 files)"
	size=$(du -h --apparent-size "$OUT/$1.tcz" | cut -f1)
	printf 'Title:\t\t%s.tcz\n' "$1"
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
}

# NAME.tcz.tree: the dependency tree, 3 spaces per level, as on TC's mirror.
tree() { # NAME DEPTH
	printf '%*s%s\n' $(($2 * 3)) '' "$1"
	[ "$2" -lt 20 ] || return 0
	local d
	[ -f "$OUT/$1.dep" ] && while read -r d; do [ -n "$d" ] && tree "$d" $(($2 + 1)); done < "$OUT/$1.dep"
	return 0
}

pack() {
	local part name files=$WORK/files.tmp
	mkdir -p "$OUT"
	: > "$files"
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
		info "$name" "$part" > "$OUT/$name.tcz.info"
		# The image's time is the package's (zsyncmake records it).
		touch -d "@$SOURCE_DATE_EPOCH" "$OUT/$name.tcz"
		if command -v zsyncmake >/dev/null; then
			(cd "$OUT" && zsyncmake -u "$name.tcz" -o "$name.tcz.zsync.tmp" "$name.tcz" >> "$LOG" 2>&1 &&
				mv "$name.tcz.zsync.tmp" "$name.tcz.zsync") || fail "zsyncmake $name.tcz failed"
		fi
		"$TCZ" check "${rules[@]}" "$OUT/$name.tcz" >> "$LOG" 2>&1 ||
			{ tail -n 20 "$LOG" >&2; fail "tcz check $name.tcz failed"; }
		case $part in main|dev) tree "$name.tcz" 0 > "$OUT/$name.tcz.tree" ;; esac
		(cd "$OUT" && ls -d "$name.tcz" "$name.tcz".*) >> "$files"
	done
	mv "$files" "$WORK/files"
}

case $stage in
split) split ;;
check) check ;;
pack) pack ;;
*) echo "tcz-package.sh: unknown stage '$stage' (split, check or pack)" >&2; exit 2 ;;
esac
