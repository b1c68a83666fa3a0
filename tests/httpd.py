#!/usr/bin/env python3
"""A 127.0.0.1 HTTP server that misbehaves on demand, for the fetch tests.

Usage: httpd.py ROOT PORTFILE LOGFILE
The first path component picks the behaviour, the rest names a file under
ROOT: /good/F (ranges honoured), /norange/F (ranges ignored), /404/F,
/flaky/F (500 on the first request, then good), /short/F (announces the full
length, sends half, closes), /wrong/F (right length, wrong bytes),
/stall/F (half, then silence), /redirect/N/F (N hops, then /good/F),
/loop/F (redirects to itself), /slow/F (good, after half a second; its log
line adds "inflight=N", the requests being served at that moment, to show
how many downloads a client runs at once), /endless/ANY (a body without a
length that goes on, zeros, up to 256 MB), /huge/ANY (announces 8 GB, then
silence), /trickle/F (F at 200 bytes/s), /totrickle/F (redirects to
/trickle/F), /toftp/F (redirects to ftp:// on a server that sends its
greeting one byte a second, forever). Each request is logged as
"METHOD PATH RANGE BYTES_SENT". The port is written to PORTFILE when ready.
"""
import http.server, os, socketserver, sys, threading, time

root, portfile, logfile = sys.argv[1:4]
seen = set()
lock = threading.Lock()
inflight = 0

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, *a): pass

    def log(self, sent, extra=''):
        with lock, open(logfile, 'a') as f:
            f.write('%s %s %s %d%s\n' % (self.command, self.path,
                                         self.headers.get('Range', '-'), sent, extra))

    # A reply that completes is logged before its last byte goes out: a
    # client that has its answer always finds the line (a test reads the
    # log as soon as the client exits).
    def fail(self, code):
        self.send_response(code)
        self.send_header('Content-Length', '0')
        self.log(0)
        self.end_headers()

    def redirect(self, to):
        self.send_response(302)
        self.send_header('Location', to)
        self.send_header('Content-Length', '0')
        self.log(0)
        self.end_headers()

    def do_GET(self):
        parts = self.path.lstrip('/').split('/')
        mode = parts[0]
        if mode == 'redirect':
            n = int(parts[1])
            rest = '/'.join(parts[2:])
            return self.redirect('/good/' + rest if n <= 1 else '/redirect/%d/%s' % (n - 1, rest))
        if mode == 'loop':
            return self.redirect(self.path)
        if mode == 'totrickle':
            return self.redirect('/trickle/' + '/'.join(parts[1:]))
        if mode == 'toftp':
            return self.redirect('ftp://127.0.0.1:%d/%s' % (ftp.server_address[1], '/'.join(parts[1:])))
        if mode in ('endless', 'huge'):
            return self.unbounded(mode)
        path = os.path.join(root, *parts[1:])
        if mode == '404' or not os.path.isfile(path):
            return self.fail(404)
        if mode == 'slow':
            global inflight
            with lock:
                inflight += 1
                now = inflight
            time.sleep(0.5)
            with lock:  # before the reply, so a client cannot be quicker
                inflight -= 1
            data = open(path, 'rb').read()
            self.send_response(200)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.log(len(data), ' inflight=%d' % now)
            return self.wfile.write(data)
        if mode == 'flaky':
            with lock:
                first = self.path not in seen
                seen.add(self.path)
            if first:
                return self.fail(500)
        data = open(path, 'rb').read()
        if mode == 'wrong':
            data = bytes(b ^ 0xff for b in data)
        if mode == 'trickle':
            return self.trickle(data)
        start = 0
        rng = self.headers.get('Range')
        if rng and mode in ('good', 'flaky') and rng.startswith('bytes='):
            start = int(rng[6:].split('-')[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header('Content-Length', '0')
                self.log(0)
                return self.end_headers()
            self.send_response(206)
            self.send_header('Content-Range', 'bytes %d-%d/%d' % (start, len(data) - 1, len(data)))
        else:
            self.send_response(200)
            self.send_header('Accept-Ranges', 'bytes' if mode == 'good' else 'none')
        body = data[start:]
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if mode in ('short', 'stall'):
            half = body[:len(body) // 2]
            self.wfile.write(half)
            self.wfile.flush()
            self.log(len(half))
            if mode == 'stall':
                time.sleep(30)
            self.close_connection = True
            return
        self.log(len(body))
        self.wfile.write(body)

    def unbounded(self, mode):
        """/endless: no length, zeros until 256 MB or the client leaves;
        /huge: 8 GB announced, nothing sent."""
        self.send_response(200)
        if mode == 'huge':
            self.send_header('Content-Length', str(8 << 30))
        self.send_header('Connection', 'close')
        self.end_headers()
        sent = 0
        try:
            if mode == 'huge':
                time.sleep(30)
            chunk = bytes(65536)
            while mode == 'endless' and sent < (256 << 20):
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass
        self.close_connection = True
        self.log(sent)

    def trickle(self, data):
        self.send_response(200)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        sent = 0
        try:
            while sent < len(data):
                self.wfile.write(data[sent:sent + 20])
                self.wfile.flush()
                sent += len(data[sent:sent + 20])
                time.sleep(0.1)
        except OSError:
            pass
        self.close_connection = True
        self.log(sent)

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

class TrickleFtp(socketserver.BaseRequestHandler):
    """An FTP server that never finishes its greeting."""
    def handle(self):
        try:
            for b in b'220 tcbuild trickle ftp' * 1000:
                self.request.sendall(bytes([b]))
                time.sleep(1)
        except OSError:
            pass

class FtpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True

ftp = FtpServer(('127.0.0.1', 0), TrickleFtp)
threading.Thread(target=ftp.serve_forever, daemon=True).start()
srv = Server(('127.0.0.1', 0), Handler)
with open(portfile + '.tmp', 'w') as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + '.tmp', portfile)
srv.serve_forever()
