"""Copy the files of an app that kctl create reads (text, under 32 KB) from a bare git mirror of
its repository into a corpus folder, with a SOURCE file naming repository, commit and folder.

    python scripts/vendor_corpus.py MIRROR.git SUBFOLDER tests/create/corpus/NAME OWNER/REPO

The app's own Dockerfile goes to NAME/reference/ (outside what kctl reads); larger files are
kept empty and listed in SOURCE. tests/create/corpus/README.md lists the apps and folders."""

import pathlib
import subprocess
import sys

mirror, sub, dest, repo = (
    sys.argv[1],
    sys.argv[2].strip("/"),
    pathlib.Path(sys.argv[3]),
    sys.argv[4],
)
git = ["git", "--git-dir", mirror]
commit = subprocess.check_output([*git, "rev-parse", "HEAD"], text=True).strip()
listing = subprocess.check_output(
    [*git, "ls-tree", "-r", "-l", "HEAD", *([sub + "/"] if sub else [])], text=True
)
SKIP_DIRS = {
    ".github",
    "node_modules",
    "vendor",
    ".idea",
    ".vscode",
    "docs",
    "test",
    "tests",
    "spec",
    "__tests__",
    ".devcontainer",
    "kubernetes-manifests",
    "helm-chart",
    "kustomize",
}
SKIP_EXT = {
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".ico",
    ".svg",
    ".woff",
    ".woff2",
    ".ttf",
    ".eot",
    ".jar",
    ".pdf",
    ".webp",
    ".mp4",
    ".zip",
    ".gz",
    ".map",
}
elided, kept = [], 0
for line in listing.splitlines():
    meta, path = line.split("\t", 1)
    mode, kind, sha, size = meta.split()
    if kind != "blob" or mode == "120000":
        continue
    rel = path[len(sub) + 1 :] if sub else path
    parts = rel.split("/")
    if any(p in SKIP_DIRS for p in parts[:-1]) or pathlib.PurePath(rel).suffix.lower() in SKIP_EXT:
        continue
    name = parts[-1]
    if name in ("Dockerfile", ".dockerignore") or name.startswith("Dockerfile."):
        if len(parts) > 1:
            continue
        target = dest / "reference" / rel
    else:
        target = dest / "app" / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    data = subprocess.check_output([*git, "cat-file", "-p", sha])
    if int(size) > 32_000:
        elided.append(f"{rel} ({int(size):,} bytes: content elided, presence kept)")
        data = b""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        continue
    target.write_bytes(data)
    if mode == "100755":
        target.chmod(0o755)
    kept += 1
(dest / "SOURCE").write_text(
    f"repository: https://github.com/{repo}\ncommit: {commit}\nfolder: {sub or '.'}\n"
    + "".join(f"elided: {e}\n" for e in elided)
)
print(dest.name, kept, "files", len(elided), "elided")
