#!/usr/bin/env python3
"""bookinfo productpage: calls details and reviews (a new connection each) and shows the book.

GET /productpage is the page as text; GET /api/v1/products/0 is the same as JSON, which the demo's
client reads; GET /health.
"""

import common


def fetch(service, path):
    try:
        return common.get_json(common.peer(service), 9080, path)
    except (OSError, ValueError) as e:
        return {"error": "%s is currently unavailable (%s)" % (service, e)}


def product(version):
    return {"productpage": version, "details": fetch("details", "/details/0"),
            "reviews": fetch("reviews", "/reviews/0")}


def page(version):
    p = product(version)
    d, r = p["details"], p["reviews"]
    lines = ["productpage " + version]
    if "error" in d:
        lines.append("details: " + d["error"])
    else:
        lines.append("details %s: %s, %s, %d, %s, %d pages" % (
            d["version"], d["title"], d["author"], d["year"], d["type"], d["pages"]))
    if "error" in r:
        lines.append("reviews: " + r["error"])
    else:
        lines.append("reviews " + r["version"] + ":")
        for review in r["reviews"]:
            rating = review.get("rating")
            if rating is None:
                stars = "no stars"
            elif "error" in rating:
                stars = rating["error"]
            else:
                stars = "%d %s stars (ratings %s)" % (rating["stars"], rating["color"], rating["ratings_version"])
            lines.append("  %s: %s [%s]" % (review["reviewer"], review["text"], stars))
    return 200, "\n".join(lines) + "\n"


def main():
    args = common.arguments("productpage")
    common.serve("productpage", args.version, args.port, {
        "/productpage": lambda: page(args.version),
        "/api/v1/products/0": lambda: (200, product(args.version)),
        "/health": lambda: (200, {"status": "productpage is healthy", "version": args.version}),
    })


if __name__ == "__main__":
    main()
