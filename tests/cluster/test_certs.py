"""Certificates: plan shows what apply renews, check-expiration, renewal rolled back on failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography import x509

from kctl.cli.main import main
from kctl.cluster.renew import plan_renewals
from tests.cluster.nodes import NodeSpec, make_node, snapshot_files
from tests.cluster.pki import make_pki

pytestmark = pytest.mark.unit

PKI = "etc/kubernetes/pki"


@pytest.fixture
def node(tmp_path: Path) -> Path:
    root = make_node(tmp_path / "n", NodeSpec())
    make_pki(root, apiserver_days=13, etcd_ca_key=False)
    return root


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_renewal_keeps_key_sans_usages_and_is_signed_by_the_ca(node: Path) -> None:
    renewals = {r.name: r for r in plan_renewals(node)}
    apiserver = renewals["apiserver"]
    assert apiserver.rendered is not None and apiserver.new_expires is not None
    old = _cert(node / PKI / "apiserver.crt")
    new = x509.load_pem_x509_certificate(apiserver.rendered.new)
    ca = _cert(node / PKI / "ca.crt")
    new.verify_directly_issued_by(ca)
    assert new.public_key() == old.public_key()  # the key is kept
    assert new.subject == old.subject
    for ext in (x509.SubjectAlternativeName, x509.ExtendedKeyUsage, x509.KeyUsage):
        assert new.extensions.get_extension_for_class(ext) == old.extensions.get_extension_for_class(ext)  # fmt: skip
    days = (new.not_valid_after_utc - new.not_valid_before_utc).days
    assert 364 <= days <= 366
    assert new.serial_number != old.serial_number
    # no etcd CA key: the etcd leaves are externally managed, not renewed
    assert renewals["etcd/server"].rendered is None
    assert "externally managed" in renewals["etcd/server"].reason
    assert renewals["apiserver-etcd-client"].rendered is None


def test_plan_shows_what_apply_renews(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["upgrade", "plan", "--root", str(node), "--no-health", "-o", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    renew = {c["name"]: c for c in plan["certificateRenewals"]}
    assert renew["apiserver"]["renew"] is True
    assert renew["front-proxy-client"]["renew"] is True
    assert renew["etcd/server"]["renew"] is False
    assert [c["name"] for c in plan["certificates"]] == ["apiserver"]  # expires in 13 days
    assert main(["upgrade", "plan", "--root", str(node), "--no-health"]) == 0
    out = capsys.readouterr().out
    assert "Certificates apply renews" in out
    assert "--certificate-renewal=false" in out


def test_check_expiration(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["upgrade", "certs", "check-expiration", "--root", str(node)]) == 0
    out = capsys.readouterr().out
    assert "CERTIFICATE" in out and "RESIDUAL TIME" in out and "EXTERNALLY MANAGED" in out
    assert "!MISSING!" in out  # admin.conf and the other kubeconfigs are not in this node
    args = ["upgrade", "certs", "check-expiration", "--root", str(node), "-o", "json"]
    assert main(args) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["kind"] == "CertificateExpirationInfo"
    rows = {c["name"]: c for c in info["certificates"]}
    assert rows["apiserver"]["residualTime"] in ("12d", "13d")
    assert rows["apiserver"]["externallyManaged"] is False
    assert rows["etcd-server"]["externallyManaged"] is True  # etcd CA key absent
    assert rows["admin.conf"]["missing"] is True
    cas = {c["name"]: c for c in info["certificateAuthorities"]}
    assert set(cas) == {"ca", "etcd-ca", "front-proxy-ca"}


def test_renewed_certificates_are_rolled_back_with_the_rest(
    node: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing runs this node's components: the kube-apiserver phase times out and every file
    it wrote, the renewed certificates included, is restored byte for byte."""
    before = snapshot_files(node)
    args = ["upgrade", "phase", "kube-apiserver", "v1.30.14", "--root", str(node), "-y"]
    args += ["--force", "--no-etcd-backup", "--timeout", "1", "--probe-timeout", "0.2"]
    assert main([*args, "-o", "json"]) == 1
    captured = capsys.readouterr()
    assert "renewed apiserver" in captured.err
    assert "restored etc/kubernetes/pki/apiserver.crt" in captured.err
    after = {k: v for k, v in snapshot_files(node).items() if "/tmp/" not in k}
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
    assert json.loads(captured.out)["renewedCertificates"] == []
    [backup] = (node / "etc/kubernetes/tmp").glob("kubeadm-backup-manifests-*")
    assert (backup / PKI / "apiserver.crt").read_bytes() == before[f"{PKI}/apiserver.crt"][0]


def test_certificate_renewal_false_opts_out(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["upgrade", "phase", "kube-apiserver", "v1.30.14", "--root", str(node), "-y"]
    args += ["--force", "--no-etcd-backup", "--timeout", "1", "--probe-timeout", "0.2"]
    assert main([*args, "--certificate-renewal=false"]) == 1
    err = capsys.readouterr().err
    assert "renewed" not in err
    assert "pki/apiserver.crt" not in err


def test_kubeconfig_client_certificates_are_renewed_in_place(node: Path) -> None:
    import base64

    import yaml

    from tests.cluster.pki import make_kubeconfig

    pki = node / PKI
    ca = (_cert(pki / "ca.crt"), None)
    from cryptography.hazmat.primitives import serialization

    ca_key = serialization.load_pem_private_key((pki / "ca.key").read_bytes(), None)
    path = make_kubeconfig(node, "controller-manager.conf", (ca[0], ca_key), "system:kube-controller-manager", None)  # fmt: skip
    renewal = {r.name: r for r in plan_renewals(node)}["controller-manager.conf"]
    assert renewal.component == "kube-controller-manager" and renewal.rendered is not None
    old, new = path.read_text(), renewal.rendered.new.decode()
    changed = [(a, b) for a, b in zip(old.splitlines(), new.splitlines(), strict=True) if a != b]
    assert len(changed) == 1 and "client-certificate-data" in changed[0][0]  # key kept
    user = yaml.safe_load(new)["users"][0]["user"]
    cert = x509.load_pem_x509_certificate(base64.b64decode(user["client-certificate-data"]))
    cert.verify_directly_issued_by(ca[0])
    assert cert.subject.rfc4514_string() == "CN=system:kube-controller-manager"
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days >= 364
    from kctl.cluster.certs import check_expiration

    leaves, _ = check_expiration(node / "etc/kubernetes")
    row = {c.name: c for c in leaves}["controller-manager.conf"]
    assert (
        row.expires
        == x509.load_pem_x509_certificate(
            base64.b64decode(yaml.safe_load(old)["users"][0]["user"]["client-certificate-data"])
        ).not_valid_after_utc
    )
