"""Base image versions are chosen by each ecosystem's own range rules, newest supported first."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kctl.detect import detect
from kctl.detect.ranges import RangeError, newest_inside
from kctl.errors import PreconditionError
from kctl.packs import load_packs

pytestmark = pytest.mark.unit

PACKS = load_packs()
PYTHON = PACKS["python"].versions["python"].supported
NODE = PACKS["node"].versions["node"].supported


def tree(root: Path, files: dict[str, str]) -> Path:
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content)
    return root


def pyproject(requires: str) -> dict[str, str]:
    return {
        "pyproject.toml": f'[project]\nname = "x"\nrequires-python = "{requires}"\n',
        "main.py": "print(1)\n",
    }


def newest(lines: tuple[str, ...]) -> str:
    return max(lines, key=lambda v: tuple(int(p) for p in v.split(".")))


@pytest.mark.parametrize(
    ("requires", "expected"),
    [
        ("<3.13,>=3.10", "3.12"),
        (">=3.10,<3.13", "3.12"),
        ("~=3.11", newest(PYTHON)),
        ("~=3.11.2", "3.11"),
        ("==3.10.*", "3.10"),
        (">3.10", newest(PYTHON)),
    ],
)
def test_requires_python_picks_newest_supported_inside(tmp_path, requires, expected) -> None:
    detection = detect(tree(tmp_path, pyproject(requires)), PACKS)
    assert detection.versions["python"] == expected
    assert any(requires in e.detail for e in detection.evidence if e.kind == "version")


def test_excluded_old_series_is_never_picked(tmp_path: Path) -> None:
    detection = detect(tree(tmp_path, pyproject("!=3.0.*,>=2.7")), PACKS)
    assert detection.versions["python"] == newest(PYTHON)
    assert not detection.problems


def test_range_above_every_known_line_is_exit_3_naming_the_declaration(tmp_path: Path) -> None:
    """Issue 26: never build below the project's minimum; say the newest line kctl knows."""
    with pytest.raises(PreconditionError, match=r"'>=4.0'.*newest: 3\.14") as caught:
        detect(tree(tmp_path, pyproject(">=4.0")), PACKS)
    assert caught.value.location is not None
    assert caught.value.location.file == str(tmp_path / "pyproject.toml")


def test_requires_python_314_gets_a_314_image(tmp_path: Path) -> None:
    detection = detect(tree(tmp_path, pyproject(">=3.14")), PACKS)
    assert detection.versions["python"] == "3.14"


def test_range_below_every_known_line_falls_back_with_a_warning(tmp_path: Path) -> None:
    detection = detect(tree(tmp_path, pyproject("<3.0")), PACKS)
    assert detection.versions["python"] == PACKS["python"].versions["python"].default
    assert any("pyproject.toml" in p and "<3.0" in p for p in detection.problems)


def test_bad_range_is_reported_and_the_next_source_is_used(tmp_path: Path) -> None:
    files = {**pyproject("not a range"), "runtime.txt": "python-3.10.4\n"}
    detection = detect(tree(tmp_path, files), PACKS)
    assert detection.versions["python"] == "3.10"
    assert any("not a range" in p for p in detection.problems)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({".python-version": "3.11.4\n"}, "3.11"),
        ({".tool-versions": "nodejs 20.1.0\npython 3.10.12 3.9.1\n"}, "3.10"),
        ({"Pipfile": '[requires]\npython_version = "3.11"\n'}, "3.11"),
    ],
)
def test_python_version_files(tmp_path, files, expected) -> None:
    files = {"requirements.txt": "flask\n", "app.py": "x = 1\n", **files}
    assert detect(tree(tmp_path, files), PACKS).versions["python"] == expected


@pytest.mark.parametrize(
    ("engines", "expected"),
    [
        ("^20.11", "20"),
        ("~18.17.0", "18"),
        (">=18", newest(NODE)),
        ("16.x || 20.x", "20"),
        (">=14 <21", "20"),
        ("18 - 20", "20"),
        ("20.x", "20"),
        ("*", newest(NODE)),
        (">= 18.0.0 < 21.0.0", "20"),
    ],
)
def test_engines_node_is_a_semver_range(tmp_path, engines, expected) -> None:
    package = f'{{"name": "x", "engines": {{"node": "{engines}"}}}}'
    detection = detect(tree(tmp_path, {"package.json": package, "index.js": "1"}), PACKS)
    assert detection.versions["node"] == expected


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({".nvmrc": "v20.11.1\n"}, "20"),
        ({".nvmrc": "lts/iron\n"}, "20"),
        ({".node-version": "18\n"}, "18"),
        ({".tool-versions": "nodejs 22.3.0\n"}, "22"),
    ],
)
def test_node_version_files(tmp_path, files, expected) -> None:
    files = {"package.json": '{"name": "x"}', "index.js": "1", **files}
    assert detect(tree(tmp_path, files), PACKS).versions["node"] == expected


