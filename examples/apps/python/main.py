"""A tiny HTTP server."""

from http.server import BaseHTTPRequestHandler, HTTPServer


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"hello from python\n")


HTTPServer(("0.0.0.0", 8000), Hello).serve_forever()
