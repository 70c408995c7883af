"""Make a published asv dashboard work without internet (the `publish` step of dashboard.py).

asv 0.6.6's index.html loads jQuery, flot, stupidtable, blueimp-md5 and Bootstrap from CDNs.
`make_offline` installs those libraries from the npm registry (pinned to the versions asv's
pages load) into a temporary folder, copies the files the pages need into <html_dir>/vendor/,
points the pages at the copies, and fails if the pages would still load anything from another
host. Nothing third-party is committed: the copies live only in the published, git-ignored folder.

It also makes the benchmark grid draw a dot for a benchmark with a single result: asv draws the
grid's plots as lines only, so with one recorded commit (a fresh machine) every box is blank.
"""

import base64
import hashlib
import html.parser
import json
import os
import re
import shutil
import tempfile


class Failure(Exception):
    pass


#: npm packages installed at publish time, pinned to the versions asv 0.6.6's pages load.
#: stupidtable 1.0.1 is not on npm; stupid-table-plugin 1.1.3 is its only release there and has
#: the same API asv uses (.stupidtable(sort_fns), .stupidsort(dir), the aftertablesort event).
PACKAGES = {
    "jquery": "3.3.1",
    "flot": "0.8.3",
    "flot-orderbars": "1.0.0",
    "stupid-table-plugin": "1.1.3",
    "blueimp-md5": "2.19.0",
    "bootstrap": "3.1.1",
}

#: The CDN URLs in asv 0.6.6's index.html -> (npm package, file inside it). npm's flot ships no
#: minified files, so the unminified source of the same release stands in for cdnjs' .min.js.
CDNJS = "https://cdnjs.cloudflare.com/ajax/libs"
JSDELIVR = "https://cdn.jsdelivr.net/npm"
CDN = {
    "https://code.jquery.com/jquery-3.3.1.min.js": ("jquery", "dist/jquery.min.js"),
    f"{CDNJS}/flot/0.8.3/jquery.flot.min.js": ("flot", "jquery.flot.js"),
    f"{CDNJS}/flot/0.8.3/jquery.flot.time.min.js": ("flot", "jquery.flot.time.js"),
    f"{CDNJS}/flot/0.8.3/jquery.flot.selection.min.js": ("flot", "jquery.flot.selection.js"),
    f"{CDNJS}/flot/0.8.3/jquery.flot.categories.min.js": ("flot", "jquery.flot.categories.js"),
    f"{JSDELIVR}/flot-orderbars@1.0.0/js/jquery.flot.orderBars.js": ("flot-orderbars", "js/jquery.flot.orderBars.js"),
    f"{CDNJS}/stupidtable/1.0.1/stupidtable.min.js": ("stupid-table-plugin", "stupidtable.min.js"),
    f"{CDNJS}/blueimp-md5/2.19.0/js/md5.min.js": ("blueimp-md5", "js/md5.min.js"),
    f"{JSDELIVR}/bootstrap@3.1.1/dist/js/bootstrap.min.js": ("bootstrap", "dist/js/bootstrap.min.js"),
    f"{JSDELIVR}/bootstrap@3.1.1/dist/css/bootstrap.min.css": ("bootstrap", "dist/css/bootstrap.min.css"),
}

#: Files copied besides those in CDN: what the copies refer to (Bootstrap's CSS loads its icon
#: font from ../fonts/) and each package's licence, which must travel with its code.
EXTRA_FILES = {
    "jquery": ["LICENSE.txt"],
    "flot": ["LICENSE.txt"],
    "flot-orderbars": [],  # ships no licence file; its header comment carries the notice
    "stupid-table-plugin": ["LICENSE"],
    "blueimp-md5": ["LICENSE.txt"],
    "bootstrap": ["LICENSE"] + [f"dist/fonts/glyphicons-halflings-regular.{ext}"
                                for ext in ("eot", "svg", "ttf", "woff")],
}