def test_go_directive_is_a_minimum(tmp_path: Path) -> None:
    files = {"go.mod": "module x\n\ngo 1.22.3\n", "main.go": "package main\n"}
    detection = detect(tree(tmp_path, files), PACKS)
    assert detection.versions["go"] == newest(PACKS["go"].versions["go"].supported)
    files["go.mod"] = "module x\n\ngo 1.99\n"
    with pytest.raises(PreconditionError, match=r"1\.99"):  # golang images pin GOTOOLCHAIN=local
        detect(tree(tmp_path, files), PACKS)
    files["go.mod"] = "module x\n\ngo 1.26.0\n"
    assert detect(tree(tmp_path, files), PACKS).versions["go"] == "1.26"


@pytest.mark.parametrize(
    ("project", "expected"),
    [
        ("<TargetFramework>net8.0</TargetFramework>", "8.0"),
        ("<TargetFramework>net9.0</TargetFramework>", "9.0"),
        ("<TargetFrameworks>net6.0;net8.0</TargetFrameworks>", "8.0"),
    ],
)
def test_dotnet_target_framework(tmp_path, project, expected) -> None:
    csproj = f'<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup>{project}</PropertyGroup></Project>'
    files = {"App.csproj": csproj, "Program.cs": "return;"}
    assert detect(tree(tmp_path, files), PACKS).versions["dotnet"] == expected


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({".ruby-version": "3.2.2\n"}, "3.2"),
        ({".ruby-version": "ruby-3.1.4\n"}, "3.1"),
        ({".tool-versions": "ruby 3.2.0\n"}, "3.2"),
        ({"Gemfile": 'source "https://rubygems.org"\nruby "~> 3.1.0"\n'}, "3.1"),
    ],
)
def test_ruby_versions(tmp_path, files, expected) -> None:
    files = {"Gemfile": 'source "https://rubygems.org"\n', "app.rb": "1", **files}
    assert detect(tree(tmp_path, files), PACKS).versions["ruby"] == expected


def test_composer_caret_php(tmp_path: Path) -> None:
    files = {"composer.json": '{"require": {"php": "~8.1.0"}}', "index.php": "<?php"}
    assert detect(tree(tmp_path, files), PACKS).versions["php"] == "8.1"


@pytest.mark.parametrize(
    ("text", "rule", "lines", "expected"),
    [
        ("^0.2.3", "npm", ("0.1", "0.2", "0.3", "1.0"), "0.2"),
        ("~1.2", "npm", ("1.2", "1.3"), "1.2"),
        ("~1.2", "composer", ("1.2", "1.3", "2.0"), "1.3"),
        ("~> 3.2", "gem", ("3.1", "3.2", "3.4", "4.0"), "3.4"),
        (">= 3.1, < 3.3", "gem", ("3.1", "3.2", "3.3"), "3.2"),
        ("<1.2.0", "npm", ("1.1", "1.2"), "1.1"),
        (">1.2", "npm", ("1.2", "1.3"), "1.3"),
        ("<=1.2", "npm", ("1.2", "1.3"), "1.2"),
        ("net6.0;netstandard2.0", "tfm", ("6.0", "8.0"), "6.0"),
        ("1.21", "minimum", ("1.20", "1.21", "1.23"), "1.23"),
        ("<16", "npm", ("18", "20"), None),
    ],
)
def test_range_rules(text, rule, lines, expected) -> None:
    assert newest_inside(text, rule, lines) == expected


@pytest.mark.parametrize(("text", "rule"), [("lts/*", "npm"), ("x", "pep440"), ("3", "nope")])
def test_unreadable_ranges_raise(text: str, rule: str) -> None:
    with pytest.raises(RangeError):
        newest_inside(text, rule, ("3.12",))


def newest_of(pack: str, name: str) -> str:
    return newest(PACKS[pack].versions[name].supported)


