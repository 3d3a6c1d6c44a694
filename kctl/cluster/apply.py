"""`kctl upgrade apply` and `kctl upgrade phase`: preflight, backup, component phases, rollback.

Order (kubeadm's): preflight -> backup -> etcd -> kube-apiserver -> kube-controller-manager ->
kube-scheduler -> upload-config -> kubelet-config -> addons.

Safety:
- a lock file (etc/kubernetes/tmp/kctl-upgrade.lock, created with O_EXCL) is also the journal:
  it names the backup dir and the phases done, so `kctl upgrade rollback` can restore a node
  whose upgrade was killed half-way;
- every file that may change is copied into the backup dir before anything is written, plus a
  verified etcd snapshot; writes are atomic (kctl.fsio.write_file);
- a component that does not answer healthy at the target version within --timeout is restored
  from the backup, and so is every component upgraded before it (the node never stays
  half-upgraded); then kctl waits for them to be healthy again and exits 1.

Test hook: KCTL_UPGRADE_CRASH_AFTER=<phase> makes the process SIGKILL itself right after that
phase finished (used by the crash-between-phases tests; never set it in production).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from msgspec import Struct, field

from kctl.cluster import health as health_mod
from kctl.cluster import preflight as preflight_mod
from kctl.cluster import proof
from kctl.cluster.backup import Backup
from kctl.cluster.catalog import Catalog, Version, unstable_refusal
from kctl.cluster.corefile import CorefileVerdict
from kctl.cluster.etcd import etcd_for
from kctl.cluster.flags import Skips
from kctl.cluster.interrupts import (
    Signalled,
    UpgradeInterruptedError,
    signals_ignored,
    signals_interrupt,
)
from kctl.cluster.lock import LOCK_NAME, Journal
from kctl.cluster.names import NODE_PHASES, PHASES
from kctl.cluster.node import TMP_DIR, Node, load_node
from kctl.cluster.objects import ObjectRef, ObjectStore, is_object
from kctl.cluster.patches import node_patches
from kctl.cluster.phases import (
    EXTERNAL_ETCD,
    PHASE_TABLE,
    Outcome,
    PhaseContext,
    addons_wait,
    expected_version,
    phase_files,
)
from kctl.cluster.policy import (
    Preflight,
    lock_findings,
)
from kctl.cluster.render import Rendered, render_all, unupgraded_control_planes
from kctl.cluster.renew import Renewal, plan_renewals
from kctl.cluster.roles import require_control_plane
from kctl.cluster.runbook import Invocation
from kctl.errors import InputError, OperationError, PreconditionError
from kctl.fsio import write_file
from kctl.progress import Progress

CRASH_HOOK = "KCTL_UPGRADE_CRASH_AFTER"
SIGNAL_HOOK = "KCTL_UPGRADE_SIGNAL_AFTER"  # tests: "<phase>:SIGTERM" signals itself after it


class ApplyOptions(Struct):
    target: Version
    timeout: float = 300.0
    poll: float = 0.5
    probe_timeout: float = 2.0
    backup_root: Path | None = None
    etcd_endpoint: str | None = None
    etcd_backup: bool = True
    force: bool = False
    kubeconfig: Path | None = None
    catalog_file: Path | None = None
    kubelet_version: str | None = None
    certificate_renewal: bool = True
    config: Path | None = None  # --config: a ClusterConfiguration kctl reads, never writes
    mode: str = "apply"  # or "node": kubeadm upgrade node (secondary control planes, workers)
    etcd_upgrade: bool = True  # --etcd-upgrade=false: the etcd phase leaves etcd as it is
    skips: Skips = field(default_factory=Skips)  # --skip-phases
    ignore: frozenset[str] = frozenset()  # --ignore-preflight-errors
    patches: Path | None = None  # --patches DIR (kubeadm's patch files for the static pods)
    allow_experimental_upgrades: bool = False  # alpha, beta and rc targets
    allow_release_candidate_upgrades: bool = False  # rc targets


class Upgrader:
    """Runs phases against one node, reporting through a Progress."""

    def __init__(
        self,
        root: Path,
        catalog: Catalog,
        opts: ApplyOptions,
        progress: Progress,
        node: Node | None = None,
    ) -> None:
        refusal = unstable_refusal(
            opts.target, opts.allow_experimental_upgrades, opts.allow_release_candidate_upgrades
        )
        if refusal:
            raise PreconditionError(refusal, hint="--force does not override this")
        self.root = root
        self.catalog = catalog
        self.opts = opts
        self.progress = progress
        self.node: Node = node or load_node(
            root, opts.kubelet_version, opts.kubeconfig, opts.config
        )
        if opts.mode == "apply":
            require_control_plane(self.node)
        self.phase_list: tuple[str, ...] = PHASES if opts.mode == "apply" else NODE_PHASES
        # asked after the preflight passed, before anything is written (kubeadm's [y/N])
        self.confirm: Callable[[], None] | None = None
        self.store = (
            ObjectStore(self.node.api, self.node.cluster) if self.node.cluster is not None else None
        )
        self.invocation = Invocation(root, opts.catalog_file, opts.kubeconfig, opts.kubelet_version)
        patches = node_patches(opts.patches, self.node.pods, progress)
        rendered = render_all(self.node, catalog, opts.target, patches)
        self.rendered = [self._kept(r) for r in rendered]
        self.renewals = plan_renewals(root) if opts.certificate_renewal else []
        self.tmp = root / TMP_DIR
        self.journal = Journal(self.tmp / LOCK_NAME)
        self.saved = Backup(root, self.node, self.store)  # the backup, once taken
        self.outcome = Outcome(opts.target)
        self.upgraded: list[Rendered] = []  # written so far, for rollback
        self._mark = time.monotonic()  # when the current phase started
        self.first_write: float | None = None  # seconds since boot of the first manifest write

    def _kept(self, item: Rendered) -> Rendered:
        """--etcd-upgrade=false and --skip-phases addon/NAME: that file stays as it is."""
        skipped_addon = any(
            item.phase == "addons" and addon.file.rel == item.rel
            for name, addon in self.node.addons.items()
            if name in self.opts.skips.addons
        )
        if (item.phase == "etcd" and not self.opts.etcd_upgrade) or skipped_addon:
            return Rendered(item.rel, item.old, item.old, item.phase)
        return item

    def skipped(self, phase: str) -> str | None:
        """Why a phase is skipped by an option (None: it runs)."""
        if phase == "etcd" and not self.opts.etcd_upgrade:
            return "skipped (--etcd-upgrade=false)"
        if phase in self.opts.skips.phases:
            return "skipped (--skip-phases)"
        return None

    # preflight -------------------------------------------------------------------------
    def preflight_report(self, phases: list[str]) -> Preflight:
        """Every preflight check for running `phases`, read-only (preflight.collect)."""
        return preflight_mod.collect(self, phases)

    def _snapshot_wanted(self, phases: list[str]) -> bool:
        return preflight_mod.snapshot_wanted(self.node, self.opts.etcd_backup, phases)

    def preflight(self, phases: list[str]) -> None:
        """Run the preflight; exit 3 on anything --force may not (or was not asked to) override."""
        report = self.preflight_report(phases)
        plan = self.invocation.command("plan")
        report.enforce(self.opts.force, f"the upgrade to {self.opts.target}", plan)
        overridden = report.overridden(self.opts.force)
        for finding in overridden:
            how = "--force overrides" if finding.overridable and self.opts.force else "ignored"
            self.progress.warn(f"[preflight] {how}: {finding.message}")
        checked = "skew policy, health, etcd, disk space, no other upgrade"
        if overridden:
            self.progress.step(f"[preflight] ok with {len(overridden)} finding(s) overridden")
        else:
            self.progress.step(f"[preflight] ok: {checked}")

    def check_etcd(self) -> int:
        if not self.opts.etcd_backup:
            return 0
        status = etcd_for(self.node, self.opts.etcd_endpoint).status()
        return int(status.get("dbSize", 0))

    def _check_lock(self) -> None:
        Preflight(lock_findings(self.root, self.invocation)).enforce(False, "the upgrade")

    # lock / journal --------------------------------------------------------------------
    def acquire(self) -> None:
        try:
            self.journal.acquire(str(self.opts.target))
        except FileExistsError:
            self._check_lock()
            raise

    def _done(self, phase: str, what: str) -> None:
        self._record(phase, what)
        hook = os.environ.get(SIGNAL_HOOK, "")
        if hook.partition(":")[0] == phase:  # tests: a real signal at a known point
            os.kill(os.getpid(), getattr(signal, hook.partition(":")[2]))

    def _record(self, phase: str, what: str) -> None:
        self.outcome.phases.append((phase, what))
        now = time.monotonic()
        self.outcome.seconds[phase] = now - self._mark
        self._mark = now
        self.journal.done(phase)
        if os.environ.get(CRASH_HOOK) == phase:
            os.kill(os.getpid(), signal.SIGKILL)

    # backup ----------------------------------------------------------------------------
    def backup(self, files: Iterable[Rendered], snapshot: bool) -> Path:
        dest = self.saved.take(
            self.opts.backup_root or self.tmp,
            files,
            snapshot,
            self.opts.etcd_endpoint,
            str(self.opts.target),
            self.progress,
        )
        self.outcome.backup_dir, self.outcome.snapshot = dest, self.saved.snapshot
        self.journal.record(backupDir=str(dest))
        return dest

    def _write(self, item: Rendered) -> None:
        """Write one rendered file, or PUT one cluster object."""
        if is_object(item.rel):
            if self.store is None:
                raise OperationError(f"{item.rel}: no cluster API to write it with")
            self.store.write(ObjectRef.parse(item.rel), item.new)
        else:
            write_file(self.root / item.rel, item.new)

    # component phases ------------------------------------------------------------------
    def wait_healthy(
        self, component: str, expected: str, what: str, written: float, before: float | None = None
    ) -> proof.Proof:
        """Poll until the component is healthy AND proven to run the manifest written at
        `written` (proof.running), or the timeout; "cannot prove" keeps waiting."""
        probe = self.node.pods[component].probe
        deadline = time.monotonic() + self.opts.timeout
        with self.progress.busy(
            f"[{component}] waiting up to {self.opts.timeout:g}s for {what}"
            f" {probe.url() if probe else '(no probe)'} to answer healthy at {expected}"
        ):
            while True:
                last = health_mod.check(component, probe, self.opts.probe_timeout)
                found = proof.running(last, probe, expected, written, before)
                if found.proven:
                    return found
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"last answer: {found.how}")
                time.sleep(self.opts.poll)

    def phase_context(self, phases: Iterable[str]) -> PhaseContext:
        """What describing `phases` needs (pure data: node, renders, options)."""
        return PhaseContext(
            self.node,
            self.rendered,
            self.opts.target,
            self.opts.timeout,
            self._snapshot_wanted(list(phases)),
            tuple(self.certificates_of(phases)),
        )

    def component_phase(self, component: str) -> None:
        """A control-plane component's phase (PHASE_TABLE): not on this node, or upgraded."""
        if component not in self.node.pods:
            self._done(component, EXTERNAL_ETCD if component == "etcd" else "not on this node")
            return
        self.upgrade_component(phase_files(self.rendered, component)[0])

    def upgrade_component(self, item: Rendered) -> None:
        component = item.phase
        if not item.changed:
            self._done(component, "already at the target, skipped")
            self.progress.step(f"[{component}] manifest unchanged, skipped")
            return
        expected = expected_version(component, item)
        started = time.monotonic()
        written = proof.now()
        if self.first_write is None:
            self.first_write = written
        self._renew(component)
        self._write(item)
        self.upgraded.append(item)
        self.progress.step(f"[{component}] wrote {item.rel} (image tag {expected})")
        try:
            found = self.wait_healthy(component, expected, "the new", written)
        except TimeoutError as exc:
            reason = f"{component} did not become healthy at {expected}: {exc}"
            self.rollback_written(reason, etcd_data=component == "etcd")
        self._done(component, f"upgraded to {expected} in {time.monotonic() - started:.1f}s")
        self.progress.done(f"[{component}] healthy at {expected}: {found.how}")

    def _renew(self, component: str) -> None:
        """Write the component's renewed leaf certificates (backed up, rolled back like the
        manifests); its restart with the new manifest loads them."""
        renewals = self.certificates_of([component])
        for renewal in renewals:
            assert renewal.rendered is not None and renewal.new_expires is not None
            write_file(self.root / renewal.rendered.rel, renewal.rendered.new)
            self.upgraded.append(renewal.rendered)
            self.outcome.renewed.append(renewal.name)
        if renewals:
            names = ", ".join(r.name for r in renewals)
            until = renewals[0].new_expires.strftime("%Y-%m-%d") if renewals[0].new_expires else ""
            self.progress.step(f"[{component}] renewed {names} (valid until {until}, keys kept)")

    def rollback_written(self, reason: str, etcd_data: bool = False) -> None:
        """Restore every file written so far (newest first; after a failed etcd phase, etcd's
        data dir from the verified snapshot first), wait until the old instances are proven
        back, raise exit 1."""
        details = []
        failed = []
        if etcd_data:
            details += self.saved.restore_etcd_data()
        restored_at = proof.now()
        for item in reversed(self.upgraded):
            self.saved.restore(item.rel, item.old)
            details.append(f"restored {item.rel} from {self.outcome.backup_dir}")
        for item in reversed(self.upgraded):
            if item.phase in self.node.pods:
                previous = Rendered(item.rel, item.old, item.old, item.phase)
                old = expected_version(item.phase, previous)
                try:
                    self.wait_healthy(
                        item.phase, old, "the restored", restored_at, self.first_write
                    )
                    details.append(f"{item.phase} is healthy again")
                except TimeoutError as exc:
                    failed.append(item.phase)
                    details.append(f"{item.phase} did NOT come back healthy ({exc})")
        self.upgraded.clear()
        self.outcome.renewed.clear()  # restored with the rest
        raise OperationError(
            f"upgrade to {self.opts.target} failed: {reason}",
            details=details,
            hint=(
                "the node is back at its previous state; see the component's logs"
                if not failed
                else "kctl restored the files but cannot prove every component is back: check them"
            ),
        )

    def corefile(self) -> CorefileVerdict | None:
        return preflight_mod.corefile_verdict(self.node, self.rendered)

    def write_plain(self, phase: str) -> None:
        """upload-config, kubelet-config, addons: write their files (no process to wait for)."""
        items = [r for r in phase_files(self.rendered, phase) if r.changed]
        verdict = self.corefile() if phase == "addons" else None
        if verdict is not None:
            self.progress.step(f"[addons] {verdict.note}")
        waiting = unupgraded_control_planes(self.node, self.opts.target)
        if phase == "addons" and waiting and self.node.addons:
            self._done(phase, addons_wait(waiting, self.opts.target))
            self.progress.step(f"[addons] {addons_wait(waiting, self.opts.target)}")
            return
        for item in items:
            try:
                self._write(item)
            except (OSError, OperationError) as exc:
                reason = exc.message if isinstance(exc, OperationError) else str(exc)
                self.rollback_written(f"[{phase}] writing {item.rel} failed: {reason}")
            self.upgraded.append(item)
            self.progress.step(f"[{phase}] wrote {item.rel}")
        self._done(phase, f"wrote {len(items)} file(s)" if items else "nothing to change")

    # whole runs ------------------------------------------------------------------------
    def certificates_of(self, components: Iterable[str]) -> list[Renewal]:
        """The renewals done with these components' phases (kubeadm: step 1 of each)."""
        wanted = set(components)
        return [r for r in self.renewals if r.rendered is not None and r.component in wanted]

    def _write_phases(self, work: list[str]) -> None:
        touched = [r for r in self.rendered if r.phase in work]
        if "backup" in work:  # a full backup covers every file an upgrade touches
            touched = [r for r in self.rendered if r.phase in self.phase_list]
        phases = self.phase_list if "backup" in work else work
        touched += [r.rendered for r in self.certificates_of(phases) if r.rendered]
        self.backup(touched, snapshot=self._snapshot_wanted(work))
        self._done("backup", str(self.outcome.backup_dir))
        for phase in work:
            if phase == "backup":
                continue
            why = self.skipped(phase)
            run = PHASE_TABLE[phase].run
            if why:
                self._done(phase, why)
                self.progress.step(f"[{phase}] {why}")
            elif run is not None:
                run(self)

    def _interrupted(self, exc: BaseException) -> None:
        """SIGINT, SIGTERM or SIGHUP: roll back what was written (ignoring further signals
        meanwhile), then exit 130."""
        name = exc.name if isinstance(exc, Signalled) else "SIGINT"
        self.outcome.result = "interrupted"
        if not self.upgraded:
            raise UpgradeInterruptedError(
                f"upgrade to {self.opts.target} interrupted by {name} before any node file changed"
            ) from None
        with signals_ignored():
            try:
                self.rollback_written(f"interrupted by {name}")
            except OperationError as failed:
                raise UpgradeInterruptedError(
                    failed.message, details=failed.details, hint=failed.hint
                ) from None

    def run(self, phases: list[str]) -> Outcome:
        """Run `phases` (in PHASES order). A component phase always has a backup first.
        SIGINT, SIGTERM and SIGHUP interrupt it wherever they arrive (rolling back what was
        written), whatever disposition the process inherited."""
        with signals_interrupt():
            return self._run(phases)

    def _run(self, phases: list[str]) -> Outcome:
        if phases == ["etcd"] and self.node.external_etcd:
            raise InputError(f"no etcd phase on this node: {EXTERNAL_ETCD}")
        ordered = [p for p in self.phase_list if p in phases]
        full = ordered == list(self.phase_list)
        self.preflight(ordered)  # every path, a phase alone too
        self._done("preflight", "ok")
        work = [p for p in ordered if p not in ("preflight",)]
        if not work:
            return self.outcome
        if self.confirm is not None:
            self.confirm()  # raises when the user says no
        self.acquire()
        ok = False
        try:
            try:
                self._write_phases(work)
            except KeyboardInterrupt as exc:  # Signalled included
                self._interrupted(exc)
            except OperationError:
                raise  # already rolled back
            except Exception as exc:
                if self.upgraded:
                    self.rollback_written(f"{type(exc).__name__}: {exc}")
                raise
            ok = True
            self.outcome.result = "succeeded"
        finally:
            # A failure that was rolled back (or happened before any write) frees the node;
            # the journal of a run that died without rolling back stays for `rollback`.
            if ok or not self.upgraded:
                self.journal.release()
        if full:
            self.progress.done(
                f'[upgrade] SUCCESS! The {self.node.role} node "{self.node.name}" was upgraded'
                f" to {self.opts.target}. Backup: {self.outcome.backup_dir}"
            )
        return self.outcome
