"""Checks of the production deployment files in docker/.

There is no Docker engine where these tests run, so the files are checked as data: the
services, health checks, volumes, ports, networks and secrets of docker-compose.yml, the
base image and installs of the Dockerfile, the proxy settings of nginx.conf. The image's
entrypoint is then run, as plain Python, on the compose file's own CKAN settings to check
the ckan.ini every CKAN container will run with. No CKAN fixtures are used. (A check through
`docker compose config` returned early here, where no compose plugin exists: it ran nothing and
was removed; Debian's docker-compose 1.29 predates the compose spec this file uses.)
"""
from __future__ import annotations

import ast
import configparser
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import click
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCKER = ROOT / "docker"
COMPOSE_FILE = DOCKER / "docker-compose.yml"
DOCKERFILE = DOCKER / "Dockerfile"
NGINX_CONF = DOCKER / "nginx.conf"
ENV_EXAMPLE = DOCKER / ".env.example"
ENTRYPOINT_DIR = DOCKER / "ckan-entrypoint.d"

# The portal's plugins in load order (binhduong first: its templates override the others).
# Production runs the same plugins as the local portal: the list comes from its template.
PLUGINS = next(
    line.split("=", 1)[1].split()
    for line in (Path(__file__).resolve().parents[1] / "config" / "ckan.ini.template").read_text().splitlines()
    if line.startswith("ckan.plugins")
)
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$")
PLACEHOLDER = "change-me"
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+alt}, ...
REFERENCE = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")


# --- reading the files ----------------------------------------------------------------

@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, separator, value = line.partition("=")
        assert separator, f".env.example: not NAME=value: {line!r}"
        values[name.strip()] = value.strip().strip("'\"")
    return values


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command")
    if command is None:
        return []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    return {name: "" if value is None else str(value) for name, value in environment.items()}


def builds_image(dockerfile: str) -> Callable[[dict[str, Any]], bool]:
    def builds(service: dict[str, Any]) -> bool:
        build = service.get("build")
        return isinstance(build, dict) and build.get("dockerfile") == dockerfile
    return builds


builds_portal_image = builds_image("docker/Dockerfile")


def is_scheduler_loop(command: list[str]) -> bool:
    script = " ".join(command)
    return ("ckan harvester run" in script and "ckan binhduong tracking-update" in script
            and re.search(r"\bwhile\b", script) is not None and re.search(r"\bsleep\b", script) is not None)


def image_starts(prefix: str) -> Callable[[dict[str, Any]], bool]:
    return lambda service: str(service.get("image", "")).startswith(prefix)


ROLES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "web": lambda s: builds_portal_image(s) and not command_of(s),
    "jobs worker": lambda s: builds_portal_image(s)
    and command_of(s) == ["ckan", "jobs", "worker", "default", "bd_background"],
    "harvest gather consumer": lambda s: builds_portal_image(s)
    and command_of(s) == ["ckan", "harvester", "gather-consumer"],
    "harvest fetch consumer": lambda s: builds_portal_image(s)
    and command_of(s) == ["ckan", "harvester", "fetch-consumer"],
    "harvest scheduler": lambda s: builds_portal_image(s) and is_scheduler_loop(command_of(s)),
    # Solr 9 with CKAN 2.12's schema and our Vietnamese search fields (docker/solr.Dockerfile).
    "solr": builds_image("docker/solr.Dockerfile"),
    "postgres": image_starts("postgres:"),
    "redis": image_starts("redis:"),
    "nginx": image_starts("nginx:"),
}
CKAN_ROLES = ("web", "jobs worker", "harvest gather consumer", "harvest fetch consumer",
              "harvest scheduler")


def services_playing(services: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    return {role_name: [name for name, service in services.items() if plays(service)]
            for role_name, plays in ROLES.items()}


@pytest.fixture(scope="module")
def role(services) -> dict[str, str]:
    """The one service name that plays each role."""
    playing = services_playing(services)
    if any(len(names) != 1 for names in playing.values()):
        pytest.fail(f"every role needs exactly one service: {playing}")
    return {role_name: names[0] for role_name, names in playing.items()}


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable substitution, applied to every string in a parsed structure."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        current = env.get(name)
        is_set, non_empty = current is not None, bool(current)
        if op in (":?", "?"):
            assert (non_empty if op == ":?" else is_set), f"{name} is required: {arg}"
            return current
        if op in (":-", "-"):
            return current if (non_empty if op == ":-" else is_set) else arg
        if op in (":+", "+"):
            return arg if (non_empty if op == ":+" else is_set) else ""
        return current or ""

    return REFERENCE.sub(substitute, value)


def strings_in(value: Any):
    if isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, str):
        yield value


