"""README's two set-up commands stay in step with CI."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _command(marker: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker} -->\s*```bash\n(.+?)\n```", text, re.S)
    assert match, f"README has no {marker} block"
    return match.group(1).strip()


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = _command("test-command")
    assert "pytest" in command and "[test]" in command and "-e " not in command
    assert command in ci.splitlines()


def test_run_command_installs_and_launches():
    command = _command("run-command")
    assert "system_deps.sh" in command and command.endswith("mineral-workbench")
