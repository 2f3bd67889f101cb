"""The README's Python example runs and does what it says."""

import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def test_readme_python_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has a Python example"
    for code in blocks:
        exec(compile(code, str(README), "exec"), {})


def test_readme_names_the_commands_ci_runs():
    text = README.read_text()
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text()
    test_command = re.search(r"pip install -e \"\.\[test\]\" && (pytest[^\n`]*)", text).group(1)
    assert test_command.strip() in ci
    assert "opennr simulate" in text