def load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docker_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    # No __pycache__ left beside the image's scripts in docker/.
    writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes_bytecode
    return module


def volume_mounts(service: dict[str, Any]) -> list[tuple[str, str]]:
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            mounts.append((str(volume.get("source", "")), str(volume["target"])))
        else:
            source, _, rest = volume.partition(":")
            mounts.append((source, rest.split(":")[0]))
    return mounts


# --- services ---------------------------------------------------------------------------

def test_every_required_service_exists_once(services):
    for role_name, names in services_playing(services).items():
        assert len(names) == 1, f"{role_name}: expected one service, found {names}"


def test_every_service_has_a_health_check(services):
    for name, service in services.items():
        healthcheck = service.get("healthcheck") or {}
        test = healthcheck.get("test")
        assert test and not healthcheck.get("disable"), f"{name} has no health check"
        assert test not in (["NONE"], "NONE"), f"{name} disables its health check"


def test_ckan_roles_run_the_health_check_of_their_role(services, role):
    checks = load_module(ENTRYPOINT_DIR / "healthcheck.py").CHECKS
    expected = {"web": "web", "jobs worker": "jobs-worker",
                "harvest gather consumer": "harvest-consumer",
                "harvest fetch consumer": "harvest-consumer",
                "harvest scheduler": "harvest-scheduler"}
    for role_name, check in expected.items():
        test = services[role[role_name]]["healthcheck"]["test"]
        assert test[-2:] == ["/srv/app/binhduong/healthcheck.py", check], role_name
        assert check in checks


def test_scheduler_heartbeat_is_the_file_its_health_check_reads(services, role):
    scheduler = services[role["harvest scheduler"]]
    environment = environment_of(scheduler)
    assert environment["HARVEST_HEARTBEAT_FILE"].startswith("/")
    assert environment["HARVEST_RUN_INTERVAL"]
    script = " ".join(command_of(scheduler)).replace("$$", "$")
    assert 'touch "$HARVEST_HEARTBEAT_FILE"' in script
    assert 'sleep "$HARVEST_RUN_INTERVAL"' in script


def test_dependencies_wait_for_health(services, role):
    def waits_for(dependent: str, dependency: str) -> bool:
        depends_on = services[role[dependent]].get("depends_on") or {}
        return (isinstance(depends_on, dict)
                and depends_on.get(role[dependency], {}).get("condition") == "service_healthy")

    for store in ("postgres", "solr", "redis"):
        assert waits_for("web", store), f"web must wait for {store}"
    # The web container runs the migrations: the other CKAN roles start after it.
    for worker in CKAN_ROLES[1:]:
        assert waits_for(worker, "web"), f"{worker} must wait for the web container"
        assert waits_for(worker, "redis"), f"{worker} must wait for redis"
    assert waits_for("nginx", "web")
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        assert isinstance(depends_on, dict), f"{name}: depends_on without conditions"
        for dependency, rule in depends_on.items():
            assert rule.get("condition") == "service_healthy", f"{name} -> {dependency}"


def test_ckan_roles_share_one_image_built_from_the_repository_root(services, role):
    images = set()
    for role_name in CKAN_ROLES:
        service = services[role[role_name]]
        assert service["build"]["context"] == "..", role_name
        assert service["build"]["dockerfile"] == "docker/Dockerfile", role_name
        images.add(service["image"])
    assert len(images) == 1


def test_named_volumes_hold_every_state(compose, services, role):
    named = set(compose.get("volumes") or {})

    def mounted_named(service_name: str, target: str) -> bool:
        return any(source in named and mount == target
                   for source, mount in volume_mounts(services[service_name]))

    assert mounted_named(role["postgres"], "/var/lib/postgresql/data")
    assert mounted_named(role["solr"], "/var/solr")
    for role_name in CKAN_ROLES:
        service = services[role[role_name]]
        storage_path = environment_of(service)["CKAN_STORAGE_PATH"]
        assert mounted_named(role[role_name], storage_path), role_name
    storage_volumes = {source for role_name in CKAN_ROLES
                       for source, target in volume_mounts(services[role[role_name]])
                       if source in named}
    assert len(storage_volumes) == 1, "all CKAN roles must share one file store"


