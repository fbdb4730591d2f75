"""Data Docs that work without the internet.

GX's pages load jQuery, Bootstrap, bootstrap-table, Vega and Font Awesome from public CDNs and
its logo from S3. A warehouse host without internet access (ours has only package registries)
shows broken pages with script errors. The same files are fetched once from the npm registry
with `npm pack` (cached in `data_quality/vendor/`, git-ignored, and unpacked there once),
copied into the site's `static/vendor/`, and every page is rewritten to load them from
there. Without npm the pages keep their CDN links, which work wherever the internet is
reachable.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

VENDOR_CACHE = Path(__file__).resolve().parent / "vendor"

# CDN address -> (npm package@version, path inside the package).
CDN_FILES: dict[str, tuple[str, str]] = {
    "https://code.jquery.com/jquery-3.7.1.min.js": ("jquery@3.7.1", "dist/jquery.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        "popper.js@1.12.9",
        "dist/umd/popper.min.js",
    ),
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap@4.3.1",
        "dist/css/bootstrap.min.css",
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap@4.3.1",
        "dist/js/bootstrap.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table@1.19.1",
        "dist/bootstrap-table.min.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table@1.19.1",
        "dist/bootstrap-table.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": (
        "bootstrap-table@1.19.1",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css": (
        "bootstrap-table@1.19.0",
        "dist/extensions/filter-control/bootstrap-table-filter-control.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": (
        "bootstrap-table@1.19.0",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": (
        "bootstrap-datepicker@1.9.0",
        "dist/css/bootstrap-datepicker.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": (
        "bootstrap-datepicker@1.9.0",
        "dist/js/bootstrap-datepicker.min.js",
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": (
        "@forevolve/bootstrap-dark@1.1.0",
        "dist/css/bootstrap-prefers-dark.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "@fortawesome/fontawesome-free@6.6.0",
        "css/all.min.css",
    ),
    "https://cdn.jsdelivr.net/npm/vega@5": ("vega@5.33.1", "build/vega.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-lite@5": ("vega-lite@5.23.0", "build/vega-lite.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-embed@6": ("vega-embed@6.29.0", "build/vega-embed.min.js"),
}
# Folders a vendored file refers to relatively (Font Awesome's CSS loads ../webfonts/).
COMPANION_FOLDERS: dict[str, tuple[str, ...]] = {
    "@fortawesome/fontawesome-free@6.6.0": ("webfonts",),
}
_S3_LOGO = re.compile(r"https://great-expectations-web-assets\.s3[^\"']*/logo-long\.png[^\"']*")
# GX links a validation page's favicon one folder too shallow (it counts the run folders wrong).
_FAVICON = re.compile(r'href="[./]*static/images/favicon\.ico"')
# Subresource-integrity and CORS attributes are for CDN copies; a file:// page would refuse them.
_SRI_ATTRIBUTES = re.compile(r'\s+(integrity|crossorigin)="[^"]*"')


def _tarball_name(spec: str) -> str:
    """`npm pack @scope/name@1.0.0` writes `scope-name-1.0.0.tgz`."""
    name, version = spec.rsplit("@", 1)
    return f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"


def fetch_packages(cache: Path = VENDOR_CACHE) -> bool:
    """Download every needed npm tarball into `cache`; False (and a warning) without npm.

    Several processes may build Data Docs at once (parallel checks, test workers): one holds
    the lock and downloads into a scratch folder, then moves each tarball in whole.
    """
    specs = sorted({spec for spec, _ in CDN_FILES.values()})
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = [spec for spec in specs if not (cache / _tarball_name(spec)).exists()]
        if not missing:
            return True
        npm = shutil.which("npm")
        if npm is None:
            log.warning("npm not found: Data Docs keep their CDN links (they need the internet)")
            return False
        with tempfile.TemporaryDirectory(dir=cache) as scratch:
            result = subprocess.run(
                [npm, "pack", "--silent", *missing],
                cwd=scratch,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                log.warning("npm pack failed, Data Docs keep CDN links: %s", result.stderr[-500:])
                return False
            for spec in missing:
                os.replace(Path(scratch) / _tarball_name(spec), cache / _tarball_name(spec))
    return True


def _extract(cache: Path, spec: str, members: list[str], target: Path) -> None:
    with tarfile.open(cache / _tarball_name(spec)) as archive:
        for member in archive.getmembers():
            inner = member.name.removeprefix("package/")
            if member.isfile() and any(inner == m or inner.startswith(m + "/") for m in members):
                destination = target / inner
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as source:  # type: ignore[union-attr]
                    destination.write_bytes(source.read())


def _unpacked(cache: Path, spec: str, members: list[str]) -> Path:
    """The package's wanted files, unpacked once into the cache: a new site (every test's,
    a new warehouse's) copies them from there instead of decompressing the tarballs again
    (~0.5 s, Vega's and Font Awesome's). Checked and unpacked under the cache's lock, each
    member moved into place whole, so no process copies a file still being written, and an
    interrupted unpacking leaves nothing that looks complete."""
    folder = cache / "unpacked" / spec.replace("/", "__")
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = [m for m in members if not (folder / m).exists()]
        if missing:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=folder.parent) as scratch:
                _extract(cache, spec, missing, Path(scratch))
                for member in missing:
                    (folder / member).parent.mkdir(parents=True, exist_ok=True)
                    os.replace(Path(scratch) / member, folder / member)
    return folder


def install_assets(docs_dir: Path, cache: Path = VENDOR_CACHE) -> dict[str, Path]:
    """Copy the vendored files into the site; the local path of every CDN address."""
    vendor = docs_dir / "static" / "vendor"
    local: dict[str, Path] = {}
    wanted: dict[str, list[str]] = {}
    for url, (spec, member) in CDN_FILES.items():
        wanted.setdefault(spec, list(COMPANION_FOLDERS.get(spec, ()))).append(member)
        local[url] = vendor / spec.replace("/", "__") / member
    for spec, members in wanted.items():
        target = vendor / spec.replace("/", "__")
        missing = [m for m in members if not (target / m).exists()]
        if missing:
            _copy_members(_unpacked(cache, spec, members), missing, target)
    return local


def _copy_members(source: Path, members: list[str], target: Path) -> None:
    for member in members:
        if (source / member).is_dir():
            shutil.copytree(source / member, target / member, dirs_exist_ok=True)
        else:
            (target / member).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / member, target / member)


def localise_page(page: Path, local: dict[str, Path], logo: Path) -> None:
    """Point one page's CDN links at the vendored copies."""
    html = page.read_text(encoding="utf-8")
    original = html
    for url, path in local.items():
        if url in html:
            html = html.replace(f'"{url}"', f'"{os.path.relpath(path, page.parent)}"')
    html = _S3_LOGO.sub(os.path.relpath(logo, page.parent), html)
    html = re.sub(
        r"<script[^>]*>",
        lambda tag: (
            _SRI_ATTRIBUTES.sub("", tag.group(0)) if "vendor/" in tag.group(0) else tag.group(0)
        ),
        html,
    )
    if html != original:
        page.write_text(html, encoding="utf-8")


def fix_favicon_links(docs_dir: Path) -> None:
    """Point every page's favicon link at the site's favicon, relative to the page."""
    favicon = docs_dir / "static" / "images" / "favicon.ico"
    for page in docs_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        fixed = _FAVICON.sub(f'href="{os.path.relpath(favicon, page.parent)}"', html)
        if fixed != html:
            page.write_text(fixed, encoding="utf-8")


def make_offline(docs_dir: Path, cache: Path = VENDOR_CACHE) -> bool:
    """Rewrite every page of the site to load its assets locally. False when npm is missing."""
    fix_favicon_links(docs_dir)
    if not fetch_packages(cache):
        return False
    local = install_assets(docs_dir, cache)
    logo = docs_dir / "static" / "images" / "logo-long.png"
    for page in docs_dir.rglob("*.html"):
        localise_page(page, local, logo)
    return True
