"""Detection explains itself and does not fall for lockfiles, vendored code or monorepos."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kctl.detect import detect, scan
from kctl.errors import InputError, KctlError, PreconditionError
from kctl.packs import load_packs

pytestmark = pytest.mark.unit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "apps"
PACKS = load_packs()
MANIFEST_LESS = {"go-nomod": "go", "php-plain": "php"}  # detected from source bytes alone
EXAMPLE_PACK = {**MANIFEST_LESS, "react-cra": "react"}  # examples named other than their pack


def tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir()))
def test_every_example_app_detects_as_its_pack(example: str) -> None:
    detection = detect(EXAMPLES / example, PACKS)
    assert detection.pack.name == EXAMPLE_PACK.get(example, example)
    kinds = {e.kind for e in detection.evidence}
    assert kinds & ({"bytes"} if example in MANIFEST_LESS else {"manifest", "file"})


def test_python_app_with_huge_docs_package_lock(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "svc"\nrequires-python = ">=3.11"\n'
            'dependencies = ["fastapi", "uvicorn"]\n',
            "svc/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "docs/package.json": '{"name": "docs", "dependencies": {"docusaurus": "1"}}',
            "docs/package-lock.json": "{" + '"x": 1,' * 400_000 + "}",
            "package.json": '{"name": "tooling", "devDependencies": {"prettier": "3"}}',
            "package-lock.json": "{" + '"y": 1,' * 400_000 + "}",
            "docs/src/big.min.js": "x" * 2_000_000,
        },
    )
    detection = detect(tmp_path, PACKS)
    assert (detection.language, detection.framework) == ("python", "fastapi")
    assert detection.versions["python"] == "3.14"  # newest supported inside >=3.11
    assert any(e.kind == "dependency" and "fastapi" in e.detail for e in detection.evidence)
    assert "node" in detection.alternatives


def test_gradle_kotlin_app(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "settings.gradle.kts": 'rootProject.name = "x"\n',
            "build.gradle.kts": 'plugins { kotlin("jvm") version "2.0.21" }\n',
            "src/main/kotlin/App.kt": "fun main() = println(1)\n" * 20,
            "src/main/java/Legacy.java": "class Legacy {}\n",
        },
    )
    detection = detect(tmp_path, PACKS)
    assert detection.pack.name == "kotlin"
    assert any(e.kind == "content" for e in detection.evidence)


def test_laravel_with_vendored_and_compiled_js(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "composer.json": '{"require": {"php": "^8.2", "laravel/framework": "^11.0"}}',
            "artisan": "#!/usr/bin/env php\n",
            "routes/web.php": "<?php\n",
            "package.json": '{"devDependencies": {"vite": "5"}}',
            "public/build/app.js": "var a=1;" * 200_000,
            "vendor/laravel/framework/src/x.php": "<?php " * 1000,
            "node_modules/vite/index.js": "x" * 500_000,
            "resources/js/app.js": "import './bootstrap';\n",
        },
    )
    detection = detect(tmp_path, PACKS)
    assert (detection.language, detection.framework) == ("php", "laravel")


def test_monorepo_is_exit_3_listing_apps(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "services/api/go.mod": "module api\n\ngo 1.22\n",
            "services/api/main.go": "package main\n",
            "web/package.json": '{"name": "web"}',
            "README.md": "# mono\n",
        },
    )
    with pytest.raises(PreconditionError) as err:
        detect(tmp_path, PACKS)
    assert err.value.exit_code == 3
    assert "services/api/" in err.value.details and "web/" in err.value.details


def test_two_equal_languages_are_ambiguous(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "requirements.txt": "requests\n",
            "main.py": "print(1)\n" * 100,
            "package.json": '{"name": "x"}',
            "index.js": "console.log(1)\n" * 60,
        },
    )
    with pytest.raises(PreconditionError) as err:
        detect(tmp_path, PACKS)
    assert "--pack" in (err.value.hint or "")


def test_pack_choice_overrides_detection(tmp_path: Path) -> None:
    tree(tmp_path, {"requirements.txt": "", "package.json": "{}"})
    assert detect(tmp_path, PACKS, "node").pack.name == "node"
    with pytest.raises(InputError):
        detect(tmp_path, PACKS, "cobol")


def test_empty_folder_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        detect(tmp_path, PACKS)
    assert err.value.exit_code == 2


def test_static_site(tmp_path: Path) -> None:
    tree(tmp_path, {"index.html": "<h1>x</h1>", "img/logo.png": b"\x89PNG" + bytes(range(256))})
    assert detect(tmp_path, PACKS).pack.name == "static"


def test_gitignored_folders_are_pruned_not_walked(tmp_path: Path, monkeypatch) -> None:
    tree(
        tmp_path,
        {
            ".gitignore": "generated/\n*.log\n",
            "go.mod": "module x\n\ngo 1.21\n",
            "main.go": "package main\n",
            "generated/deep/a.py": "x = 1\n" * 10_000,
            "debug.log": "noise",
        },
    )
    entered: list[str] = []
    real_scandir = os.scandir

    def spy(path):
        entered.append(str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", spy)
    result = scan(tmp_path)
    assert not any("generated" in p for p in entered)
    assert result.skipped["generated"] == "git-ignored"
    assert "debug.log" not in result.files
    assert detect(tmp_path, PACKS).versions["go"] == "1.26"  # go 1.21 is a minimum


def test_symlink_loops_and_binary_files(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "Cargo.toml": '[package]\nname = "x"\n',
            "src/main.rs": "fn main(){}\n",
            "assets/blob.bin": bytes(range(256)) * 100,
        },
    )
    (tmp_path / "src" / "loop").symlink_to(tmp_path)
    (tmp_path / "self").symlink_to("self")
    detection = detect(tmp_path, PACKS)
    assert detection.pack.name == "rust"


def test_unreadable_folder_is_reported_not_fatal(tmp_path: Path, monkeypatch) -> None:
    tree(tmp_path, {"go.mod": "module x\n", "main.go": "package main\n", "secret/a.go": "x"})
    real_scandir = os.scandir

    def deny(path):
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", deny)
    detection = detect(tmp_path, PACKS)
    assert detection.pack.name == "go"
    assert detection.problems == ["secret: unreadable (Permission denied)"]


names = st.sampled_from(
    [
        "go.mod",
        "package.json",
        "requirements.txt",
        "Cargo.toml",
        "pom.xml",
        "index.html",
        "main.py",
        "a.js",
        "Gemfile",
        "composer.json",
        "x.bin",
        "sub/go.mod",
        "sub/package.json",
        ".gitignore",
        "mix.exs",
        "deps.edn",
        "App.csproj",
        "Package.swift",
        "build.gradle.kts",
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(names, st.binary(max_size=64) | st.text(max_size=64), max_size=6))
def test_any_tree_gives_a_detection_or_a_kctl_error(tmp_path_factory, files) -> None:
    root = tree(tmp_path_factory.mktemp("fuzz"), files)
    try:
        detection = detect(root, PACKS)
    except KctlError as err:
        assert err.exit_code in (2, 3)
    else:
        assert detection.evidence


def test_manifest_less_go_is_detected_by_its_source_bytes(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "main.go": "package main\n\nfunc main() {}\n" * 20,
            "util.py": "x = 1\n",
            "vendor/lib/big.php": "<?php " * 10_000,
            "node_modules/x/index.js": "1;" * 10_000,
        },
    )
    detection = detect(tmp_path, PACKS)
    assert detection.pack.name == "go"
    bytes_evidence = [e for e in detection.evidence if e.kind == "bytes"]
    assert bytes_evidence and "no build manifest" in bytes_evidence[0].detail
    assert "python" in detection.alternatives


def test_manifest_less_languages_of_equal_size_are_ambiguous(tmp_path: Path) -> None:
    tree(tmp_path, {"main.go": "package main\n" * 10, "app.py": "print('x')\n" * 12})
    with pytest.raises(PreconditionError) as err:
        detect(tmp_path, PACKS)
    assert err.value.exit_code == 3 and "--pack go" in (err.value.hint or "")


def test_manifest_less_php_is_php_not_static(tmp_path: Path) -> None:
    tree(tmp_path, {"index.php": "<?php echo 1;\n" * 10, "style.css": "a{}"})
    assert detect(tmp_path, PACKS).pack.name == "php"


def test_framework_packs_never_fall_back_to_bytes(tmp_path: Path) -> None:
    tree(tmp_path, {"app.py": "from flask import Flask\n" * 10})
    assert detect(tmp_path, PACKS).pack.name == "python"


SPA = {
    "react": ("react", "dist", 4173),
    "react-cra": ("react", "build", 8080),
    "vue": ("vue", "public-dist", 8080),
    "angular": ("angular", "dist/shop/browser", 4200),
    "svelte": ("svelte", "site", 8080),
}


@pytest.mark.parametrize("example", sorted(SPA))
def test_single_page_apps_with_their_output_folder_and_port(example: str) -> None:
    from kctl.packs.facts import project_facts

    pack, output, port = SPA[example]
    detection = detect(EXAMPLES / example, PACKS)
    assert (detection.pack.name, detection.framework) == (pack, pack)
    assert any(e.kind == "dependency" for e in detection.evidence), detection.evidence
    assert detection.port == port
    if port != 8080:
        assert any(e.kind == "port" for e in detection.evidence)
    assert project_facts(detection, example)["spa_output"] == output


def test_typescript_next_app_is_next_not_ambiguous(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "package.json": '{"dependencies": {"next": "14", "react": "18", "react-dom": "18"}}',
            "tsconfig.json": "{}",
            "app/page.tsx": "export default function Page() { return null }\n" * 30,
        },
    )
    assert detect(tmp_path, PACKS).pack.name == "node-nextjs"


def test_typescript_react_app_is_react(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "package.json": '{"dependencies": {"react": "18", "react-dom": "18"},'
            ' "devDependencies": {"vite": "5", "typescript": "5"}}',
            "tsconfig.json": "{}",
            "index.html": "<div id=root></div>",
            "src/main.tsx": "export const x = 1;\n" * 50,
        },
    )
    assert detect(tmp_path, PACKS).pack.name == "react"


def test_server_that_bundles_react_is_the_server(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "package.json": '{"dependencies": {"express": "4", "react": "18", "react-dom": "18"},'
            ' "devDependencies": {"vite": "5"}}',
            "server.js": "const express = require('express');\n" * 20,
        },
    )
    assert detect(tmp_path, PACKS).pack.name == "node-express"


def test_nuxt_is_not_a_vue_spa(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "package.json": '{"dependencies": {"nuxt": "3", "vue": "3"}, "devDependencies": {"vite": "5"}}',
            "nuxt.config.ts": "export default {}\n",
            "app.vue": "<template><div/></template>\n",
        },
    )
    assert detect(tmp_path, PACKS).pack.name != "vue"


WEB_CSPROJ = '<Project Sdk="Microsoft.NET.Sdk.Web">\n  <PropertyGroup>\n    <TargetFramework>net8.0</TargetFramework>\n  </PropertyGroup>\n</Project>\n'


@pytest.mark.parametrize(
    ("project", "pack"),
    [
        (WEB_CSPROJ, "dotnet-aspnetcore"),
        ('<Project Sdk="Microsoft.NET.Sdk.Web/8.0.0"></Project>', "dotnet-aspnetcore"),
        (
            '<Project Sdk="Microsoft.NET.Sdk"><ItemGroup>'
            '<FrameworkReference Include="Microsoft.AspNetCore.App" /></ItemGroup></Project>',
            "dotnet-aspnetcore",
        ),
        ('<Project Sdk="Microsoft.NET.Sdk.WebAssembly"></Project>', "dotnet"),
        ('<Project Sdk="Microsoft.NET.Sdk"><!-- not Microsoft.NET.Sdk.Web --></Project>', "dotnet"),
    ],
)
def test_aspnetcore_from_the_project_sdk(tmp_path: Path, project: str, pack: str) -> None:
    tree(tmp_path, {"App.csproj": project, "Program.cs": "return;\n"})
    detection = detect(tmp_path, PACKS)
    assert detection.pack.name == pack
    if pack == "dotnet-aspnetcore":
        assert any(e.path == "App.csproj" for e in detection.evidence if e.kind != "manifest")


def test_aspnetcore_solution_with_the_web_project_in_a_folder(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "Shop.sln": "Microsoft Visual Studio Solution File, Format Version 12.00\n",
            "src/Shop.Web/Shop.Web.csproj": WEB_CSPROJ,
            "src/Shop.Web/Program.cs": "var app = WebApplication.Create();\n",
            "src/Shop.Core/Shop.Core.csproj": '<Project Sdk="Microsoft.NET.Sdk"></Project>',
            "tests/Shop.Tests/Shop.Tests.csproj": '<Project Sdk="Microsoft.NET.Sdk"></Project>',
        },
    )
    detection = detect(tmp_path, PACKS)
    assert detection.pack.name == "dotnet-aspnetcore"
    assert detection.versions["dotnet"] == "8.0"


SPRING_BOM_POM = """<project>
  <dependencyManagement><dependencies><dependency>
    <groupId>org.springframework.boot</groupId><artifactId>spring-boot-dependencies</artifactId>
    <version>3.3.5</version><type>pom</type><scope>import</scope>
  </dependency></dependencies></dependencyManagement>
  <dependencies><dependency>
    <groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter</artifactId>
  </dependency></dependencies>
  <build><plugins><plugin>
    <groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId>
  </plugin></plugins></build>