def test_only_nginx_publishes_a_port_and_it_is_80(services, role):
    for name, service in services.items():
        if name != role["nginx"]:
            assert not service.get("ports"), f"{name} must not publish ports"
    ports = services[role["nginx"]]["ports"]
    assert ports
    for port in ports:
        if isinstance(port, dict):
            published, target = str(port.get("published")), str(port["target"])
        else:
            parts = str(port).split("/")[0].split(":")
            published, target = parts[-2], parts[-1]
        assert (published, target) == ("80", "80")


def test_databases_solr_and_redis_have_no_route_out(compose, services, role):
    networks = compose["networks"]
    for role_name in ("postgres", "solr", "redis"):
        attached = services[role[role_name]]["networks"]
        assert attached, role_name
        for network in attached:
            assert (networks[network] or {}).get("internal") is True, f"{role_name}: {network}"


def test_postgres_init_creates_the_databases_and_the_read_only_role(compose, services, role):
    postgres = services[role["postgres"]]
    mounted = {entry["source"]: entry["target"] for entry in postgres["configs"]}
    scripts = [compose["configs"][source]["content"] for source, target in mounted.items()
               if target.startswith("/docker-entrypoint-initdb.d/")]
    assert len(scripts) == 1
    sql = scripts[0]
    assert re.search(r"CREATE ROLE datastore_default LOGIN\b", sql)
    assert "NOSUPERUSER" in sql.split("CREATE ROLE datastore_default")[1].split(";")[0]
    assert re.search(r"CREATE DATABASE ckan OWNER ckan_default\b", sql)
    assert re.search(r"CREATE DATABASE datastore OWNER ckan_default\b", sql)
    # Passwords come from the container's environment, never from the file.
    assert not re.search(r"PASSWORD\s+'", sql)
    for variable in re.findall(r"\\getenv \w+ (\w+)", sql):
        assert variable in environment_of(postgres)
    # The databases and roles in the CKAN URLs are the ones created, on this service.
    environment = environment_of(services[role["web"]])
    host = re.escape(role["postgres"])
    assert re.fullmatch(rf"postgresql://ckan_default:[^@]+@{host}:5432/ckan",
                        environment["CKAN_SQLALCHEMY_URL"])
    assert re.fullmatch(rf"postgresql://ckan_default:[^@]+@{host}:5432/datastore",
                        environment["CKAN_DATASTORE_WRITE_URL"])
    assert re.fullmatch(rf"postgresql://datastore_default:[^@]+@{host}:5432/datastore",
                        environment["CKAN_DATASTORE_READ_URL"])


# --- secrets ------------------------------------------------------------------------------

def test_no_literal_secrets_in_the_compose_file(services):
    for name, service in services.items():
        for key, value in environment_of(service).items():
            references = list(REFERENCE.finditer(value))
            if SECRET_NAME.search(key):
                rest = REFERENCE.sub("", value)
                assert rest in ("", "string:"), f"{name}.{key} has a literal value {value!r}"
            for match in references:
                if match.group(0) == "$$" or not SECRET_NAME.search(match.group("name")):
                    continue
                # A default would be a fixed secret in disguise.
                assert not (match.group("op") in ("-", ":-") and match.group("arg")), \
                    f"{name}.{key}: {match.group(0)} has a default"
            credentials = re.search(r"://[^/@:]+:(?P<password>[^@]*)@", value)
            if credentials:
                assert re.fullmatch(REFERENCE, credentials.group("password")), \
                    f"{name}.{key}: the URL's password is not a ${{VAR}} reference"


def test_every_dollar_is_a_reference_or_escaped(compose):
    for text in strings_in(compose):
        unescaped = text.replace("$$", "")
        assert not re.search(r"\$(?!\{)", unescaped), f"bare $ in {text!r}"


def test_env_example_has_placeholders_only(env_example):
    for name, value in env_example.items():
        if SECRET_NAME.search(name):
            assert value in ("", PLACEHOLDER), f".env.example: {name} looks like a real secret"


def test_env_example_sets_every_required_variable(compose, env_example):
    required = {match.group("name") for text in strings_in(compose)
                for match in REFERENCE.finditer(text) if match.group("op") in (":?", "?")}
    assert required
    missing = sorted(name for name in required if not env_example.get(name))
    assert not missing, f".env.example lacks {missing}"
    interpolate(compose, env_example)  # raises on a missing required variable


