#!/usr/bin/env python3
"""bookinfo ratings: stars per reviewer. GET /ratings/0 (JSON), GET /health."""

import common

RATINGS = {"Reviewer1": 5, "Reviewer2": 4}


def main():
    args = common.arguments("ratings")
    common.serve("ratings", args.version, args.port, {
        "/ratings/0": lambda: (200, {"id": 0, "version": args.version, "ratings": RATINGS}),
        "/health": lambda: (200, {"status": "ratings is healthy", "version": args.version}),
    })


if __name__ == "__main__":
    main()
