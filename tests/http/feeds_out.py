#!/usr/bin/env python3
# tests/http/feeds_out.py - reads meldung's feeds as a feed reader does, for
# tests/http/feeds_out.t. For each URL given it prints, as one JSON object
# keyed by URL, what a client sees:
#
#   RSS and Atom (.xml): the document through Python's strict XML parser
#   (well-formed or the error), then through feedparser (the Universal Feed
#   Parser, Debian's python3-feedparser) fetching the URL itself: bozo, the
#   version it recognised, and per entry title, link, id, published and
#   updated (Unix time), tags, enclosures, media:content.
#
#   JSON Feed (.json): feedparser 6.0 has no JSON Feed reader, so the
#   document is checked against the JSON Feed 1.1 specification's
#   required members and types here (errors listed), and the same entry
#   fields are reported.
#
# Usage: feeds_out.py URL...   (exit status 2 when feedparser is missing)
import calendar
import json
import re
import sys
import urllib.request
import xml.dom.minidom
from datetime import datetime

try:
    import feedparser
except ImportError:
    print("feedparser missing", file=sys.stderr)
    sys.exit(2)

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def epoch(st):
    return calendar.timegm(st) if st else None


def iso_epoch(s):
    if not isinstance(s, str) or not RFC3339.match(s):
        return None
    return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read(), r.headers.get("Content-Type", "")


def read_xml(url):
    body, ctype = fetch(url)
    out = {"content_type": ctype}
    try:
        xml.dom.minidom.parseString(body)
        out["well_formed"] = True
    except Exception as e:  # expat's message: line and column
        out["well_formed"] = False
        out["xml_error"] = str(e)
    d = feedparser.parse(url)
    out["bozo"] = bool(d.bozo)
    if d.bozo:
        out["bozo_exception"] = str(d.get("bozo_exception"))
    out["version"] = d.version
    out["title"] = d.feed.get("title")
    out["link"] = d.feed.get("link")
    out["entries"] = [
        {
            "title": e.get("title"),
            "link": e.get("link"),
            "id": e.get("id"),
            "published": epoch(e.get("published_parsed")),
            "updated": epoch(e.get("updated_parsed")),
            "tags": [t.get("term") for t in e.get("tags", [])],
            "author": e.get("author"),
            "summary": e.get("summary"),
            "content": (e.get("content") or [{}])[0].get("value"),
            "enclosures": [x.get("href") for x in e.get("enclosures", [])],
            "media": [
                {k: m.get(k) for k in ("url", "width", "height", "medium")}
                for m in e.get("media_content", [])
            ],
        }
        for e in d.entries
    ]
    return out


def check_json(doc, errors):
    def need(cond, msg):
        if not cond:
            errors.append(msg)

    need(isinstance(doc, dict), "top level is not an object")
    if not isinstance(doc, dict):
        return
    need(doc.get("version") == "https://jsonfeed.org/version/1.1", "version is not 1.1")
    need(isinstance(doc.get("title"), str) and doc["title"], "title missing")
    for k in ("home_page_url", "feed_url", "description", "language"):
        need(k not in doc or isinstance(doc[k], str), k + " is not a string")
    for a in doc.get("authors", []):
        need(isinstance(a, dict) and any(k in a for k in ("name", "url", "avatar")),
             "an author has no name, url or avatar")
    items = doc.get("items")
    need(isinstance(items, list), "items missing")
    ids = set()
    for i, it in enumerate(items or []):
        w = "items[%d]" % i
        need(isinstance(it.get("id"), str) and it["id"], w + ": id missing")
        need(it.get("id") not in ids, w + ": id repeated")
        ids.add(it.get("id"))
        need(isinstance(it.get("content_html"), str) or isinstance(it.get("content_text"), str),
             w + ": neither content_html nor content_text")
        for k in ("url", "external_url", "title", "summary", "image", "language"):
            need(k not in it or isinstance(it[k], str), w + ": " + k + " is not a string")
        for k in ("date_published", "date_modified"):
            need(k not in it or iso_epoch(it[k]) is not None, w + ": " + k + " is not RFC 3339")
        need(all(isinstance(t, str) for t in it.get("tags", [])), w + ": a tag is no string")
        for a in it.get("attachments", []):
            need(isinstance(a.get("url"), str) and isinstance(a.get("mime_type"), str),
                 w + ": attachment without url or mime_type")
            need("size_in_bytes" not in a or isinstance(a["size_in_bytes"], int),
                 w + ": size_in_bytes is no number")


def read_json(url):
    body, ctype = fetch(url)
    out = {"content_type": ctype, "errors": []}
    try:
        doc = json.loads(body.decode("utf-8"))
    except Exception as e:
        out["errors"].append("not JSON: %s" % e)
        return out
    check_json(doc, out["errors"])
    out["version"] = doc.get("version")
    out["title"] = doc.get("title")
    out["link"] = doc.get("home_page_url")
    out["entries"] = [
        {
            "title": it.get("title"),
            "link": it.get("url"),
            "external_url": it.get("external_url"),
            "id": it.get("id"),
            "published": iso_epoch(it.get("date_published")),
            "updated": iso_epoch(it.get("date_modified")),
            "tags": it.get("tags", []),
            "author": ((it.get("authors") or [{}])[0]).get("name"),
            "summary": it.get("summary"),
            "content": it.get("content_html"),
            "image": it.get("image"),
            "enclosures": [a.get("url") for a in it.get("attachments", [])],
        }
        for it in doc.get("items", [])
    ]
    return out


result = {}
for url in sys.argv[1:]:
    path = url.split("?")[0]
    result[url] = read_json(url) if path.endswith(".json") else read_xml(url)
print(json.dumps(result))
