"""What the four bookinfo services share: an HTTP/1.0 JSON server and a client that opens a new
connection for every call.

ax balances at connect(): a connection pooled between calls would pin every call to the backend
its first connect() chose. So the client here never keeps a connection alive, and the server
answers HTTP/1.0 (one request per connection).
"""

import argparse
import http.client
import http.server
import json
import os
import socketserver
import sys
import time

# Peers are named as Istio names them: NAME.SERVICES_DOMAIN (bookinfo's productpage reads the same
# variable). The ax daemon's DNS answers these names with the Services' vIPs.
SERVICES_DOMAIN = os.environ.get("SERVICES_DOMAIN", "default.svc.cluster.local")
PEER_TIMEOUT = 3.0  # seconds; a peer that takes longer is reported as unavailable


def peer(name):
    """host of a bookinfo service, e.g. reviews.default.svc.cluster.local"""
    return name + "." + SERVICES_DOMAIN if SERVICES_DOMAIN else name


def get_json(host, port, path):
    """GET path on a new connection: the JSON of a 200 answer; OSError when the peer cannot be
    reached, ValueError naming the peer when it answers something else."""
    conn = http.client.HTTPConnection(host, port, timeout=PEER_TIMEOUT)
    try:
        conn.request("GET", path, headers={"Connection": "close", "Accept": "application/json"})
        resp = conn.getresponse()
        body = resp.read(1 << 20)
        if resp.status != 200:
            raise ValueError("%s:%d%s answered HTTP %d" % (host, port, path, resp.status))
        try:
            return json.loads(body)
        except ValueError:
            raise ValueError("%s:%d%s answered something that is not JSON" % (host, port, path)) from None
    finally:
        conn.close()


def arguments(service, default_version="v1"):
    p = argparse.ArgumentParser(description="bookinfo " + service + " (for the ax demo)")
    p.add_argument("--port", type=int, default=9080, help="port to listen on (default 9080)")
    p.add_argument("--version", default=os.environ.get("VERSION", default_version),
                   help="version this instance reports (default $VERSION or %(default)s)")
    return p.parse_args()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self):
        # HTTPServer.server_bind looks up the host's FQDN, a DNS round trip for nothing here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


def serve(service, version, port, routes):
    """Serves routes ({path: handler() -> (status, dict or str)}) until SIGTERM or SIGINT."""

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "bookinfo-" + service + "/" + version

        def do_GET(self):
            handler = routes.get(self.path.split("?", 1)[0])
            if handler is None:
                status, body = 404, {"error": "no such path: " + self.path}
            else:
                try:
                    status, body = handler()
                except Exception as e:  # one line in the log, a 500 to the caller
                    status, body = 500, {"error": "%s: %s" % (type(e).__name__, e)}
            if isinstance(body, str):
                data, kind = body.encode(), "text/plain; charset=utf-8"
            else:
                data, kind = (json.dumps(body) + "\n").encode(), "application/json"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt, *args):
            sys.stderr.write("%s %s-%s %s\n" % (time.strftime("%H:%M:%S"), service, version, fmt % args))

    server = Server(("", port), Handler)
    sys.stderr.write("%s-%s listening on port %d\n" % (service, version, port))
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
