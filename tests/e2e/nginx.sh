# make nginx, end to end: sources from Debian served as the primary site
# (byte-identical to upstream, verified against the recipes' real sha256),
# built with the toolchain against the stand-in TCL3 sysroot (glibc 2.11.1),
# checked at TCL3's ceilings, packed, published with make mirror, installed
# with tcz install onto a TCL3-like root, and run on an emulated i486
# (qemu-i386 -cpu 486) serving HTTP and HTTPS to curl. The loader finds the
# extensions' libraries through the ld.so.cache install leaves, as on TCL3.
. "$(dirname "$0")/../lib.sh"

MODULES="http_ssl http_v2 stream"
TC=$O/toolchain

primary_site() { # upstream file names, Debian's bytes
	mkdir -p "$T/primary"
	cp "$("$TOP/tests/debian-source.sh" nginx)" "$T/primary/nginx-1.22.1.tar.gz"
	cp "$("$TOP/tests/debian-source.sh" pcre2)" "$T/primary/pcre2-10.42.tar.gz"
	cp "$("$TOP/tests/debian-source.sh" openssl)" "$T/primary/openssl-3.0.20.tar.gz"
	# Debian's zlib is a DFSG repack, not upstream's bytes: a local override.
	ZLIB_ORIG=$("$TOP/tests/debian-source.sh" zlib)
}

build() {
	make -s -j"$(nproc)" -C "$TOP" nginx O="$O" NGINX_MODULES="$MODULES" TCZ_PRIMARY_SITE="$T/primary" \
		ZLIB_SOURCE_FILE="$ZLIB_ORIG" "$@"
}

# A TCL3-like root: the stand-in's runtime libraries from the sysroot,
# TCL3's ld.so.conf, libgcc_s.so.1 (in TCL3's base; the toolchain's here).
tcl3_root() {
	mkdir -p "$1/etc"
	cp -a "$TC/i486-tcl3-linux-gnu/sysroot/." "$1/"
	cp -L "$TC/i486-tcl3-linux-gnu/lib/libgcc_s.so.1" "$1/lib/"
	echo /usr/local/lib > "$1/etc/ld.so.conf"
}

test_nginx_builds_installs_and_serves_http_and_https() {
	primary_site
	build > "$T/build.log" 2>&1 || { tail -n 40 "$T/build.log" >&2; fail "make nginx failed"; }
	local t
	# tcz check's defaults are TCL3's: glibc 2.11, kernel 2.6.33, i486.
	for t in "$O"/tcz/{nginx,openssl,pcre2,zlib}.tcz; do expect_ok "$TCZ" check "$t"; done
	expect_ok "$TCZ" elf --glibc 2.11 --kernel 2.6.33 "$O"/build/nginx-1.22.1/dest/usr/local/sbin/nginx \
		"$O"/build/openssl-3.0.20/dest/usr/local/lib/libcrypto.so.3 "$O"/build/openssl-3.0.20/dest/usr/local/lib/libssl.so.3 \
		"$O"/build/pcre2-10.42/dest/usr/local/lib/libpcre2-8.so.0 "$O"/build/zlib-1.2.13/dest/usr/local/lib/libz.so.1
	# .dep: exactly what the ELF NEEDED entries require beyond the base system.
	expect_eq "$(sort "$O/tcz/nginx.tcz.dep" | tr '\n' ' ')" "openssl.tcz pcre2.tcz zlib.tcz " "nginx.tcz.dep"
	expect_grep '^   openssl.tcz$' "$O/tcz/nginx.tcz.tree"

	# Publish and install as a TCL3 guest would, onto a root made of the
	# stand-in's runtime: the sysroot's libraries, TCL3's ld.so.conf
	# (/usr/local/lib) and libgcc_s.so.1, which TCL3's base has.
	expect_ok make -s -C "$TOP" mirror O="$O"
	tcl3_root "$T/root"
	expect_ok "$TCZ" install nginx --root "$T/root" --mirror "$O/mirror"
	expect_eq "$(ls "$T/root/usr/local/tce.installed" | tr '\n' ' ')" "nginx openssl pcre2 zlib " "installed"
	expect_file "$T/root/usr/local/etc/nginx/nginx.conf.default"

	# No LD_LIBRARY_PATH: the libraries are found through the root's
	# ld.so.cache, which tcz install wrote. LC_ALL=C: the host's C.UTF-8
	# locale is not glibc 2.11's to read.
	local run=(qemu-i386 -cpu 486 -L "$T/root" -E LC_ALL=C -U LANG)
	expect_ok "${run[@]}" "$T/root/usr/local/sbin/nginx" -V
	local m
	for m in http_ssl_module http_v2_module stream; do expect_grep " --with-$m( |\$)" "$T/err"; done
	expect_no_grep ' --with-(http_realip|http_gzip_static)_module' "$T/err"

	# Serve a file over HTTP and HTTPS (a self-signed certificate).
	local http=$((20000 + RANDOM % 10000)) https=$((30000 + RANDOM % 10000))
	mkdir -p "$T/srv/html" "$T/srv/logs" "$T/srv/tmp"
	echo "hello from nginx on tcl3 $$" > "$T/srv/html/index.html"
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
		-keyout "$T/srv/key.pem" -out "$T/srv/cert.pem" 2>/dev/null
	cat > "$T/srv/nginx.conf" <<CONF
daemon off; master_process off; pid $T/srv/nginx.pid; error_log $T/srv/logs/error.log;
events { worker_connections 16; }
http {
	access_log $T/srv/logs/access.log;
	client_body_temp_path $T/srv/tmp/body; proxy_temp_path $T/srv/tmp/proxy;
	fastcgi_temp_path $T/srv/tmp/fcgi; uwsgi_temp_path $T/srv/tmp/uwsgi; scgi_temp_path $T/srv/tmp/scgi;
	server { listen 127.0.0.1:$http; root $T/srv/html; }
	server { listen 127.0.0.1:$https ssl http2; root $T/srv/html;
		ssl_certificate $T/srv/cert.pem; ssl_certificate_key $T/srv/key.pem; }
}
CONF
	"${run[@]}" "$T/root/usr/local/sbin/nginx" -e stderr -c "$T/srv/nginx.conf" 2> "$T/nginx.err" &
	NGINX_PID=$!
	trap 'kill $NGINX_PID 2>/dev/null || true' EXIT
	local i
	for i in $(seq 100); do curl -s "http://127.0.0.1:$http/" > "$T/got" 2>/dev/null && break; sleep 0.2; done
	expect_grep "^hello from nginx on tcl3 $$\$" "$T/got"
	curl -sk "https://127.0.0.1:$https/" > "$T/got-tls" || { cat "$T/nginx.err" >&2; fail "https request failed"; }
	expect_grep "^hello from nginx on tcl3 $$\$" "$T/got-tls"
	kill $NGINX_PID
}

