"""The thin layer between our plain-data bodies and cdk8s.

``runtime`` picks the Node that jsii runs on; ``api`` names each kind's
apiVersion (from ``gvks``, the table scripts/import_crds.py generates from
cdk8s-plus-27 and imports/) and is the only module that imports cdk8s-plus-27
(moving to a newer cdk8s-plus is a change there); ``objects`` turns bodies
into cdk8s ApiObjects in as few jsii round trips as it can.
"""
