"""The thin layer between our plain-data bodies and cdk8s.

``runtime`` picks the Node that jsii runs on; ``api`` is the only module that
imports cdk8s-plus-27 (moving to a newer cdk8s-plus is a change there);
``objects`` turns a body into a cdk8s ApiObject in as few jsii calls as it can.
"""
