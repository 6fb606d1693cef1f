#!/usr/bin/env python3
"""bookinfo reviews: two reviews of the book. GET /reviews/0 (JSON), GET /health.

As in Istio's bookinfo, v1 shows no stars, v2 calls ratings and shows black stars, v3 calls
ratings and shows red stars. Every answer names the version that served it.
"""

import common

REVIEWS = [
    ("Reviewer1", "An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!"),
    ("Reviewer2", "Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare."),
]
STAR_COLOR = {"v2": "black", "v3": "red"}  # v1 (and any other version) shows no stars


def reviews(version):
    color = STAR_COLOR.get(version)
    ratings = None
    if color:
        try:
            ratings = common.get_json(common.peer("ratings"), 9080, "/ratings/0")
        except (OSError, ValueError) as e:
            ratings = {"error": "ratings service is currently unavailable (%s)" % e}
    out = []
    for reviewer, text in REVIEWS:
        review = {"reviewer": reviewer, "text": text}
        if ratings is not None:
            if "error" in ratings:
                review["rating"] = {"error": ratings["error"]}
            else:
                review["rating"] = {"stars": ratings["ratings"][reviewer], "color": color,
                                    "ratings_version": ratings["version"]}
        out.append(review)
    return 200, {"id": 0, "version": version, "reviews": out}


def main():
    args = common.arguments("reviews")
    common.serve("reviews", args.version, args.port, {
        "/reviews/0": lambda: reviews(args.version),
        "/health": lambda: (200, {"status": "reviews is healthy", "version": args.version}),
    })


if __name__ == "__main__":
    main()