# --- CKAN configuration -------------------------------------------------------------------

def test_ckan_settings_of_every_role(services, role):
    for role_name in CKAN_ROLES:
        environment = environment_of(services[role[role_name]])
        assert environment["CKAN__PLUGINS"].split() == PLUGINS, role_name
        assert environment["CKAN__CSRF_PROTECTION__IGNORE_EXTENSIONS"] == "false", role_name
        assert environment["CKAN__LOCALE_DEFAULT"] == "vi"
        assert environment["CKAN__LOCALES_OFFERED"].split() == ["vi", "en"]
        assert environment["CKAN__HARVEST__MQ__TYPE"] == "redis"
        assert environment["CKANEXT__BINHDUONG__HARVEST_ALLOW_PRIVATE_ADDRESSES"] == "false"
        # The URLs name the services of this file (Solr's core is `ckan` in CKAN's image).
        assert environment["CKAN_SOLR_URL"] == f"http://{role['solr']}:8983/solr/ckan"
        assert environment["CKAN_REDIS_URL"].startswith(f"redis://{role['redis']}:6379/")
        assert environment["CKANEXT__XLOADER__SITE_URL"] == f"http://{role['web']}:5000"
        assert environment["CKANEXT__XLOADER__JOBS_DB__URI"] == environment["CKAN_SQLALCHEMY_URL"]


@pytest.fixture(scope="module")
def entrypoint() -> ModuleType:
    return load_module(ENTRYPOINT_DIR / "entrypoint.py")


@pytest.fixture(scope="module")
def deployed_env(env_example) -> dict[str, str]:
    """.env.example as an operator fills it in: every placeholder replaced by a hex secret."""
    return {name: ("0f" * 32 if value == PLACEHOLDER else value)
            for name, value in env_example.items()}


def test_entrypoint_writes_the_compose_settings_into_ckan_ini(
        tmp_path, services, role, entrypoint, deployed_env):
    upper_case_keys = entrypoint.upper_case_ckan_keys()
    for role_name in CKAN_ROLES:
        environment = interpolate(environment_of(services[role[role_name]]), deployed_env)
        entrypoint.check_environment(environment)
        ini = tmp_path / "ckan.ini"
        ini.write_text("[app:main]\nuse = egg:ckan\nSECRET_KEY =\n", encoding="utf-8")
        entrypoint.write_ini(str(ini), entrypoint.settings_from_env(environment, upper_case_keys))

        parser = configparser.ConfigParser(interpolation=None)
        parser.optionxform = str
        parser.read(ini, encoding="utf-8")
        options = parser["app:main"]
        assert options["ckan.plugins"].split() == PLUGINS
        assert options["ckan.csrf_protection.ignore_extensions"] == "false"
        assert options["ckan.locale_default"] == "vi"
        assert options["ckan.locales_offered"] == "vi en"
        assert options["scheming.dataset_schemas"] == "ckanext.binhduong.schemas:dataset.yaml"
        assert (options["scheming.organization_schemas"]
                == "ckanext.binhduong.schemas:organization.yaml")
        assert options["ckan.harvest.mq.type"] == "redis"
        assert options["ckanext.binhduong.harvest_allow_private_addresses"] == "false"
        assert options["ckan.site_title"] == "Cổng dữ liệu mở tỉnh Bình Dương"
        # Flask's upper-case options keep their case; the rest become dotted lower case.
        assert options["SECRET_KEY"] == "0f" * 32
        assert "secret_key" not in options
        assert options["api_token.jwt.encode.secret"] == "string:" + "0f" * 32
        assert options["api_token.jwt.decode.secret"] == options["api_token.jwt.encode.secret"]
        # CKAN core reads the connection URLs from the environment itself.
        assert "sqlalchemy.url" not in options
        # An empty optional setting keeps CKAN's default instead of becoming "".
        assert "ckanext.xloader.api_token" not in options


def test_entrypoint_refuses_placeholders_and_percent_signs(entrypoint):
    with pytest.raises(entrypoint.ConfigError, match="CKAN___SECRET_KEY"):
        entrypoint.check_environment({"CKAN___SECRET_KEY": PLACEHOLDER})
    with pytest.raises(entrypoint.ConfigError, match="CKAN_SQLALCHEMY_URL"):
        entrypoint.check_environment({"CKAN_SQLALCHEMY_URL": "postgresql://u:p%40ss@db/ckan"})
    entrypoint.check_environment({"CKAN___SECRET_KEY": "0f" * 32, "PATH": "/x%y"})


