"""Compose projects (files by name) the loader must read exactly like docker-compose."""

from __future__ import annotations

CASES: dict[str, dict[str, str]] = {
    "interp-braced": {
        "compose.yaml": "services:\n  a:\n    image: ${IMG}\n",
        ".env": "IMG=nginx\n",
    },
    "interp-bare": {"compose.yaml": "services:\n  a:\n    image: $IMG:1\n", ".env": "IMG=redis\n"},
    "interp-default-colon": {"compose.yaml": "services:\n  a:\n    image: ${NOPE:-busybox}\n"},
    "interp-default-colon-empty": {
        "compose.yaml": "services:\n  a:\n    image: ${E:-busybox}\n",
        ".env": "E=\n",
    },
    "interp-default-dash-empty": {
        "compose.yaml": "services:\n  a:\n    image: x${E-busybox}\n",
        ".env": "E=\n",
    },
    "interp-alt": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    environment:\n      X: ${S:+yes}\n      Y: ${N:+no}\n      Z: ${E+set}\n      W: ${E:+set}\n",
        ".env": "S=1\nE=\n",
    },
    "interp-nested": {"compose.yaml": "services:\n  a:\n    image: ${A:-${B:-deep}}\n"},
    "interp-nested-set": {
        "compose.yaml": "services:\n  a:\n    image: ${A:-${B:-deep}}\n",
        ".env": "B=mid\n",
    },
    "interp-dollar-escape": {
        "compose.yaml": 'services:\n  a:\n    image: busybox\n    command: echo $$HOME $${X}\n    environment:\n      P: "a$$b"\n'
    },
    "interp-required-ok": {
        "compose.yaml": "services:\n  a:\n    image: ${R:?need R}\n",
        ".env": "R=busybox\n",
    },
    "interp-required-missing": {"compose.yaml": "services:\n  a:\n    image: ${R:?need R}\n"},
    "interp-required-empty": {
        "compose.yaml": "services:\n  a:\n    image: busybox${R:?}\n",
        ".env": "R=\n",
    },
    "interp-required-dash-empty": {
        "compose.yaml": "services:\n  a:\n    image: busybox${R?}\n",
        ".env": "R=\n",
    },
    "interp-in-ports": {
        "compose.yaml": 'services:\n  a:\n    image: busybox\n    ports: ["${P:-8080}:80"]\n'
    },
    "interp-bad-format": {"compose.yaml": "services:\n  a:\n    image: ${}\n"},
    "dotenv-quotes": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    environment:\n      A: ${A}\n      B: ${B}\n      C: ${C}\n      D: ${D}\n",
        ".env": "A='single $X'\nB=\"double\\nline\"\nC=plain # comment\nexport D=exported\n",
    },
    "labels-without-values": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    labels:\n      com.x.a:\n      b: 1\n    annotations:\n      an:\n    sysctls:\n      net.core.somaxconn:\n  b:\n    image: busybox\n    labels: [x, y=1]\n"
    },
    "build-args-from-the-environment": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    build:\n      context: .\n      args:\n        A:\n        B: 1\n        UNSET:\n  b:\n    image: busybox\n    build:\n      context: .\n      args: [A, C=2, UNSET]\n",
        ".env": "A=from-dotenv\n",
    },
    "duplicate-list-entries": {
        "compose.yaml": 'services:\n  a:\n    image: busybox\n    volumes: ["data:/data", "other:/x", "logs:/data", /tmp]\n    tmpfs: [/run, /run]\n    ports: ["80:80", "80:80", {target: 80, published: "80"}, "81:81/udp"]\n    expose: [1, 1]\n    dns: [1.1.1.1, 1.1.1.1]\n    cap_add: [NET_ADMIN, NET_ADMIN]\nvolumes: {data: {}, logs: {}, other: {}}\n'
    },
    "env-file-dialect": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    env_file: [app.env]\n",
        "app.env": "OTHER=from-file\nFROM_SHELL_FIRST=${OTHER}\nUNSET_BARE\nQ='x' AFTER=y # note\nYAML: style\nS='it\\'s'\nD=\"tab\\there \\$HOME \\0123\"\n",
        ".env": "OTHER=from-dotenv\n",
    },
    "env-list-and-map": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    environment:\n      - ONE=1\n      - TWO=two=2\n      - EMPTY=\n  b:\n    image: busybox\n    environment:\n      N: 3\n      T: true\n      F: 1.5\n      Z: null\n"
    },
    "env-file-precedence": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    env_file: [one.env, two.env]\n    environment:\n      K: from-environment\n",
        "one.env": "K=one\nA=one\nB=one\n",
        "two.env": "A=two\n",
    },
    "env-file-string": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    env_file: vars.env\n",
        "vars.env": "# c\nX=1\nY = spaced\n",
    },
    "env-file-optional": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    env_file:\n      - path: missing.env\n        required: false\n      - path: here.env\n",
        "here.env": "H=1\n",
    },
    "env-file-missing": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    env_file: missing.env\n"
    },
    "ports-short": {
        "compose.yaml": 'services:\n  a:\n    image: busybox\n    ports:\n      - 80\n      - "8080:80"\n      - "127.0.0.1:8081:81"\n      - "9000-9002:9000-9002"\n      - "53:53/udp"\n      - "127.0.0.1::82"\n'
    },
    "ports-long": {
        "compose.yaml": 'services:\n  a:\n    image: busybox\n    ports:\n      - target: 80\n        published: "8000"\n        protocol: tcp\n        mode: host\n      - target: 443\n        host_ip: 127.0.0.1\n        name: https\n'
    },
    "ports-ipv6": {
        "compose.yaml": 'services:\n  a:\n    image: busybox\n    ports: ["[::1]:8080:80"]\n'
    },
    "expose": {
        "compose.yaml": 'services:\n  a:\n    image: busybox\n    expose: [3000, "4000", "5000/udp"]\n'
    },
    "volumes-short": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    volumes:\n      - data:/data\n      - ./conf:/etc/conf:ro\n      - /var/log:/log:rw\n      - /anon\n      - cache:/cache:ro,nocopy\nvolumes:\n  data:\n  cache:\n    driver: local\n"
    },
    "volumes-long": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    volumes:\n      - type: volume\n        source: data\n        target: /data\n        read_only: true\n      - type: bind\n        source: ./site\n        target: /site\n      - type: tmpfs\n        target: /tmp\n        tmpfs:\n          size: 1024\nvolumes:\n  data: {}\n"
    },
    "volumes-windows-paths": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    volumes:\n      - C:\\Users\\data:D:\\config:rw\n      - c:/data:/data\n"
    },
    "volume-undefined": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    volumes: [nope:/x]\n"
    },
    "depends-list": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n"
    },
    "depends-long": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    depends_on:\n      b:\n        condition: service_healthy\n      c:\n        condition: service_completed_successfully\n        required: false\n  b:\n    image: busybox\n  c:\n    image: busybox\n"
    },
    "depends-cycle": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n    depends_on: [c]\n  c:\n    image: busybox\n    depends_on: [a]\n"
    },
    "depends-undefined": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    depends_on: [ghost]\n"
    },
    "command-forms": {
        "compose.yaml": 'services:\n  a:\n    image: busybox\n    command: sh -c \'echo "a b" && sleep 1\'\n    entrypoint: ["/bin/sh", "-c"]\n  b:\n    image: busybox\n    command: ["echo", "$$HOME"]\n'
    },
    "healthcheck": {
        "compose.yaml": 'services:\n  a:\n    image: busybox\n    healthcheck:\n      test: ["CMD", "true"]\n      interval: 1m30s\n      timeout: 10s\n      retries: 3\n      start_period: 5s\n  b:\n    image: busybox\n    healthcheck:\n      test: wget -q localhost\n  c:\n    image: busybox\n    healthcheck:\n      disable: true\n'
    },
    "deploy-resources": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    deploy:\n      replicas: 3\n      resources:\n        limits:\n          cpus: '0.50'\n          memory: 512M\n        reservations:\n          cpus: 0.25\n          memory: 1g\n      placement:\n        constraints: [node.role == manager]\n      labels:\n        x: y\n"
    },
    "labels-list-map": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    labels:\n      - kompose.service.type=nodeport\n      - plain\n  b:\n    image: busybox\n    labels:\n      a.b: c\n      n: 1\n"
    },
    "build-string": {"compose.yaml": "services:\n  a:\n    build: ./app\n"},
    "build-long": {
        "compose.yaml": "services:\n  a:\n    image: me/app\n    build:\n      context: app\n      dockerfile: Dockerfile.dev\n      target: dev\n      args:\n        - A=1\n        - B=two\n"
    },
    "secrets-configs": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    secrets:\n      - tok\n      - source: other\n        target: /etc/other\n    configs:\n      - conf\nsecrets:\n  tok:\n    file: ./tok.txt\n  other:\n    environment: OTHER\nconfigs:\n  conf:\n    file: ./conf.txt\n",
        "tok.txt": "s3cret\n",
        "conf.txt": "k=v\n",
    },
    "tmpfs-dns": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    tmpfs: /run\n    dns: 1.1.1.1\n    dns_search: [example.test]\n    cap_add: [NET_ADMIN]\n    cap_drop: [ALL]\n"
    },
    "misc-scalars": {
        "compose.yaml": 'services:\n  a:\n    image: busybox\n    user: "1000:1000"\n    working_dir: /app\n    restart: on-failure\n    privileged: true\n    read_only: true\n    tty: true\n    stdin_open: true\n    hostname: box\n    stop_grace_period: 20s\n    pull_policy: always\n    network_mode: host\n    pid: host\n    ipc: host\n'
    },
    "yaml12-booleans": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    environment:\n      Y: yes\n      O: on\n      N: no\n      OCT: 0755\n      T: True\n"
    },
    "anchors-merge": {
        "compose.yaml": 'x-common: &common\n  image: busybox\n  environment:\n    SHARED: "1"\nservices:\n  a:\n    <<: *common\n    command: [a]\n  b:\n    <<: *common\n    environment:\n      OWN: "2"\n'
    },
    "anchors-merge-list": {
        "compose.yaml": "x-a: &a\n  image: busybox\nx-b: &b\n  restart: always\n  image: ignored\nservices:\n  s:\n    <<: [*a, *b]\n"
    },
    "extends-same-file": {
        "compose.yaml": 'services:\n  base:\n    image: busybox\n    environment:\n      A: base\n      B: base\n    ports: ["80"]\n  child:\n    extends: base\n    environment:\n      B: child\n    ports: ["81"]\n'
    },
    "extends-other-file": {
        "compose.yaml": "services:\n  web:\n    extends:\n      file: common/base.yaml\n      service: app\n    image: busybox\n",
        "common/base.yaml": "services:\n  app:\n    build: ./ctx\n    volumes: [./data:/data]\n    env_file: base.env\n",
        "common/base.env": "FROM_BASE=1\n",
    },
    "extends-cycle": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    extends: b\n  b:\n    image: busybox\n    extends: a\n"
    },
    "extends-missing": {"compose.yaml": "services:\n  a:\n    extends: nope\n"},
    "include": {
        "compose.yaml": "include:\n  - sub/compose.yaml\nservices:\n  web:\n    image: busybox\n    depends_on: [db]\n",
        "sub/compose.yaml": "services:\n  db:\n    image: postgres\n    volumes: [./init:/init]\n",
    },
    "include-the-same-service-twice": {
        "compose.yaml": "include: [a/compose.yaml, b/compose.yaml]\n",
        "a/compose.yaml": "services:\n  db:\n    image: postgres\n",
        "b/compose.yaml": "services:\n  db:\n    image: postgres\n",
    },
    "include-conflicting-services": {
        "compose.yaml": "include: [a/compose.yaml, b/compose.yaml]\n",
        "a/compose.yaml": "services:\n  db:\n    image: postgres\n",
        "b/compose.yaml": "services:\n  db:\n    image: mysql\n",
    },
    "include-then-define-differently": {
        "compose.yaml": "include: [a/compose.yaml]\nservices:\n  db:\n    image: mysql\n",
        "a/compose.yaml": "services:\n  db:\n    image: postgres\n",
    },
    "include-conflicting-volume": {
        "compose.yaml": "include: [a/compose.yaml]\nservices:\n  x:\n    image: busybox\n    volumes: [v:/v]\nvolumes:\n  v:\n    driver: local\n",
        "a/compose.yaml": "services:\n  db:\n    image: postgres\n    volumes: [v:/v]\nvolumes:\n  v: {}\n",
    },
    "depends-on-a-disabled-service-not-required": {
        "compose.yaml": "services:\n  db:\n    image: busybox\n    depends_on:\n      web:\n        condition: service_started\n        required: false\n  web:\n    image: nginx\n    profiles: [dev]\n",
    },
    "depends-on-an-undefined-service-not-required": {
        "compose.yaml": "services:\n  db:\n    image: busybox\n    depends_on:\n      ghost:\n        condition: service_started\n        required: false\n",
    },
    "include-several-paths-one-env-file": {
        "compose.yaml": "include:\n  - path: [a/compose.yaml, b/compose.yaml]\n    env_file: vars.env\n",
        "vars.env": "IMG=alpine\n",
        "a/compose.yaml": "services:\n  a:\n    image: ${IMG:-busybox}\n    volumes: [v:/v]\nvolumes:\n  v: {}\n",
        "b/compose.yaml": "services:\n  b:\n    image: ${IMG:-busybox}\n",
    },
    "include-cycle": {
        "compose.yaml": "include: [a.yaml]\nservices:\n  x:\n    image: busybox\n",
        "a.yaml": "include: [compose.yaml]\nservices:\n  y:\n    image: busybox\n",
    },
    "profiles-off": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n  dbg:\n    image: busybox\n    profiles: [debug]\n"
    },
    "profiles-dep-disabled": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    depends_on: [dbg]\n  dbg:\n    image: busybox\n    profiles: [debug]\n"
    },
    "unknown-key": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    enviroment:\n      A: 1\n"
    },
    "unknown-top-key": {"compose.yaml": "service:\n  a:\n    image: busybox\n"},
    "malformed-yaml": {"compose.yaml": "services:\n  a:\n    image: [busybox\n"},
    "wrong-type-services": {"compose.yaml": "services: [a, b]\n"},
    "empty-file": {"compose.yaml": ""},
    "duplicate-key": {"compose.yaml": "services:\n  a:\n    image: x\n    image: y\n"},
    "name-key": {"compose.yaml": "name: My_Project-1\nservices:\n  a:\n    image: busybox\n"},
    "extensions": {
        "compose.yaml": "x-kctl:\n  replicas: 2\nservices:\n  a:\n    image: busybox\n    x-note: hello\n"
    },
    "sysctls-ulimits": {
        "compose.yaml": 'services:\n  a:\n    image: busybox\n    sysctls:\n      - net.core.somaxconn=1024\n    ulimits:\n      nofile:\n        soft: 1024\n        hard: 2048\n      nproc: 65535\n    extra_hosts:\n      - "db.local:127.0.0.1"\n'
    },
    "networks": {
        "compose.yaml": "services:\n  a:\n    image: busybox\n    networks: [front, back]\n  b:\n    image: busybox\n    networks:\n      back:\n        aliases: [bee]\nnetworks:\n  front:\n  back:\n"
    },
}

