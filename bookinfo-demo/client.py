#!/usr/bin/env python3
"""Sends N requests to productpage (a new connection each) and draws which reviews version
answered each one, as a bar chart. Run it under `ax run` so that productpage's Istio name
resolves through the ax daemon's DNS.

  client.py [--host H] [--port P] [--count N] [--counts FILE]

--counts writes one line per outcome, `NAME COUNT` (v1, v2, v3, error, and `no-ratings` for v2/v3
answers whose stars could not be fetched from ratings), for scripts that check the shares.
"""

import argparse
import http.client
import json
import os
import sys
import time

SERVICES_DOMAIN = os.environ.get("SERVICES_DOMAIN", "default.svc.cluster.local")
STARS = {"v1": "no stars", "v2": "black stars", "v3": "red stars"}
WIDTH = 40  # characters of the longest bar


def one(host, port):
    """The reviews version that served one productpage request, and whether ratings answered."""
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", "/api/v1/products/0", headers={"Connection": "close"})
        resp = conn.getresponse()
        body = resp.read(1 << 20)
        if resp.status != 200:
            return "error", "productpage answered %d" % resp.status
        reviews = json.loads(body)["reviews"]
        if "error" in reviews:
            return "error", reviews["error"]
        rated = all("error" not in r.get("rating", {}) for r in reviews["reviews"])
        return reviews["version"], None if rated else "no ratings"
    except (OSError, ValueError, KeyError) as e:
        return "error", "%s: %s" % (type(e).__name__, e)
    finally:
        conn.close()


def chart(counts, total, out):
    block = "\u2588" if (out.encoding or "").lower().replace("-", "") == "utf8" else "#"
    top = max(counts.values()) if counts else 1
    for name in sorted(counts, key=lambda k: (k == "error", k)):
        n = counts[name]
        bar = block * round(WIDTH * n / top) if n else ""
        label = "reviews " + name if name != "error" else "error"
        note = STARS.get(name, "")
        out.write("  %-11s %-*s %4d  %3.0f%%  %s\n" % (label, WIDTH, bar, n, 100.0 * n / total, note))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="productpage." + SERVICES_DOMAIN if SERVICES_DOMAIN else "productpage")
    p.add_argument("--port", type=int, default=9080)
    p.add_argument("--count", type=int, default=30)
    p.add_argument("--counts", help="file to write the counts to")
    args = p.parse_args()
    if not 1 <= args.count <= 100000:
        p.error("--count: %d is out of range (expected 1-100000)" % args.count)

    counts = {"v1": 0, "v2": 0, "v3": 0}
    no_ratings = 0
    first_error = None
    start = time.monotonic()
    for _ in range(args.count):
        version, problem = one(args.host, args.port)
        counts[version] = counts.get(version, 0) + 1
        if problem == "no ratings":
            no_ratings += 1
        elif problem and first_error is None:
            first_error = problem
    elapsed = time.monotonic() - start

    chart(counts, args.count, sys.stdout)
    print("  %d requests to %s:%d in %.1f s" % (args.count, args.host, args.port, elapsed))
    if first_error:
        print("  first error: " + first_error)
    if no_ratings:
        print("  %d answers of v2/v3 had no stars: ratings did not answer" % no_ratings)
    if args.counts:
        with open(args.counts, "w") as f:
            for name, n in sorted(counts.items()):
                f.write("%s %d\n" % (name, n))
            f.write("no-ratings %d\n" % no_ratings)


if __name__ == "__main__":
    main()
