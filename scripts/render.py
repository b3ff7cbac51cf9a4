#!/usr/bin/env python3
"""Render a config template: each {{NAME}} is replaced by the environment variable NAME.

A placeholder without a value is an error, so a template never ships half-rendered.
Usage: render.py TEMPLATE OUTPUT
"""
import os
import re
import sys

PLACEHOLDER = re.compile(r"\{\{([A-Z0-9_]+)\}\}")


def main(template_path: str, output_path: str) -> int:
    with open(template_path, encoding="utf-8") as handle:
        template = handle.read()
    missing = sorted({name for name in PLACEHOLDER.findall(template) if name not in os.environ})
    if missing:
        print(f"render.py: {template_path}: no value for {', '.join(missing)}", file=sys.stderr)
        return 1
    rendered = PLACEHOLDER.sub(lambda match: os.environ[match.group(1)], template)
    temporary = output_path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(rendered)
    os.chmod(temporary, 0o600)
    os.replace(temporary, output_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