test_second_make_nginx_does_nothing_quickly() {
	primary_site
	build >/dev/null 2>&1 || fail "make nginx failed"
	local start end
	start=$(date +%s%N)
	build > "$T/out" 2>&1
	end=$(date +%s%N)
	expect_no_grep '^\[' "$T/out"
	[ $(( (end - start) / 1000000 )) -lt 300 ] || fail "a no-op make nginx took $(( (end - start) / 1000000 )) ms"
}

# A third-party module from a local directory (NGINX_ADD_MODULES), in the
# old-style module config format nginx 1.22 still reads; a changed variable
# reconfigures and rebuilds nginx.
test_third_party_module_from_a_directory_is_built_in() {
	primary_site
	mkdir -p "$T/mod"
	cat > "$T/mod/config" <<'CFG'
ngx_addon_name=ngx_http_tcbuild_module
HTTP_MODULES="$HTTP_MODULES ngx_http_tcbuild_module"
NGX_ADDON_SRCS="$NGX_ADDON_SRCS $ngx_addon_dir/ngx_http_tcbuild_module.c"
CFG
	cat > "$T/mod/ngx_http_tcbuild_module.c" <<'MOD'
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
static ngx_http_module_t ngx_http_tcbuild_module_ctx;
ngx_module_t ngx_http_tcbuild_module = {
	NGX_MODULE_V1, &ngx_http_tcbuild_module_ctx, NULL, NGX_HTTP_MODULE,
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NGX_MODULE_V1_PADDING
};
MOD
	build NGINX_ADD_MODULES="$T/mod" > "$T/build.log" 2>&1 || { tail -n 30 "$T/build.log" >&2; fail "make nginx failed"; }
	expect_grep '\[4/9\] nginx 1.22.1: configure' "$T/build.log"
	grep -q ngx_http_tcbuild_module "$O/build/nginx-1.22.1/dest/usr/local/sbin/nginx" ||
		fail "the module is not in the nginx binary"
	tcl3_root "$T/root"
	for t in nginx openssl pcre2 zlib; do "$TCZ" unpack "$O/tcz/$t.tcz" -C "$T/root"; done
	expect_ok "$TCZ" ldconfig -r "$T/root"
	expect_ok qemu-i386 -cpu 486 -L "$T/root" -E LC_ALL=C "$T/root/usr/local/sbin/nginx" -V
	expect_grep " --add-module=$T/mod( |\$)" "$T/err"
}

run_tests