#: The grid's plot call in asv 0.6.6's summarygrid.js, and what goes before it so that a plot with
#: fewer than two points draws them as dots, halfway up the box (a line needs two points; flot
#: would put a lone point on the top edge). Plots of longer histories are unchanged.
GRID_PLOT = re.compile(r"\n([ \t]*)(var plot = \$\.plot\(\s*plot_div, \[\{data: data\}\], options\);)")
GRID_MARK = "/* dashboard.py: single points as dots */"
GRID_DOTS = (GRID_MARK + " var values = data.filter(function (p) { return p[1] !== null; });"
             " if (values.length < 2) { options.series.points = {show: true, radius: 3};"
             " if (values.length) { options.yaxis.max = 2 * Math.abs(values[0][1]) || 1; } }")

EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)  # http://, https://, //host, ...
ABSOLUTE_HTTP = re.compile(r"https?://[^\s\"'<>)]+", re.IGNORECASE)
LOADING_ATTRS = {"src", "srcset", "poster", "data", "background"}


def npm_install(prefix, run):
    npm = shutil.which("npm")
    if npm is None:
        raise Failure("npm not found: install Node.js and npm (Debian: apt-get install npm)")
    specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
    run([npm, "install", "--no-save", "--no-audit", "--no-fund", "--ignore-scripts",
         "--loglevel=error", "--prefix", prefix, *specs])
    for name, version in PACKAGES.items():
        with open(os.path.join(prefix, "node_modules", name, "package.json")) as f:
            got = json.load(f)["version"]
        if got != version:
            raise Failure(f"npm installed {name} {got}, expected {version}")


def vendor(modules, html_dir):
    """Copy the needed files to html_dir/vendor/<package>/<path>; return {cdn url: local path}."""
    wanted = {(pkg, path) for pkg, path in CDN.values()}
    wanted |= {(pkg, path) for pkg, paths in EXTRA_FILES.items() for path in paths}
    for pkg, path in sorted(wanted):
        src = os.path.join(modules, pkg, path)
        if not os.path.isfile(src):
            raise Failure(f"{pkg}@{PACKAGES[pkg]} has no file {path}")
        dst = os.path.join(html_dir, "vendor", pkg, path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst)
    return local_paths()


def local_paths():
    """{CDN url: the path of its copy, relative to the published folder}."""
    return {url: f"vendor/{pkg}/{path}" for url, (pkg, path) in CDN.items()}


def sri(path, algorithm):
    """The subresource-integrity value of a file ("sha384-...")."""
    with open(path, "rb") as f:
        digest = hashlib.new(algorithm, f.read()).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def rewrite_html(text, local, integrity_of):
    """Point the <script src> and <link href> of a page at the local copies.

    `local` maps CDN URLs to local paths; `integrity_of(path, algorithm)` gives the integrity
    value of a local copy. A tag's integrity attribute is kept where the copy is byte-identical
    to the CDN file (the browser then checks it) and dropped where it is not (npm's flot is
    unminified, stupidtable is a later release). Returns the new text and one note per tag."""
    notes = []

    def one_tag(match):
        tag = match.group(0)
        attr = re.search(r'\b(?:src|href)="([^"]+)"', tag)
        if not attr or attr.group(1) not in local:
            return tag
        url, path = attr.group(1), local[attr.group(1)]
        tag = tag.replace(f'"{url}"', f'"{path}"')
        integrity = re.search(r'\s+integrity="(sha256|sha384|sha512)-[^"]*"', tag)
        note = "no integrity attribute"
        if integrity:
            if integrity.group(0).split('"')[1] == integrity_of(path, integrity.group(1)):
                note = "identical to the CDN file, integrity kept"
            else:
                tag = tag.replace(integrity.group(0), "")
                note = "differs from the CDN build, integrity dropped"
        notes.append(f"{url}\n      -> {path} ({note})")
        return tag

    new = re.sub(r"<(?:script|link)\b[^>]*>", one_tag, text, flags=re.IGNORECASE)
    return new, notes


def patch_summary_grid(text):
    """summarygrid.js with single-point plots drawn as dots; (text, whether it is patched)."""
    if GRID_MARK in text:
        return text, True
    if len(GRID_PLOT.findall(text)) != 1:
        return text, False
    return GRID_PLOT.sub(lambda m: f"\n{m.group(1)}{GRID_DOTS}\n{m.group(1)}{m.group(2)}", text), True


