"""One cdk8s construct per deployment shape.

A pattern knows Kubernetes, not Voyager: it takes one typed config and never
names a specific service. Voyager's inventory lives in lib/catalog.
"""