</project>
"""


def test_spring_boot_from_bom_and_plugin_without_parent(tmp_path: Path) -> None:
    tree(tmp_path, {"pom.xml": SPRING_BOM_POM, "src/main/java/App.java": "class App {}\n"})
    assert detect(tmp_path, PACKS).pack.name == "java-maven-spring"


def test_spring_boot_kotlin_gradle_is_spring_boot(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "build.gradle.kts": 'plugins {\n  id("org.springframework.boot") version "3.3.5"\n'
            '  kotlin("jvm") version "2.0.21"\n  kotlin("plugin.spring") version "2.0.21"\n}\n',
            "settings.gradle.kts": 'rootProject.name = "app"\n',
            "src/main/kotlin/App.kt": "fun main() {}\n" * 20,
        },
    )
    assert detect(tmp_path, PACKS).pack.name == "java-gradle-spring"


def test_spring_boot_gradle_buildscript_plugin(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "build.gradle": "buildscript { dependencies {\n"
            "  classpath 'org.springframework.boot:spring-boot-gradle-plugin:2.7.18'\n} }\n"
            "apply plugin: 'java'\n",
            "src/main/java/App.java": "class App {}\n",
        },
    )
    assert detect(tmp_path, PACKS).pack.name == "java-gradle-spring"


def test_package_json_dependencies_are_keys_not_words(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "package.json": '{"name": "x", "description": "the next big thing, no vue",'
            ' "dependencies": {"express": "4"}}',
            "server.js": "require('express')\n",
        },
    )
    assert detect(tmp_path, PACKS).pack.name == "node-express"
    (tmp_path / "package.json").write_text('{"description": "made with express"}')
    assert detect(tmp_path, PACKS).pack.name == "node"


def test_backend_framework_serving_its_front_end_wins_over_the_spa(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "composer.json": '{"require": {"php": "^8.2", "laravel/framework": "^11.0"}}',
            "artisan": "#!/usr/bin/env php\n",
            "routes/web.php": "<?php\n",
            "package.json": '{"dependencies": {"vue": "3", "@inertiajs/vue3": "1"},'
            ' "devDependencies": {"vite": "5", "laravel-vite-plugin": "1"}}',
            "resources/js/Pages/Home.vue": "<template><h1>hi</h1></template>\n" * 400,
        },
    )
    detection = detect(tmp_path, PACKS)
    assert detection.pack.name == "php-laravel"
    assert "vue" in detection.alternatives


def test_django_with_a_react_front_end_is_django(tmp_path: Path) -> None:
    tree(
        tmp_path,
        {
            "requirements.txt": "django>=5\n",
            "manage.py": "import django\n",
            "package.json": '{"dependencies": {"react-dom": "18"}, "devDependencies": {"vite": "5"}}',
            "frontend/src/App.jsx": "export default () => null;\n" * 500,
        },
    )
    assert detect(tmp_path, PACKS).pack.name == "python-django"
