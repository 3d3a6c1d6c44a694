"""The examples every command's --help ends with (as kubectl's and kompose's do). One table,
so a test can check that each command shows its examples and that they name real flags."""

from __future__ import annotations

EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "kctl": [
        ("kctl convert -f compose.yaml -o k8s/", "Compose -> manifests, one file per object"),
        ("kctl create . --explain", "what the folder is, and why"),
        ("kctl up --once", "build, push, deploy once (for CI)"),
        ("kctl upgrade plan --root /", "what a control-plane upgrade would do"),
    ],
    "pack": [("kctl pack list", "every pack"), ("kctl pack show python", "one pack")],
    "up": [
        ("kctl up", "build, push, deploy, then again on every change"),
        ("kctl up --once -o json", "one cycle, for CI"),
        ("kctl up -f compose.yaml --port-forward 8080:80", "a Compose project, a port published"),
        ("kctl up -e staging --target helm --registry ghcr.io/me", "the cluster in KUBECONFIG"),
    ],
    "down": [
        ("kctl down", "remove what kctl up deployed; named volumes are kept"),
        ("kctl down -e staging --volumes", "another environment, its volumes too"),
    ],
    "create": [
        ("kctl create --explain examples/apps/python-django", "what was detected, and why"),
        ("kctl create examples/apps/go --dry-run", "what would be written"),
        ("kctl create . --pack node --variable port=3000", "a chosen pack, a variable set"),
        ("kctl create . --deploy-type kustomize -o json", "base + overlays, a JSON report"),
    ],
    "upgrade": [
        ("kctl upgrade plan --root /", "what an upgrade would do, and whether it may"),
        ("kctl upgrade apply v1.31.14 --root / --dry-run", "diffs and phases, nothing written"),
        ("kctl upgrade apply v1.31.14 --root / -y", "backups, phases, health, rollback"),
    ],
    "upgrade plan": [
        ("kctl upgrade plan --root examples/kubeadm-node", "targets, skew, health, certs"),
        ("kctl upgrade plan v1.31.14 --root / -o json --fail-if-blocked", "for scripts"),
    ],
    "upgrade diff": [
        ("kctl upgrade diff v1.31.14 --root examples/kubeadm-node", "nothing written"),
        ("kctl upgrade diff v1.31.14 --root / -U 1", "one line of context"),
    ],
    "upgrade apply": [
        ("kctl upgrade apply v1.31.14 --root / --dry-run", "diffs and phases, nothing written"),
        ("kctl upgrade apply v1.31.14 --root / -y", "backups, phases, health, rollback"),
    ],
    "upgrade phase": [("kctl upgrade phase kube-apiserver v1.31.14 --root / -y", "one phase")],
    "upgrade rollback": [
        ("kctl upgrade rollback --root /", "restore an interrupted upgrade"),
        ("kctl upgrade rollback --root / -o json", "what was restored, for scripts"),
    ],
    "upgrade catalog": [
        ("kctl upgrade catalog", "the releases kctl knows, and their date"),
        ("kctl upgrade catalog -o yaml", "the catalog as data"),
    ],
    "upgrade catalog update": [
        ("kctl upgrade catalog update --from https://example.com/catalog.yaml", "a newer one"),
        ("kctl upgrade catalog update --from catalog.yaml --force", "even an older one"),
    ],
    "upgrade certs": [
        ("kctl upgrade certs check-expiration --root /", "expiry of every certificate and CA")
    ],
    "upgrade certs check-expiration": [
        ("kctl upgrade certs check-expiration --root /", "leaves, then CAs"),
        ("kctl upgrade certs check-expiration --root / -o json", "for scripts"),
    ],
    "upgrade node": [
        ("kctl upgrade node --dry-run", "what a secondary control plane or worker would do"),
        ("kctl upgrade node -y", "follow the cluster after `apply` on the first one"),
    ],
    "pack list": [("kctl pack list", "every pack"), ("kctl pack list -o json", "with variables")],
    "pack show": [
        ("kctl pack show python", "rules, images and templates of one pack"),
        ("kctl pack show python -o json", "its settings as data"),
    ],
    "version": [("kctl version -o json", "versions as JSON")],
}


def epilog(command: str) -> str:
    """The help epilog of a command: its examples, one per line (click keeps the lines)."""
    rows = EXAMPLES[command]
    width = max(len(cmd) for cmd, _ in rows) + 3
    lines = [f"  {cmd:<{width}}{what}" for cmd, what in rows]
    return "\b\nExamples:\n" + "\n".join(lines)
