"""``python -m bench``: run every benchmark and print the tables (also saved to bench/results/latest.md).

Options: ``--only core,drawing,app,browser,instant,memory,layer,exports,lean,network,class,rooms`` to run some
sections; ``--class N`` runs only the class benchmark with N students at once (and 1 and 10). ``class``
and ``rooms`` (a live class question through deploy.serve with Redis) are not in the default list.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
from importlib.metadata import version
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"


def machine() -> str:
    """The machine and the library versions, to print with the tables."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    libraries = ", ".join(
        f"{name} {version(name)}" for name in ("numpy", "scipy", "pillow", "streamlit", "matplotlib")
    )
    return (
        f"Machine: {model}, {os.cpu_count()} cores, Python {platform.python_version()} on "
        f"{platform.system()} {platform.machine()}; {libraries}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only",
        default="core,drawing,app,browser,instant,memory,layer,exports,lean,network",
        help="comma-separated sections",
    )
    parser.add_argument("--class", dest="students", type=int, help="the class benchmark with N students")
    options = parser.parse_args()
    sections = ["class"] if options.students else options.only.split(",")
    parts = [machine()]
    titles = {
        "core": "### Core",
        "drawing": "### Drawing a grid with its values",
        "app": "### App, server side (AppTest, one process)",
        "browser": "### Browser and memory (the app started with streamlit run)",
        "instant": "### In the browser: hover, filter changes, steppers (python -m bench --only instant)",
        "memory": "### Server memory, many and big photos (raw protocol client, python -m bench.memory)",
        "layer": "### A whole layer: eight filters, two layers, learning (python -m bench --only layer)",
        "exports": "### Exports: animations, handout (python -m bench --only exports)",
        "lean": "### A lean page: server CPU per action, the app against a bare page (python -m bench --only lean)",  # noqa: E501
        "network": "### A trained network: accuracy, training, forward pass, the page (python -m bench --only network)",  # noqa: E501
        "class": "### A class at once (raw protocol clients, python -m bench --class 30)",
        "rooms": "### A live question to the class: 30 answers at once, Redis (python -m bench --only rooms)",
    }
    print(parts[0], flush=True)
    for section in sections:
        name = {"app": "app_server", "class": "classroom"}.get(section, section)
        module = importlib.import_module(f"bench.{name}")
        parts += [titles[section], module.run(options.students) if section == "class" else module.run()]
        print("\n" + "\n\n".join(parts[-2:]), flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