def test_entrypoint_maps_names_like_the_official_images(entrypoint):
    upper = frozenset({"SECRET_KEY"})
    assert entrypoint.ini_key("CKAN__SITE_TITLE", upper) == "ckan.site_title"
    assert (entrypoint.ini_key("CKANEXT__XLOADER__JOBS_DB__URI", upper)
            == "ckanext.xloader.jobs_db.uri")
    assert entrypoint.ini_key("CKAN___SCHEMING__PRESETS", upper) == "scheming.presets"
    assert entrypoint.ini_key("CKAN___SECRET_KEY", upper) == "SECRET_KEY"
    assert entrypoint.ini_key("CKAN_SQLALCHEMY_URL", upper) is None
    assert entrypoint.ini_key("CKAN_INI", upper) is None


# --- Dockerfile ---------------------------------------------------------------------------

def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines, parts = [], []
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        # Docker drops comment lines, also in the middle of a continued instruction.
        if not stripped or stripped.startswith("#"):
            continue
        parts.append(stripped.removesuffix("\\").strip())
        if not stripped.endswith("\\"):
            lines.append(" ".join(parts))
            parts = []
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_dockerfile_builds_on_the_official_image_of_our_ckan_release():
    images = [args.split()[0] for instruction, args in dockerfile_instructions()
              if instruction == "FROM"]
    assert images
    match = re.fullmatch(r"ckan/ckan-base:(2\.12(?:\.\d+)?)", images[-1])
    assert match, f"final stage must be an official CKAN 2.12 image, not {images[-1]}"
    pin = re.search(r"^ckan\[requirements\]==(\S+)", (ROOT / "constraints.txt").read_text(
        encoding="utf-8"), re.M)
    assert pin and match.group(1) == pin.group(1), \
        "the base image's CKAN release must equal the pin in constraints.txt"


def test_dockerfile_installs_the_pins_and_our_extension():
    instructions = dockerfile_instructions()
    runs = " ".join(args for instruction, args in instructions if instruction == "RUN")
    copies = [args for instruction, args in instructions if instruction == "COPY"]
    assert re.search(r"pip install [^;&]*-r \S*constraints\.txt", runs)
    assert re.search(r"pip install [^;&]*--no-deps \$no_deps", runs)
    assert "no-deps:" in runs  # the names come from constraints.txt, not the Dockerfile
    no_deps = re.findall(r"^# no-deps:\s*(\S+)", (ROOT / "constraints.txt").read_text(
        encoding="utf-8"), re.M)
    assert "ckanext-xloader==2.6.0" in no_deps

    # Every folder setup.py maps into the package must be in the image.
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    packages = next(ast.literal_eval(node.value) for node in ast.walk(tree)
                    if isinstance(node, ast.Assign)
                    and any(getattr(target, "id", "") == "PACKAGES" for target in node.targets))
    copied_sources = {source for args in copies
                      for source in args.split()[:-1] if not source.startswith("--")}
    for folder in {path.split("/")[0] for path in packages.values()} | {"setup.py"}:
        assert folder in copied_sources, f"{folder} (setup.py) is not copied into the image"
    assert re.search(r"pip install [^;&]*-e \.", runs)
    # Sources are relative to the build context, the repository root.
    for source in copied_sources:
        assert (ROOT / source).exists(), f"COPY source {source} does not exist"


def test_dockerfile_entrypoint_and_health_check_exist():
    instructions = dict(dockerfile_instructions())
    assert "/srv/app/binhduong/entrypoint.py" in instructions["ENTRYPOINT"]
    assert "/srv/app/start_ckan.sh" in instructions["CMD"]
    for script in ("entrypoint.py", "healthcheck.py"):
        assert (ENTRYPOINT_DIR / script).is_file()


