"""An agent for the runner's socket transport tests, on Python's socketserver (one thread per connection).

Every answer is written by hand so that its timing and framing are exactly what a test asks for. Paths:
  .../json          {"output": "conn-<n>"} where n numbers the connection it came on (keep-alive reuse shows)
  .../close         the same with "Connection: close", then the server closes
  .../drop          the same, kept alive in its headers, but the server closes the connection right after it
  .../stream        an SSE completion: the head and a role-only chunk at once, the first content chunk after
                    ?first=<ms>, the rest after a further ?rest=<ms>
  .../garbage       a line that is not HTTP
  .../truncated     a Content-Length of 100 and 10 bytes, then the server closes
Prints "listening <port>" once it accepts connections.
"""
import json
import socketserver
import sys
import threading
import time
import urllib.parse

connections = 0
lock = threading.Lock()


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        global connections
        with lock:
            connections += 1
            number = connections
        while True:
            line = self.rfile.readline()
            if not line:
                return
            target = line.split(b" ")[1].decode()
            length = 0
            while True:
                header = self.rfile.readline()
                if header in (b"\r\n", b"\n", b""):
                    break
                name, _, value = header.decode().partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            self.rfile.read(length)
            url = urllib.parse.urlparse(target)
            query = dict(urllib.parse.parse_qsl(url.query))
            if not self.answer(url.path, query, number):
                return

    def send(self, data):
        self.wfile.write(data)
        self.wfile.flush()

    def json(self, number, extra=b""):
        body = json.dumps({"output": f"conn-{number}"}).encode()
        self.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extra
                  + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)

    def answer(self, path, query, number):
        if path.endswith("/json"):
            self.json(number)
            return True
        if path.endswith("/close"):
            self.json(number, b"Connection: close\r\n")
            return False
        if path.endswith("/drop"):
            self.json(number)
            return False
        if path.endswith("/garbage"):
            self.send(b"hello, this is not HTTP\r\n\r\n")
            return False
        if path.endswith("/truncated"):
            self.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"output\":")
            return False
        if "/stream" in path:
            def chunk(data):
                payload = b"data: " + json.dumps(data).encode() + b"\n\n"
                self.send(hex(len(payload))[2:].encode() + b"\r\n" + payload + b"\r\n")

            time.sleep(int(query.get("first", "0")) / 2000)
            self.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk({"choices": [{"index": 0, "delta": {"role": "assistant"}}]})
            time.sleep(int(query.get("first", "0")) / 2000)
            chunk({"choices": [{"index": 0, "delta": {"content": "first"}}]})
            time.sleep(int(query.get("rest", "0")) / 1000)
            chunk({"choices": [{"index": 0, "delta": {"content": " rest"}, "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 3, "completion_tokens": 2}})
            payload = b"data: [DONE]\n\n"
            self.send(hex(len(payload))[2:].encode() + b"\r\n" + payload + b"\r\n0\r\n\r\n")
            return True
        self.send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        return True


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", 0), Handler)
print(f"listening {server.server_address[1]}", flush=True)
server.serve_forever()
