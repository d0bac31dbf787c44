"""Voyager platform as code: typed cdk8s constructs that render dist/.

Data flows one way: values -> config -> catalog -> platform -> patterns ->
output, with validate and docs reading only the rendered YAML.
"""
from .k8s.runtime import use_bundled_node as _use_bundled_node

# Before anything imports constructs/cdk8s (which start jsii's Node process).
_use_bundled_node()
