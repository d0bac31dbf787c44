"""For one environment: walk the catalog and instantiate the constructs.

One cdk8s Chart per namespace (its baseline, identities, workloads and
policies) and one Chart for cluster-scoped objects. Whatever is derived
(network policies from declared edges, the backup list from where state
lives, the Argo CD Applications from the namespaces) is derived here, once.
"""
