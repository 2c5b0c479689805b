# A target served by Python's own http.server (ThreadingHTTPServer, HTTP/1.1 keep-alive), for the transport tests:
# framing, keep-alive and connection handling are Python's, not BenchMesh's. Prints its port, then serves until killed.
#   /ok       200, Content-Length, kept alive          /close    200 with Connection: close
#   /chunked  200 {"output":"5"}, chunked, in pieces   /cut      Content-Length 100, ten bytes, then the connection closes
#   /stall    answers after 2 s                        /stats    the connections so far (not counting /stats')
import http.server, json, socketserver, sys, threading, time

lock = threading.Lock()
connections = 0
JSON = b'{"output":"5"}'

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.first = True

    def parse_request(self):
        # Counts connections by their first request, leaving out those that only ask /stats.
        global connections
        ok = super().parse_request()
        if ok and self.first:
            self.first = False
            if self.path != "/stats":
                with lock:
                    connections += 1
        return ok

    def log_message(self, *args):
        pass

    def answer(self, body, close=False):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/stats":
            with lock:
                self.answer(str(connections).encode())
        elif self.path == "/close":
            self.answer(JSON, close=True)
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (JSON[:4], JSON[4:9], JSON[9:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                time.sleep(0.005)
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/cut":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"only ten..")
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/stall":
            time.sleep(2)
            self.answer(JSON)
        else:
            self.answer(JSON)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.do_GET()

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128

server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
