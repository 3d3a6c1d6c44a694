"""The JVM's production recipes: the build wrapper, Quarkus, Gradle's application plugin, sbt's
packaging, and the modules of a multi-module build."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kctl.errors import Location, PreconditionError
from kctl.packs import workspaces
from kctl.packs.files import first, read

SBT_DEFAULT = "1.10.7"  # sbt launcher when project/build.properties names none


def scala(root: Path) -> dict[str, Any]:
    """How an sbt build packages the app: sbt-native-packager's stage, or sbt-assembly."""
    if not (root / "build.sbt").is_file():
        return {}
    plugins = read(root / "project" / "plugins.sbt")
    build = read(root / "build.sbt")
    if "sbt-native-packager" in plugins:
        packaging = "stage"
    elif "sbt-assembly" in plugins:
        packaging = "assembly"
    elif re.search(r"enablePlugins\(\s*PlayScala", build):
        packaging = "stage"  # Play's sbt plugin brings the native packager
    else:
        raise PreconditionError(
            "build.sbt has no packaging plugin: kctl builds sbt apps with `sbt stage` "
            "(sbt-native-packager) or `sbt assembly` (sbt-assembly)",
            location=Location(str(root / "project" / "plugins.sbt")),
            hint='add addSbtPlugin("com.github.sbt" % "sbt-native-packager" % "1.11.1") and '
            "enablePlugins(JavaAppPackaging) to build.sbt, then run kctl create again",
        )
    name = first(r'^\s*name\s*:=\s*"([^"]+)"', build) or root.name
    version = first(r"^\s*sbt\.version\s*=\s*(\S+)", read(root / "project" / "build.properties"))
    return {
        "sbt_packaging": packaging,
        # the start script's name: sbt-native-packager's normalizedName
        "sbt_name": re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
        "sbt_version": version
        if version and re.fullmatch(r"\d+\.\d+\.\d+", version)
        else SBT_DEFAULT,
    }


def jvm(root: Path) -> dict[str, Any]:
    """The project's build wrapper (gradlew, mvnw) wins; Quarkus runs its fast-jar; a module
    of a multi-module build is built from the build's root (its wrapper, its sibling modules)."""
    build = read(root / "pom.xml") + read(root / "build.gradle") + read(root / "build.gradle.kts")
    member = workspaces.jvm_build_of(root)
    refuse_aggregator(root, build)
    top = member[0] if member else root
    gradlew = (top / "gradlew").is_file() and (top / "gradle" / "wrapper").is_dir()
    mvnw = (top / "mvnw").is_file() and (top / ".mvn" / "wrapper").is_dir()
    module = {
        "jvm_member": member[1] if member else "",
        "jvm_project": ":" + member[1].replace("/", ":") if member else "",
        "jvm_context": workspaces.build_location(root, "java", False)[0] if member else "",
    }
    return {
        "gradle": "./gradlew" if gradlew else "gradle",
        "maven": "./mvnw" if mvnw else "mvn",
        "wrapper": gradlew or mvnw,
        "quarkus": "io.quarkus" in build,
        **_gradle_application(root, build),
        **module,
    }


def refuse_aggregator(root: Path, build: str) -> None:
    """The root of a multi-module build that is no app itself (a Maven `pom` packaging, a
    Gradle root without an app plugin): kctl builds one module and will not guess which."""
    modules = workspaces.maven_modules(root)
    if modules and not re.search(r"<packaging>\s*pom\s*</packaging>", read(root / "pom.xml")):
        modules = []
    if not modules:
        app_plugin = re.search(
            r"org\.springframework\.boot|['\"]application['\"]|io\.quarkus", build
        )
        modules = [] if app_plugin else workspaces.gradle_projects(root)
    if modules:
        raise PreconditionError(
            f"{root} is the root of a multi-module build ({len(modules)} modules): kctl builds"
            " one module, from this root",
            details=[f"{m}/" for m in modules],
            hint=f"run kctl create on the module to deploy, e.g. `kctl create {root / modules[0]}`",
        )


def _gradle_application(root: Path, build: str) -> dict[str, Any]:
    """Gradle's `application` plugin (not Spring Boot, whose bootJar runs with java -jar):
    `installDist` writes build/install/<project>/ with lib/ and a start script in bin/ named
    by `applicationName` (the first one set, as a custom start-script task does), else the
    project's name — the plain jar would not start (no Main-Class, no dependencies)."""
    plugin = re.search(
        r"""id\s*\(?\s*['"]application['"]|apply\s+plugin\s*:\s*['"]application['"]"""
        r"""|^\s*application\s*$|^\s*`?application`?\s*\{""",
        build,
        re.M,
    )
    if plugin is None or "org.springframework.boot" in build:
        return {"gradle_dist": "", "gradle_start_script": ""}
    settings = read(root / "settings.gradle") + read(root / "settings.gradle.kts")
    project = first(r"""rootProject\.name\s*=\s*['"]([\w.-]+)['"]""", settings) or root.name
    name = first(r"""applicationName\s*(?:=|\.set\()\s*['"]([\w.-]+)['"]""", build)
    return {"gradle_dist": project, "gradle_start_script": name or project}