@pytest.mark.parametrize(
    ("files", "pack", "name", "expected"),
    [
        ({"mix.exs": 'def project, do: [app: :x, elixir: "~> 1.15"]\n'}, "elixir", "elixir", None),
        (
            {"mix.exs": 'def project, do: [app: :x, elixir: "~> 1.16.1"]\n'},
            "elixir",
            "elixir",
            "1.16",
        ),
        (
            {"mix.exs": 'def project, do: [app: :x, elixir: ">= 1.15.0 and < 1.17.0"]\n'},
            "elixir",
            "elixir",
            "1.16",
        ),
        ({"rebar.config": '{minimum_otp_vsn, "26"}.\n'}, "erlang", "otp", None),
        ({"Cargo.toml": '[package]\nname = "x"\nrust-version = "1.80"\n'}, "rust", "rust", None),
        (
            {
                "Cargo.toml": '[package]\nname = "x"\n',
                "rust-toolchain.toml": '[toolchain]\nchannel = "1.81.0"\n',
            },
            "rust",
            "rust",
            "1.81",
        ),
        (
            {"Cargo.toml": '[package]\nname = "x"\n', "rust-toolchain": "stable\n"},
            "rust",
            "rust",
            None,
        ),
        (
            {"Package.swift": "// swift-tools-version:5.9\nimport PackageDescription\n"},
            "swift",
            "swift",
            None,
        ),
        (
            {
                "pom.xml": "<project><properties><java.version>17</java.version></properties></project>"
            },
            "java-maven",
            "java",
            "17",
        ),
        (
            {
                "pom.xml": "<project><properties><java.version>1.8</java.version></properties></project>"
            },
            "java-maven",
            "java",
            "8",
        ),
        (
            {"pom.xml": "<project>x</project>", ".tool-versions": "java temurin-17.0.9+9\n"},
            "java-maven",
            "java",
            "17",
        ),
    ],
)
def test_other_ecosystems(tmp_path, files, pack, name, expected) -> None:
    detection = detect(tree(tmp_path, files), PACKS, pack)
    assert detection.versions[name] == (expected or newest_of(pack, name))
    assert not detection.problems


def test_unsupported_java_falls_back_with_a_warning(tmp_path: Path) -> None:
    files = {
        "pom.xml": "<project><properties><java.version>7</java.version></properties></project>"
    }
    detection = detect(tree(tmp_path, files), PACKS, "java-maven")
    assert detection.versions["java"] == "21" and any("'7'" in p for p in detection.problems)


OPS = ["==", "!=", ">=", "<=", ">", "<", "~="]
release = st.tuples(st.integers(3, 4), st.integers(0, 14), st.integers(0, 6))


def _spec(op: str, version: tuple[int, int, int], short: bool) -> str:
    if op == "~=" and short:
        return f"~={version[0]}.{version[1]}"
    text = ".".join(map(str, version[:2] if short and op != "~=" else version))
    return f"{op}{text}"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(OPS), release, st.booleans()), min_size=1, max_size=3),
    st.tuples(st.integers(3, 4), st.integers(0, 14)),
)
def test_pep440_line_test_matches_brute_force(parts, line) -> None:
    """A line is inside a specifier set exactly when one of its releases (x.y.0-x.y.20) is."""
    from packaging.specifiers import SpecifierSet

    from kctl.detect.ranges import range_test

    text = ",".join(_spec(op, v, short) for op, v, short in parts)
    line_text = f"{line[0]}.{line[1]}"
    brute = any(
        SpecifierSet(text).contains(f"{line_text}.{patch}", prereleases=False)
        for patch in range(21)
    )
    assert range_test(text, "pep440")(line_text) == brute, (text, line_text)


NPM_COMPARATORS = st.sampled_from(["^", "~", ">=", "<=", ">", "<", "=", ""])
npm_version = st.tuples(st.integers(0, 3), st.integers(0, 4), st.integers(0, 4), st.integers(1, 3))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(NPM_COMPARATORS, npm_version), min_size=1, max_size=3),
    st.integers(0, 3),
)
def test_npm_major_line_test_matches_brute_force(parts, major) -> None:
    """A major line is inside an npm range exactly when one of its releases is (brute force)."""
    from kctl.detect.ranges import _holds, parse_semver, range_test

    text = " ".join(op + ".".join(map(str, v[: v[3]])) for op, v in parts)
    (constraints,) = parse_semver(text)
    releases = [(major, minor, patch) for minor in range(8) for patch in range(8)]
    brute = any(all(_holds(c, r) for c in constraints) for r in releases)
    assert range_test(text, "npm")(str(major)) == brute, (text, major)