class _Loads(html.parser.HTMLParser):
    """Collects the URLs a page loads (src=..., <link href>, CSS url()) and those it links to."""

    def __init__(self):
        super().__init__()
        self.loads, self.links, self.in_style = [], [], False

    def handle_starttag(self, tag, attrs):
        self.in_style = tag == "style"
        for name, value in attrs:
            if not value:
                continue
            if name in LOADING_ATTRS or (name == "href" and tag in ("link", "base")):
                self.loads.append(value)
            elif name == "href":
                self.links.append(value)
            elif name == "style":
                self.loads.extend(css_urls(value))

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.loads.extend(css_urls(data))


def css_urls(css):
    found = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
    found += re.findall(r"@import\s+['\"]([^'\"]+)", css)
    return found


def strip_banner(code):
    """Drop the comments at the very top of a JS/CSS file (licence banners name home pages)."""
    while True:
        code = code.lstrip()
        if code.startswith("/*") and "*/" in code:
            code = code[code.index("*/") + 2:]
        elif code.startswith("//"):
            code = code.partition("\n")[2]
        else:
            return code


def external_loads(html_dir):
    """Every external URL the published pages would load, as (file, url), and the pages'
    external hyperlinks (clicked, not loaded), as (file, url)."""
    loads, links = [], []
    for root, _, files in os.walk(html_dir):
        for name in files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, html_dir)
            ext = os.path.splitext(name)[1].lower()
            if ext not in (".html", ".htm", ".js", ".css"):
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            if ext in (".html", ".htm"):
                parser = _Loads()
                parser.feed(text)
                loads += [(rel, u) for u in parser.loads if EXTERNAL.match(u)]
                links += [(rel, u) for u in parser.links if EXTERNAL.match(u)]
                for script in re.findall(r"<script\b[^>]*>(.*?)</script>", text, re.DOTALL | re.IGNORECASE):
                    loads += [(rel, u) for u in ABSOLUTE_HTTP.findall(script)]
            elif ext == ".css":
                loads += [(rel, u) for u in css_urls(strip_banner(text)) if EXTERNAL.match(u)]
            else:
                loads += [(rel, u) for u in ABSOLUTE_HTTP.findall(strip_banner(text))]
    return loads, links


def make_offline(html_dir, run):
    """Vendor the CDN libraries into an `asv publish`ed folder and check it loads nothing else.

    `run(cmd)` runs a command and raises Failure if it fails."""
    if not os.path.isfile(os.path.join(html_dir, "index.html")):
        raise Failure(f"no {html_dir}/index.html: `asv publish` did not publish")
    with tempfile.TemporaryDirectory(prefix="asv-vendor-") as prefix:
        npm_install(prefix, run)
        local = vendor(os.path.join(prefix, "node_modules"), html_dir)

    def integrity_of(path, algorithm):
        return sri(os.path.join(html_dir, path), algorithm)

    for root, _, files in os.walk(html_dir):
        for name in files:
            if name.lower().endswith((".html", ".htm")):
                page = os.path.join(root, name)
                with open(page, encoding="utf-8") as f:
                    text = f.read()
                new, notes = rewrite_html(text, local, integrity_of)
                for note in notes:
                    print(f"  {os.path.relpath(page, html_dir)}: {note}")
                if new != text:
                    with open(page, "w", encoding="utf-8") as f:
                        f.write(new)

    grid = os.path.join(html_dir, "summarygrid.js")
    with open(grid, encoding="utf-8") as f:
        text = f.read()
    new, patched = patch_summary_grid(text)
    if patched:
        with open(grid, "w", encoding="utf-8") as f:
            f.write(new)
        print("  summarygrid.js: grid plots with a single point draw it as a dot")
    else:
        print("  note: summarygrid.js changed in this asv; single-point grid plots stay blank")

    loads, links = external_loads(html_dir)
    for page, url in links:
        print(f"  note: {page} links to {url} (a hyperlink, not loaded)")
    if loads:
        listing = "\n".join(f"  {page}: {url}" for page, url in loads)
        raise Failure("the published dashboard still loads from other hosts "
                      f"(asv's pages changed? extend CDN in {__file__}):\n{listing}")
