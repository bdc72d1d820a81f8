"""Maps the top-level ``resources/`` folder into the package as ``inference_gui.resources``.

pyproject.toml alone cannot combine package discovery with a package that lives outside the
package folder; this keeps ``resources/`` at the top of the checkout (where people look for it)
while a plain ``pip install .`` still installs it as package data.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["inference_gui", "inference_gui.*"])
    + ["inference_gui.resources"],
    package_dir={"inference_gui.resources": "resources"},
)
