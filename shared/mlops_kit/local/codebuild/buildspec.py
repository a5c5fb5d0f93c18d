"""Reading a buildspec (version 0.2) as CodeBuild does, with its YAML_FILE_ERROR messages.

What the local runner uses: ``env.variables`` (below the project's and the build's own
variables, as on AWS), the four phases with ``commands``, ``finally`` and ``on-failure``,
``artifacts`` (``files``, ``base-directory``, ``discard-paths``, ``name``).
``runtime-versions`` is read and reported (the build uses the kit's Python), and
``env.exported-variables``, ``reports`` and ``cache`` are accepted and ignored.
"""

from dataclasses import dataclass, field

import yaml

PHASES = ("install", "pre_build", "build", "post_build")
TOP_LEVEL = {"version", "run-as", "env", "proxy", "batch", "phases", "reports", "artifacts", "cache"}


class BuildspecError(Exception):
    """The build fails in DOWNLOAD_SOURCE with this message (CodeBuild's status code YAML_FILE_ERROR)."""


@dataclass
class Phase:
    commands: list[str] = field(default_factory=list)
    finally_commands: list[str] = field(default_factory=list)
    on_failure: str = "ABORT"
    runtime_versions: dict = field(default_factory=dict)


@dataclass
class Buildspec:
    variables: dict[str, str]
    phases: dict[str, Phase]
    artifacts: dict | None


def parse_buildspec(text: str, where: str) -> Buildspec:
    """The buildspec in ``text`` (read from ``where``), or BuildspecError naming the file and line."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}:" if mark else ""
        raise BuildspecError(f"YAML_FILE_ERROR: {where}:{line} {getattr(error, 'problem', None) or error}") from None
    if not isinstance(data, dict):
        raise BuildspecError(f"YAML_FILE_ERROR: {where}: a buildspec is a YAML mapping with version and phases")
    if str(data.get("version")) != "0.2":
        raise BuildspecError(f"YAML_FILE_ERROR: {where}: invalid buildspec version {data.get('version')!r}; "
                             "the local runner reads version 0.2")
    unknown = set(data) - TOP_LEVEL
    if unknown:
        raise BuildspecError(f"YAML_FILE_ERROR: {where}: unknown keys {sorted(unknown)} at the top level")
    env = data.get("env") or {}
    variables = {str(k): "" if v is None else str(v) for k, v in (env.get("variables") or {}).items()}
    phases = {}
    for name, body in (data.get("phases") or {}).items():
        if name not in PHASES:
            raise BuildspecError(f"YAML_FILE_ERROR: {where}: unknown phase {name!r}; phases are {', '.join(PHASES)}")
        phases[name] = _phase(body or {}, name, where)
    artifacts = data.get("artifacts")
    if artifacts is not None and not isinstance(artifacts.get("files"), list):
        raise BuildspecError(f"YAML_FILE_ERROR: {where}: artifacts.files must be a list of paths or globs")
    return Buildspec(variables, phases, artifacts)


def _phase(body: dict, name: str, where: str) -> Phase:
    if not isinstance(body, dict):
        raise BuildspecError(f"YAML_FILE_ERROR: {where}: phase {name} must be a mapping with commands")
    commands = body.get("commands") or []
    finally_commands = body.get("finally") or []
    for index, command in enumerate([*commands, *finally_commands]):
        if not isinstance(command, str):
            raise BuildspecError(f"YAML_FILE_ERROR: {where}: Expected Commands[{index}] of phase {name} to be of "
                                 "string type: found subkeys instead (quote a command that contains ': ')")
    on_failure = body.get("on-failure", "ABORT")
    if on_failure not in ("ABORT", "CONTINUE"):
        raise BuildspecError(f"YAML_FILE_ERROR: {where}: on-failure of phase {name} must be ABORT or CONTINUE")
    return Phase(list(commands), list(finally_commands), on_failure, dict(body.get("runtime-versions") or {}))
