"""Lighthouse scores of every page type, against a running site.

    .venv/bin/python bench/lighthouse.py [--base http://127.0.0.1:8000] [--desktop] [PATH ...]

Lighthouse 12.2.3 (13.x wants Node 22) is installed with npm into var/tools/ the first time, and drives Debian's
Chromium (/usr/bin/chromium). Prints one line per page: performance, accessibility, best practices and SEO out of
100, and for a page below 100 the audits that did not pass. A page Lighthouse could not score (a run cut short on a busy machine)
is tried once more. Exits 1 when any score is below 100.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "var" / "tools"
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
PAGES = ["/", "/osts/", "/osts/once-again/", "/groups/", "/groups/stray-kids/", "/members/winter/", "/shows/",
         "/shows/our-blues/", "/timeline/"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def install():
    if not LIGHTHOUSE.exists():
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "i", "-E", "lighthouse@12.2.3", "--prefix", str(TOOLS), "--no-audit", "--no-fund",
                        "--silent"], check=True)


def report(url, desktop):
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "report.json"
        command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={output}",
                   "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
        if desktop:
            command.append("--preset=desktop")
        subprocess.run(command, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"}, timeout=180,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.loads(output.read_text()) if output.exists() else None


def scores(result):
    values = [result["categories"][name]["score"] for name in CATEGORIES] if result else [None]
    return None if None in values else [round(value * 100) for value in values]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--desktop", action="store_true", help="Lighthouse's desktop profile (default: mobile)")
    parser.add_argument("paths", nargs="*", default=PAGES)
    args = parser.parse_args()
    install()
    print(f"Lighthouse 12.2.3, {'desktop' if args.desktop else 'mobile'} profile: "
          + " / ".join(CATEGORIES))
    perfect = True
    for path in args.paths:
        result = report(args.base + path, args.desktop)
        if scores(result) is None:
            result = report(args.base + path, args.desktop)
        page_scores = scores(result)
        perfect &= page_scores == [100] * len(CATEGORIES)
        print(f"{path:28} {' / '.join(map(str, page_scores)) if page_scores else 'not scored'}")
        audits = (result or {}).get("audits", {}) if page_scores != [100] * len(CATEGORIES) else {}
        for name, audit in audits.items():
            if audit.get("score") is not None and audit["score"] < 1 and audit.get("scoreDisplayMode") != "informative":
                print(f"{'':28}   {name}: {audit['title']}")
    return 0 if perfect else 1


if __name__ == "__main__":
    sys.exit(main())