def test_web_start_queues_the_dcat_warming_without_waiting_or_failing(tmp_path):
    """docker-entrypoint.d/ of the base image: start_ckan.sh runs its *.py after prerun.py."""
    copies = [args.split() for instruction, args in dockerfile_instructions() if instruction == "COPY"]
    target = next(args[-1] for args in copies if "docker/ckan-entrypoint.d/dcat_warm.py" in args)
    assert re.fullmatch(r"/docker-entrypoint\.d/[\w-]+\.py", target), target
    warm = load_module(ENTRYPOINT_DIR / "dcat_warm.py")
    words = warm.command("/srv/app/ckan.ini")
    assert words[:3] == ["ckan", "-c", "/srv/app/ckan.ini"]
    # The words name the real command, which enqueues unless told --now (make up runs the same).
    from ckanext.binhduong import cli

    context = click.Context(cli.binhduong)
    assert words[3] == cli.binhduong.name
    warm_command = cli.binhduong.get_command(context, words[4]).get_command(context, words[5])
    assert warm_command is not None and "--now" not in words
    up = (ROOT / "scripts" / "up.sh").read_text(encoding="utf-8")
    assert f"ckan_cli {' '.join(words[3:])} " in up
    # A CKAN that cannot start must not stop the web server's start: logged, exit status 0.
    environment = {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
                   "CKAN_INI": str(tmp_path / "missing.ini")}
    done = subprocess.run([sys.executable, str(ENTRYPOINT_DIR / "dcat_warm.py")], env=environment,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "DCAT cache warming not queued" in done.stderr
    assert "Config file not found" in done.stderr + done.stdout


# --- nginx --------------------------------------------------------------------------------

def test_nginx_proxies_to_ckan_with_the_upload_limit(services, role):
    conf = NGINX_CONF.read_text(encoding="utf-8")
    upstreams = dict(re.findall(r"upstream\s+(\w+)\s*\{([^}]*)\}", conf))
    targets = set(re.findall(r"proxy_pass\s+http://(\w+)", conf))
    web = re.escape(role["web"])
    assert targets and all(re.search(rf"server\s+{web}:5000\b", upstreams[t]) for t in targets)
    assert re.search(r"^\s*listen\s+80\b", conf, re.M)
    assert re.search(r"^\s*gzip\s+on;", conf, re.M)
    for header in ("Host", "X-Forwarded-For", "X-Forwarded-Proto"):
        assert re.search(rf"proxy_set_header\s+{header}\s", conf), header

    body_limit = re.search(r"client_max_body_size\s+(\d+)m;", conf)
    upload_limit = environment_of(services[role["web"]])["CKAN_MAX_UPLOAD_SIZE_MB"]
    assert body_limit and body_limit.group(1) == upload_limit == "100"

    mounts = dict((target, source) for source, target in volume_mounts(services[role["nginx"]]))
    assert mounts.get("/etc/nginx/nginx.conf") == "./nginx.conf"


def test_nginx_health_check_uses_its_health_endpoint(services, role):
    conf = NGINX_CONF.read_text(encoding="utf-8")
    endpoints = re.findall(r"location\s+=\s+(\S+)\s*\{[^}]*return\s+200", conf)
    assert endpoints
    test = " ".join(services[role["nginx"]]["healthcheck"]["test"])
    assert any(f"http://127.0.0.1{endpoint}" in test for endpoint in endpoints)


def test_the_solr_image_builds_the_cores_configuration_as_make_up_does():
    """The production core gets the same schema, synonyms and solrconfig.xml as the local cores
    (scripts/configure.sh: layout_solr_core), from the Solr release config/solr/pom.xml pins and
    the CKAN release the portal image is built on."""
    dockerfile = (DOCKER / "solr.Dockerfile").read_text()
    portal = (DOCKER / "Dockerfile").read_text()
    solr_version = re.search(r"Apache Solr (\d+\.\d+\.\d+)", (ROOT / "config" / "solr" / "pom.xml").read_text()).group(1)
    ckan_base = re.search(r"^FROM (ckan/ckan-base:\S+)", portal, re.M).group(1)
    assert re.search(rf"^FROM solr:{re.escape(solr_version)}$", dockerfile, re.M), solr_version
    assert re.search(rf"^FROM {re.escape(ckan_base)} AS core-config$", dockerfile, re.M), ckan_base
    assert "build_schema.py \"$schema\" /tmp/solr-source/synonyms-vi.txt" in dockerfile
    assert "solrconfig.xml" in dockerfile and "solr-precreate\", \"ckan\"" in dockerfile
    assert (ROOT / "config" / "solr" / "synonyms-vi.txt").is_file() and (ROOT / "config" / "solr" / "build_schema.py").is_file()
