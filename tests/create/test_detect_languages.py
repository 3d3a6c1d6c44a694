"""Issue 26: languages detection got wrong on real repositories (TypeScript, Kotlin, Deno, Scala)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctl.detect import detect
from kctl.errors import PreconditionError
from kctl.packs import load_packs
from kctl.packs.scaffold import scaffold
from tests.create.test_detect import tree

pytestmark = pytest.mark.unit
PACKS = load_packs()

EXPRESS_TS = {
    "package.json": '{"name": "t", "scripts": {"build": "tsc", "start": "node dist/index.js"},'
    ' "dependencies": {"express": "^5"}, "devDependencies": {"typescript": "^5"}}',
    "tsconfig.json": '{"compilerOptions": {"outDir": "dist"}}',
    "src/index.ts": "import express from 'express';\nconst app = express();\n"
    "app.get('/', (_req, res) => { res.send('hi'); });\napp.listen(3000);\n",
}


def test_express_written_in_typescript_is_typescript(tmp_path: Path) -> None:
    detection = detect(tree(tmp_path, EXPRESS_TS), PACKS)
    assert (detection.language, detection.framework) == ("typescript", "express")
    assert any("TypeScript" in e.detail for e in detection.evidence)


def test_react_tsx_app_is_typescript(tmp_path: Path) -> None:
    files = {
        "package.json": '{"scripts": {"build": "vite build"}, "dependencies": {"react": "19",'
        ' "react-dom": "19"}, "devDependencies": {"vite": "7", "typescript": "5"}}',
        "tsconfig.json": "{}",
        "src/main.tsx": "import React from 'react';\nexport const App = () => <div/>;\n" * 5,
        "vite.config.ts": "export default {}\n",
    }
    detection = detect(tree(tmp_path, files), PACKS)
    assert detection.pack.name == "react" and detection.language == "typescript"


def test_plain_javascript_stays_javascript(tmp_path: Path) -> None:
    files = {**EXPRESS_TS, "src/index.js": "x" * 400}
    del files["src/index.ts"], files["tsconfig.json"]
    assert detect(tree(tmp_path, files), PACKS).language == "javascript"


def test_spring_boot_in_kotlin_is_kotlin(tmp_path: Path) -> None:
    files = {
        "build.gradle.kts": 'plugins {\n  id("org.springframework.boot") version "4.0.0"\n'
        '  kotlin("jvm") version "2.2.20"\n  kotlin("plugin.spring") version "2.2.20"\n}\n'
        'dependencies { implementation("org.springframework.boot:spring-boot-starter-web") }\n'
        "java { toolchain { languageVersion = JavaLanguageVersion.of(21) } }\n",
        "settings.gradle.kts": 'rootProject.name = "demo"\n',
        "src/main/kotlin/com/example/demo/DemoApplication.kt": "package com.example.demo\n"
        "@SpringBootApplication\nclass DemoApplication\n" * 3,
    }
    detection = detect(tree(tmp_path, files), PACKS)
    assert detection.language == "kotlin" and detection.framework == "spring-boot"


def test_plain_kotlin_gradle_is_the_kotlin_pack(tmp_path: Path) -> None:
    files = {
        "build.gradle.kts": 'plugins {\n  kotlin("jvm") version "2.2.20"\n  application\n}\n'
        'application { mainClass.set("MainKt") }\n',
        "src/main/kotlin/Main.kt": "fun main() { println(1) }\n",
    }
    assert detect(tree(tmp_path, files), PACKS).pack.name == "kotlin"


def test_deno_app_gets_the_deno_pack(tmp_path: Path) -> None:
    files = {
        "deno.json": '{"tasks": {"start": "deno run --allow-net main.ts"}}',
        "main.ts": "Deno.serve({ port: 8000 }, () => new Response('hi'));\n",
        "package.json": '{"name": "also-npm", "dependencies": {"express": "4"}}',
    }
    detection = detect(tree(tmp_path, files), PACKS)
    assert detection.pack.name == "deno" and detection.entrypoint == "main.ts"
    dockerfile = scaffold(detection, "d").files["Dockerfile"]
    assert "FROM denoland/deno:" in dockerfile and "main.ts" in dockerfile
    assert "node" not in dockerfile.split("FROM", 1)[1].lower()


def test_scala_sbt_app_is_scala(tmp_path: Path) -> None:
    files = {
        "build.sbt": 'name := "hello"\nscalaVersion := "3.7.3"\nenablePlugins(JavaAppPackaging)\n',
        "project/plugins.sbt": 'addSbtPlugin("com.github.sbt" % "sbt-native-packager" % "1.11.1")\n',
        "project/build.properties": "sbt.version=1.11.6\n",
        "src/main/scala/Main.scala": "@main def hello(): Unit = println(1)\n",
    }
    detection = detect(tree(tmp_path, files), PACKS)
    assert detection.language == "scala"
    dockerfile = scaffold(detection, "hello").files["Dockerfile"]
    assert "sbt" in dockerfile and "stage" in dockerfile and "bin/hello" in dockerfile


def test_scala_without_a_packaging_plugin_says_what_to_add(tmp_path: Path) -> None:
    files = {
        "build.sbt": 'name := "hello"\nscalaVersion := "3.7.3"\n',
        "src/main/scala/Main.scala": "@main def hello(): Unit = println(1)\n",
    }
    detection = detect(tree(tmp_path, files), PACKS)
    with pytest.raises(PreconditionError, match="sbt-native-packager"):
        scaffold(detection, "hello")
