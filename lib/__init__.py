"""Voyager platform as code: typed cdk8s constructs that render dist/.

Data flows one way: values -> config -> catalog -> platform -> patterns ->
output, with validate and docs reading only the rendered YAML.
"""