# Multi-file projects: (files, -f order)
MULTI: dict[str, tuple[dict[str, str], list[str]]] = {
    # siblings built from one base, then a later file merging into the base and one sibling:
    # no merge may reach a value another service was built from (a shared nested dict or
    # list would carry one service's entries into the others)
    "extends-siblings-override": (
        {
            "compose.yaml": 'services:\n  base:\n    image: busybox\n    environment:\n      A: base\n    labels:\n      l.base: "1"\n    ports: ["80"]\n    volumes: ["./b:/b"]\n    deploy:\n      resources:\n        limits:\n          memory: 64M\n  one:\n    extends: base\n    environment:\n      A: one\n      ONE: "1"\n    ports: ["81"]\n    deploy:\n      resources:\n        limits:\n          cpus: "0.5"\n  two:\n    extends: one\n    environment:\n      TWO: "2"\n    volumes: ["./t:/t"]\n  three:\n    extends: base\n    labels:\n      l.three: "3"\n',
            "override.yaml": 'services:\n  base:\n    environment:\n      LATE: base\n    ports: ["90"]\n    deploy:\n      resources:\n        limits:\n          memory: 128M\n  one:\n    environment:\n      LATE: one\n    labels:\n      l.one: "1"\n',
        },
        ["compose.yaml", "override.yaml"],
    ),
    "override-merge": (
        {
            "compose.yaml": 'services:\n  a:\n    image: busybox\n    command: [one]\n    environment:\n      A: base\n      B: base\n    ports: ["80:80"]\n    volumes: ["./x:/data", "./y:/other"]\n    expose: ["1"]\n',
            "override.yaml": 'services:\n  a:\n    command: [two]\n    environment:\n      B: override\n      C: new\n    ports: ["81:81"]\n    volumes: ["./z:/data"]\n    expose: ["1", "2"]\n',
        },
        ["compose.yaml", "override.yaml"],
    ),
    "override-reset": (
        {
            "compose.yaml": 'services:\n  a:\n    image: busybox\n    ports: ["80:80"]\n    environment:\n      A: base\n',
            "override.yaml": "services:\n  a:\n    ports: !reset []\n    environment: !override\n      ONLY: this\n",
        },
        ["compose.yaml", "override.yaml"],
    ),
    "override-duplicates-concatenated-then-unique": (
        {
            "compose.yaml": 'services:\n  a:\n    image: busybox\n    cap_add: [NET_ADMIN]\n    dns: [1.1.1.1]\n    tmpfs: [/t]\n    ports: ["80:80", "81:81"]\n    expose: ["1"]\n    volumes: ["./x:/data", "./y:/other"]\n    extra_hosts: ["h=1.1.1.1"]\n    profiles: [p]\n',
            "override.yaml": 'services:\n  a:\n    cap_add: [SYS_TIME, NET_ADMIN]\n    dns: [1.1.1.1, 8.8.8.8]\n    tmpfs: [/t, /u]\n    ports: ["81:81", "82:82"]\n    expose: ["2", "1"]\n    volumes: ["./z:/data"]\n    extra_hosts: ["h=1.1.1.1", "i=2.2.2.2"]\n    profiles: [p]\n',
        },
        ["compose.yaml", "override.yaml"],
    ),
    "override-duplicate-security-opt-refused": (
        {
            "compose.yaml": "services:\n  a:\n    image: busybox\n    security_opt: [no-new-privileges]\n",
            "override.yaml": "services:\n  a:\n    security_opt: [no-new-privileges]\n",
        },
        ["compose.yaml", "override.yaml"],
    ),
    "override-new-service": (
        {
            "compose.yaml": "services:\n  a:\n    image: busybox\n",
            "more.yaml": "services:\n  b:\n    image: redis\n    depends_on: [a]\n",
        },
        ["compose.yaml", "more.yaml"],
    ),
}
