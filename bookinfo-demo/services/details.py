#!/usr/bin/env python3
"""bookinfo details: the book's facts. GET /details/0 (JSON), GET /health."""

import common

BOOK = {
    "id": 0,
    "title": "The Comedy of Errors",
    "author": "William Shakespeare",
    "year": 1595,
    "type": "paperback",
    "pages": 200,
    "publisher": "PublisherA",
    "language": "English",
}


def main():
    args = common.arguments("details")
    common.serve("details", args.version, args.port, {
        "/details/0": lambda: (200, dict(BOOK, version=args.version)),
        "/health": lambda: (200, {"status": "details is healthy", "version": args.version}),
    })


if __name__ == "__main__":
    main()
