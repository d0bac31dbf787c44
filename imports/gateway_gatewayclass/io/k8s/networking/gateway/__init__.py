from __future__ import annotations

from pkgutil import extend_path
__path__ = extend_path(__path__, __name__)

import abc
import builtins
import datetime
import enum
import typing

import jsii
import publication
import typing_extensions

from jsii._type_checking import cached_type_hints, check_type


from ._jsii import *

class _LazyImport:
    def __init__(self, module_name: str) -> None:
        self._module_name = module_name
        self._module: typing.Any = None
    def __getattr__(self, name: str) -> typing.Any:
        if self._module is None:
            import importlib
            self._module = importlib.import_module(self._module_name)
        return getattr(self._module, name)

if typing.TYPE_CHECKING:

    import cdk8s as _cdk8s_d3d9af27
    import constructs as _constructs_77d1e7e8
else:

    _cdk8s_d3d9af27 = _LazyImport("cdk8s")
    _constructs_77d1e7e8 = _LazyImport("constructs")


class GatewayClass(
    _cdk8s_d3d9af27.ApiObject,
    metaclass=jsii.JSIIMeta,
    jsii_type="gateway_gatewayclass_iok8snetworkinggateway.GatewayClass",
):
    '''GatewayClass describes a class of Gateways available to the user for creating Gateway resources.

    It is recommended that this resource be used as a template for Gateways. This
    means that a Gateway is based on the state of the GatewayClass at the time it
    was created and changes to the GatewayClass or associated parameters are not
    propagated down to existing Gateways. This recommendation is intended to
    limit the blast radius of changes to GatewayClass or associated parameters.
    If implementations choose to propagate GatewayClass changes to existing
    Gateways, that MUST be clearly documented by the implementation.

    Whenever one or more Gateways are using a GatewayClass, implementations SHOULD
    add the ``gateway-exists-finalizer.gateway.networking.k8s.io`` finalizer on the
    associated GatewayClass. This ensures that a GatewayClass associated with a
    Gateway is not deleted while in use.

    GatewayClass is a Cluster level resource.

    A GatewayClass name SHOULD be compliant with RFC 1035, consisting of a maximum of 63 lower case alphanumeric
    characters or hyphens ('-'), and MUST start and end with an alphanumeric character.

    :schema: GatewayClass
    '''

    def __init__(
        self,
        scope: "_constructs_77d1e7e8.Construct",
        id: builtins.str,
        *,
        spec: typing.Union["GatewayClassSpec", typing.Dict[builtins.str, typing.Any]],
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''Defines a "GatewayClass" API object.

        :param scope: the scope in which to define this object.
        :param id: a scope-local name for the object.
        :param spec: Spec defines the desired state of GatewayClass.
        :param metadata: 
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__848c8cb2929fb7cad2568cdbf3e277b3d94c6410a0d19c59be636024084de868)
            check_type(argname="argument scope", value=scope, expected_type=type_hints["scope"])
            check_type(argname="argument id", value=id, expected_type=type_hints["id"])
        props = GatewayClassProps(spec=spec, metadata=metadata)

        jsii.create(self.__class__, self, [scope, id, props])

    @jsii.member(jsii_name="manifest")
    @builtins.classmethod
    def manifest(
        cls,
        *,
        spec: typing.Union["GatewayClassSpec", typing.Dict[builtins.str, typing.Any]],
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> typing.Any:
        '''Renders a Kubernetes manifest for "GatewayClass".

        This can be used to inline resource manifests inside other objects (e.g. as templates).

        :param spec: Spec defines the desired state of GatewayClass.
        :param metadata: 
        '''
        props = GatewayClassProps(spec=spec, metadata=metadata)

        return typing.cast(typing.Any, jsii.sinvoke(cls, "manifest", [props]))

    @jsii.member(jsii_name="toJson")
    def to_json(self) -> typing.Any:
        '''Renders the object to Kubernetes JSON.'''
        return typing.cast(typing.Any, jsii.invoke(self, "toJson", []))

    @jsii.python.classproperty
    @jsii.member(jsii_name="GVK")
    def GVK(cls) -> "_cdk8s_d3d9af27.GroupVersionKind":
        '''Returns the apiVersion and kind for "GatewayClass".'''
        return typing.cast("_cdk8s_d3d9af27.GroupVersionKind", jsii.sget(cls, "GVK"))


@jsii.data_type(
    jsii_type="gateway_gatewayclass_iok8snetworkinggateway.GatewayClassProps",
    jsii_struct_bases=[],
    name_mapping={"spec": "spec", "metadata": "metadata"},
)
class GatewayClassProps:
    def __init__(
        self,
        *,
        spec: typing.Union["GatewayClassSpec", typing.Dict[builtins.str, typing.Any]],
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''GatewayClass describes a class of Gateways available to the user for creating Gateway resources.

        It is recommended that this resource be used as a template for Gateways. This
        means that a Gateway is based on the state of the GatewayClass at the time it
        was created and changes to the GatewayClass or associated parameters are not
        propagated down to existing Gateways. This recommendation is intended to
        limit the blast radius of changes to GatewayClass or associated parameters.
        If implementations choose to propagate GatewayClass changes to existing
        Gateways, that MUST be clearly documented by the implementation.

        Whenever one or more Gateways are using a GatewayClass, implementations SHOULD
        add the ``gateway-exists-finalizer.gateway.networking.k8s.io`` finalizer on the
        associated GatewayClass. This ensures that a GatewayClass associated with a
        Gateway is not deleted while in use.

        GatewayClass is a Cluster level resource.

        A GatewayClass name SHOULD be compliant with RFC 1035, consisting of a maximum of 63 lower case alphanumeric
        characters or hyphens ('-'), and MUST start and end with an alphanumeric character.

        :param spec: Spec defines the desired state of GatewayClass.
        :param metadata: 

        :schema: GatewayClass
        '''
        if isinstance(spec, dict):
            spec = GatewayClassSpec(**spec)
        if isinstance(metadata, dict):
            metadata = _cdk8s_d3d9af27.ApiObjectMetadata(**metadata)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__08b89555941df653c7a9289351648a634775a2ccfcae3d4ebe7b62ecc0b508c8)
            check_type(argname="argument spec", value=spec, expected_type=type_hints["spec"])
            check_type(argname="argument metadata", value=metadata, expected_type=type_hints["metadata"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "spec": spec,
        }
        if metadata is not None:
            self._values["metadata"] = metadata

    @builtins.property
    def spec(self) -> "GatewayClassSpec":
        '''Spec defines the desired state of GatewayClass.

        :schema: GatewayClass#spec
        '''
        result = self._values.get("spec")
        assert result is not None, "Required property 'spec' is missing"
        return typing.cast("GatewayClassSpec", result)

    @builtins.property
    def metadata(self) -> typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"]:
        '''
        :schema: GatewayClass#metadata
        '''
        result = self._values.get("metadata")
        return typing.cast(typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "GatewayClassProps(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="gateway_gatewayclass_iok8snetworkinggateway.GatewayClassSpec",
    jsii_struct_bases=[],
    name_mapping={
        "controller_name": "controllerName",
        "description": "description",
        "parameters_ref": "parametersRef",
    },
)
class GatewayClassSpec:
    def __init__(
        self,
        *,
        controller_name: builtins.str,
        description: typing.Optional[builtins.str] = None,
        parameters_ref: typing.Optional[typing.Union["GatewayClassSpecParametersRef", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''Spec defines the desired state of GatewayClass.

        :param controller_name: ControllerName is the name of the controller that is managing Gateways of this class. The value of this field MUST be a domain prefixed path. Example: "example.net/gateway-controller". This field is not mutable and cannot be empty. Support: Core
        :param description: Description helps describe a GatewayClass with more details.
        :param parameters_ref: ParametersRef is a reference to a resource that contains the configuration parameters corresponding to the GatewayClass. This is optional if the controller does not require any additional configuration. ParametersRef can reference a standard Kubernetes resource, i.e. ConfigMap, or an implementation-specific custom resource. The resource can be cluster-scoped or namespace-scoped. If the referent cannot be found, refers to an unsupported kind, or when the data within that resource is malformed, the GatewayClass SHOULD be rejected with the "Accepted" status condition set to "False" and an "InvalidParameters" reason. A Gateway for this GatewayClass may provide its own ``parametersRef``. When both are specified, the merging behavior is implementation specific. It is generally recommended that GatewayClass provides defaults that can be overridden by a Gateway. Support: Implementation-specific

        :schema: GatewayClassSpec
        '''
        if isinstance(parameters_ref, dict):
            parameters_ref = GatewayClassSpecParametersRef(**parameters_ref)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__743c8f6a821ed1e3ca68f23cc58472c00e3f9101a55625ac702283bf5c2929a2)
            check_type(argname="argument controller_name", value=controller_name, expected_type=type_hints["controller_name"])
            check_type(argname="argument description", value=description, expected_type=type_hints["description"])
            check_type(argname="argument parameters_ref", value=parameters_ref, expected_type=type_hints["parameters_ref"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "controller_name": controller_name,
        }
        if description is not None:
            self._values["description"] = description
        if parameters_ref is not None:
            self._values["parameters_ref"] = parameters_ref

    @builtins.property
    def controller_name(self) -> builtins.str:
        '''ControllerName is the name of the controller that is managing Gateways of this class.

        The value of this field MUST be a domain prefixed path.

        Example: "example.net/gateway-controller".

        This field is not mutable and cannot be empty.

        Support: Core

        :schema: GatewayClassSpec#controllerName
        '''
        result = self._values.get("controller_name")
        assert result is not None, "Required property 'controller_name' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def description(self) -> typing.Optional[builtins.str]:
        '''Description helps describe a GatewayClass with more details.

        :schema: GatewayClassSpec#description
        '''
        result = self._values.get("description")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def parameters_ref(self) -> typing.Optional["GatewayClassSpecParametersRef"]:
        '''ParametersRef is a reference to a resource that contains the configuration parameters corresponding to the GatewayClass.

        This is optional if the
        controller does not require any additional configuration.

        ParametersRef can reference a standard Kubernetes resource, i.e. ConfigMap,
        or an implementation-specific custom resource. The resource can be
        cluster-scoped or namespace-scoped.

        If the referent cannot be found, refers to an unsupported kind, or when
        the data within that resource is malformed, the GatewayClass SHOULD be
        rejected with the "Accepted" status condition set to "False" and an
        "InvalidParameters" reason.

        A Gateway for this GatewayClass may provide its own ``parametersRef``. When both are specified,
        the merging behavior is implementation specific.
        It is generally recommended that GatewayClass provides defaults that can be overridden by a Gateway.

        Support: Implementation-specific

        :schema: GatewayClassSpec#parametersRef
        '''
        result = self._values.get("parameters_ref")
        return typing.cast(typing.Optional["GatewayClassSpecParametersRef"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "GatewayClassSpec(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="gateway_gatewayclass_iok8snetworkinggateway.GatewayClassSpecParametersRef",
    jsii_struct_bases=[],
    name_mapping={
        "group": "group",
        "kind": "kind",
        "name": "name",
        "namespace": "namespace",
    },
)
class GatewayClassSpecParametersRef:
    def __init__(
        self,
        *,
        group: builtins.str,
        kind: builtins.str,
        name: builtins.str,
        namespace: typing.Optional[builtins.str] = None,
    ) -> None:
        '''ParametersRef is a reference to a resource that contains the configuration parameters corresponding to the GatewayClass.

        This is optional if the
        controller does not require any additional configuration.

        ParametersRef can reference a standard Kubernetes resource, i.e. ConfigMap,
        or an implementation-specific custom resource. The resource can be
        cluster-scoped or namespace-scoped.

        If the referent cannot be found, refers to an unsupported kind, or when
        the data within that resource is malformed, the GatewayClass SHOULD be
        rejected with the "Accepted" status condition set to "False" and an
        "InvalidParameters" reason.

        A Gateway for this GatewayClass may provide its own ``parametersRef``. When both are specified,
        the merging behavior is implementation specific.
        It is generally recommended that GatewayClass provides defaults that can be overridden by a Gateway.

        Support: Implementation-specific

        :param group: Group is the group of the referent.
        :param kind: Kind is kind of the referent.
        :param name: Name is the name of the referent.
        :param namespace: Namespace is the namespace of the referent. This field is required when referring to a Namespace-scoped resource and MUST be unset when referring to a Cluster-scoped resource.

        :schema: GatewayClassSpecParametersRef
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__19c4555d6368741dbfb6bf5e96df2b894527b4826d9d4a02c2fdb4d88a0493e9)
            check_type(argname="argument group", value=group, expected_type=type_hints["group"])
            check_type(argname="argument kind", value=kind, expected_type=type_hints["kind"])
            check_type(argname="argument name", value=name, expected_type=type_hints["name"])
            check_type(argname="argument namespace", value=namespace, expected_type=type_hints["namespace"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "group": group,
            "kind": kind,
            "name": name,
        }
        if namespace is not None:
            self._values["namespace"] = namespace

    @builtins.property
    def group(self) -> builtins.str:
        '''Group is the group of the referent.

        :schema: GatewayClassSpecParametersRef#group
        '''
        result = self._values.get("group")
        assert result is not None, "Required property 'group' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def kind(self) -> builtins.str:
        '''Kind is kind of the referent.

        :schema: GatewayClassSpecParametersRef#kind
        '''
        result = self._values.get("kind")
        assert result is not None, "Required property 'kind' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def name(self) -> builtins.str:
        '''Name is the name of the referent.

        :schema: GatewayClassSpecParametersRef#name
        '''
        result = self._values.get("name")
        assert result is not None, "Required property 'name' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def namespace(self) -> typing.Optional[builtins.str]:
        '''Namespace is the namespace of the referent.

        This field is required when referring to a Namespace-scoped resource and
        MUST be unset when referring to a Cluster-scoped resource.

        :schema: GatewayClassSpecParametersRef#namespace
        '''
        result = self._values.get("namespace")
        return typing.cast(typing.Optional[builtins.str], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "GatewayClassSpecParametersRef(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


class GatewayClassV1Beta1(
    _cdk8s_d3d9af27.ApiObject,
    metaclass=jsii.JSIIMeta,
    jsii_type="gateway_gatewayclass_iok8snetworkinggateway.GatewayClassV1Beta1",
):
    '''GatewayClass describes a class of Gateways available to the user for creating Gateway resources.

    It is recommended that this resource be used as a template for Gateways. This
    means that a Gateway is based on the state of the GatewayClass at the time it
    was created and changes to the GatewayClass or associated parameters are not
    propagated down to existing Gateways. This recommendation is intended to
    limit the blast radius of changes to GatewayClass or associated parameters.
    If implementations choose to propagate GatewayClass changes to existing
    Gateways, that MUST be clearly documented by the implementation.

    Whenever one or more Gateways are using a GatewayClass, implementations SHOULD
    add the ``gateway-exists-finalizer.gateway.networking.k8s.io`` finalizer on the
    associated GatewayClass. This ensures that a GatewayClass associated with a
    Gateway is not deleted while in use.

    GatewayClass is a Cluster level resource.

    :schema: GatewayClassV1Beta1
    '''

    def __init__(
        self,
        scope: "_constructs_77d1e7e8.Construct",
        id: builtins.str,
        *,
        spec: typing.Union["GatewayClassV1Beta1Spec", typing.Dict[builtins.str, typing.Any]],
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''Defines a "GatewayClassV1Beta1" API object.

        :param scope: the scope in which to define this object.
        :param id: a scope-local name for the object.
        :param spec: Spec defines the desired state of GatewayClass.
        :param metadata: 
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__2471ea941084e3e4cf41764f0ed6ba4654ecdd72fe5025b51163f327fc65abf7)
            check_type(argname="argument scope", value=scope, expected_type=type_hints["scope"])
            check_type(argname="argument id", value=id, expected_type=type_hints["id"])
        props = GatewayClassV1Beta1Props(spec=spec, metadata=metadata)

        jsii.create(self.__class__, self, [scope, id, props])

    @jsii.member(jsii_name="manifest")
    @builtins.classmethod
    def manifest(
        cls,
        *,
        spec: typing.Union["GatewayClassV1Beta1Spec", typing.Dict[builtins.str, typing.Any]],
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> typing.Any:
        '''Renders a Kubernetes manifest for "GatewayClassV1Beta1".

        This can be used to inline resource manifests inside other objects (e.g. as templates).

        :param spec: Spec defines the desired state of GatewayClass.
        :param metadata: 
        '''
        props = GatewayClassV1Beta1Props(spec=spec, metadata=metadata)

        return typing.cast(typing.Any, jsii.sinvoke(cls, "manifest", [props]))

    @jsii.member(jsii_name="toJson")
    def to_json(self) -> typing.Any:
        '''Renders the object to Kubernetes JSON.'''
        return typing.cast(typing.Any, jsii.invoke(self, "toJson", []))

    @jsii.python.classproperty
    @jsii.member(jsii_name="GVK")
    def GVK(cls) -> "_cdk8s_d3d9af27.GroupVersionKind":
        '''Returns the apiVersion and kind for "GatewayClassV1Beta1".'''
        return typing.cast("_cdk8s_d3d9af27.GroupVersionKind", jsii.sget(cls, "GVK"))


@jsii.data_type(
    jsii_type="gateway_gatewayclass_iok8snetworkinggateway.GatewayClassV1Beta1Props",
    jsii_struct_bases=[],
    name_mapping={"spec": "spec", "metadata": "metadata"},
)
class GatewayClassV1Beta1Props:
    def __init__(
        self,
        *,
        spec: typing.Union["GatewayClassV1Beta1Spec", typing.Dict[builtins.str, typing.Any]],
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''GatewayClass describes a class of Gateways available to the user for creating Gateway resources.

        It is recommended that this resource be used as a template for Gateways. This
        means that a Gateway is based on the state of the GatewayClass at the time it
        was created and changes to the GatewayClass or associated parameters are not
        propagated down to existing Gateways. This recommendation is intended to
        limit the blast radius of changes to GatewayClass or associated parameters.
        If implementations choose to propagate GatewayClass changes to existing
        Gateways, that MUST be clearly documented by the implementation.

        Whenever one or more Gateways are using a GatewayClass, implementations SHOULD
        add the ``gateway-exists-finalizer.gateway.networking.k8s.io`` finalizer on the
        associated GatewayClass. This ensures that a GatewayClass associated with a
        Gateway is not deleted while in use.

        GatewayClass is a Cluster level resource.

        :param spec: Spec defines the desired state of GatewayClass.
        :param metadata: 

        :schema: GatewayClassV1Beta1
        '''
        if isinstance(spec, dict):
            spec = GatewayClassV1Beta1Spec(**spec)
        if isinstance(metadata, dict):
            metadata = _cdk8s_d3d9af27.ApiObjectMetadata(**metadata)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__72a5904b698e3e2d0de93094458a6d244d968cc5c4be5e2c95cf8feb24ff936d)
            check_type(argname="argument spec", value=spec, expected_type=type_hints["spec"])
            check_type(argname="argument metadata", value=metadata, expected_type=type_hints["metadata"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "spec": spec,
        }
        if metadata is not None:
            self._values["metadata"] = metadata

    @builtins.property
    def spec(self) -> "GatewayClassV1Beta1Spec":
        '''Spec defines the desired state of GatewayClass.

        :schema: GatewayClassV1Beta1#spec
        '''
        result = self._values.get("spec")
        assert result is not None, "Required property 'spec' is missing"
        return typing.cast("GatewayClassV1Beta1Spec", result)

    @builtins.property
    def metadata(self) -> typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"]:
        '''
        :schema: GatewayClassV1Beta1#metadata
        '''
        result = self._values.get("metadata")
        return typing.cast(typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "GatewayClassV1Beta1Props(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="gateway_gatewayclass_iok8snetworkinggateway.GatewayClassV1Beta1Spec",
    jsii_struct_bases=[],
    name_mapping={
        "controller_name": "controllerName",
        "description": "description",
        "parameters_ref": "parametersRef",
    },
)
class GatewayClassV1Beta1Spec:
    def __init__(
        self,
        *,
        controller_name: builtins.str,
        description: typing.Optional[builtins.str] = None,
        parameters_ref: typing.Optional[typing.Union["GatewayClassV1Beta1SpecParametersRef", typing.Dict[builtins.str, typing.Any]]] = None,
    ) -> None:
        '''Spec defines the desired state of GatewayClass.

        :param controller_name: ControllerName is the name of the controller that is managing Gateways of this class. The value of this field MUST be a domain prefixed path. Example: "example.net/gateway-controller". This field is not mutable and cannot be empty. Support: Core
        :param description: Description helps describe a GatewayClass with more details.
        :param parameters_ref: ParametersRef is a reference to a resource that contains the configuration parameters corresponding to the GatewayClass. This is optional if the controller does not require any additional configuration. ParametersRef can reference a standard Kubernetes resource, i.e. ConfigMap, or an implementation-specific custom resource. The resource can be cluster-scoped or namespace-scoped. If the referent cannot be found, refers to an unsupported kind, or when the data within that resource is malformed, the GatewayClass SHOULD be rejected with the "Accepted" status condition set to "False" and an "InvalidParameters" reason. A Gateway for this GatewayClass may provide its own ``parametersRef``. When both are specified, the merging behavior is implementation specific. It is generally recommended that GatewayClass provides defaults that can be overridden by a Gateway. Support: Implementation-specific

        :schema: GatewayClassV1Beta1Spec
        '''
        if isinstance(parameters_ref, dict):
            parameters_ref = GatewayClassV1Beta1SpecParametersRef(**parameters_ref)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__67c9d2a65287f37cbed9addd6acebbc32e23d3cf5c29022521044a13e88d14ac)
            check_type(argname="argument controller_name", value=controller_name, expected_type=type_hints["controller_name"])
            check_type(argname="argument description", value=description, expected_type=type_hints["description"])
            check_type(argname="argument parameters_ref", value=parameters_ref, expected_type=type_hints["parameters_ref"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "controller_name": controller_name,
        }
        if description is not None:
            self._values["description"] = description
        if parameters_ref is not None:
            self._values["parameters_ref"] = parameters_ref

    @builtins.property
    def controller_name(self) -> builtins.str:
        '''ControllerName is the name of the controller that is managing Gateways of this class.

        The value of this field MUST be a domain prefixed path.

        Example: "example.net/gateway-controller".

        This field is not mutable and cannot be empty.

        Support: Core

        :schema: GatewayClassV1Beta1Spec#controllerName
        '''
        result = self._values.get("controller_name")
        assert result is not None, "Required property 'controller_name' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def description(self) -> typing.Optional[builtins.str]:
        '''Description helps describe a GatewayClass with more details.

        :schema: GatewayClassV1Beta1Spec#description
        '''
        result = self._values.get("description")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def parameters_ref(self) -> typing.Optional["GatewayClassV1Beta1SpecParametersRef"]:
        '''ParametersRef is a reference to a resource that contains the configuration parameters corresponding to the GatewayClass.

        This is optional if the
        controller does not require any additional configuration.

        ParametersRef can reference a standard Kubernetes resource, i.e. ConfigMap,
        or an implementation-specific custom resource. The resource can be
        cluster-scoped or namespace-scoped.

        If the referent cannot be found, refers to an unsupported kind, or when
        the data within that resource is malformed, the GatewayClass SHOULD be
        rejected with the "Accepted" status condition set to "False" and an
        "InvalidParameters" reason.

        A Gateway for this GatewayClass may provide its own ``parametersRef``. When both are specified,
        the merging behavior is implementation specific.
        It is generally recommended that GatewayClass provides defaults that can be overridden by a Gateway.

        Support: Implementation-specific

        :schema: GatewayClassV1Beta1Spec#parametersRef
        '''
        result = self._values.get("parameters_ref")
        return typing.cast(typing.Optional["GatewayClassV1Beta1SpecParametersRef"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "GatewayClassV1Beta1Spec(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="gateway_gatewayclass_iok8snetworkinggateway.GatewayClassV1Beta1SpecParametersRef",
    jsii_struct_bases=[],
    name_mapping={
        "group": "group",
        "kind": "kind",
        "name": "name",
        "namespace": "namespace",
    },
)
class GatewayClassV1Beta1SpecParametersRef:
    def __init__(
        self,
        *,
        group: builtins.str,
        kind: builtins.str,
        name: builtins.str,
        namespace: typing.Optional[builtins.str] = None,
    ) -> None:
        '''ParametersRef is a reference to a resource that contains the configuration parameters corresponding to the GatewayClass.

        This is optional if the
        controller does not require any additional configuration.

        ParametersRef can reference a standard Kubernetes resource, i.e. ConfigMap,
        or an implementation-specific custom resource. The resource can be
        cluster-scoped or namespace-scoped.

        If the referent cannot be found, refers to an unsupported kind, or when
        the data within that resource is malformed, the GatewayClass SHOULD be
        rejected with the "Accepted" status condition set to "False" and an
        "InvalidParameters" reason.

        A Gateway for this GatewayClass may provide its own ``parametersRef``. When both are specified,
        the merging behavior is implementation specific.
        It is generally recommended that GatewayClass provides defaults that can be overridden by a Gateway.

        Support: Implementation-specific

        :param group: Group is the group of the referent.
        :param kind: Kind is kind of the referent.
        :param name: Name is the name of the referent.
        :param namespace: Namespace is the namespace of the referent. This field is required when referring to a Namespace-scoped resource and MUST be unset when referring to a Cluster-scoped resource.

        :schema: GatewayClassV1Beta1SpecParametersRef
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__cf40b1768c5c91405a186281fdc0c3950ecb638d75481838bc71d3f5bf433350)
            check_type(argname="argument group", value=group, expected_type=type_hints["group"])
            check_type(argname="argument kind", value=kind, expected_type=type_hints["kind"])
            check_type(argname="argument name", value=name, expected_type=type_hints["name"])
            check_type(argname="argument namespace", value=namespace, expected_type=type_hints["namespace"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "group": group,
            "kind": kind,
            "name": name,
        }
        if namespace is not None:
            self._values["namespace"] = namespace

    @builtins.property
    def group(self) -> builtins.str:
        '''Group is the group of the referent.

        :schema: GatewayClassV1Beta1SpecParametersRef#group
        '''
        result = self._values.get("group")
        assert result is not None, "Required property 'group' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def kind(self) -> builtins.str:
        '''Kind is kind of the referent.

        :schema: GatewayClassV1Beta1SpecParametersRef#kind
        '''
        result = self._values.get("kind")
        assert result is not None, "Required property 'kind' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def name(self) -> builtins.str:
        '''Name is the name of the referent.

        :schema: GatewayClassV1Beta1SpecParametersRef#name
        '''
        result = self._values.get("name")
        assert result is not None, "Required property 'name' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def namespace(self) -> typing.Optional[builtins.str]:
        '''Namespace is the namespace of the referent.

        This field is required when referring to a Namespace-scoped resource and
        MUST be unset when referring to a Cluster-scoped resource.

        :schema: GatewayClassV1Beta1SpecParametersRef#namespace
        '''
        result = self._values.get("namespace")
        return typing.cast(typing.Optional[builtins.str], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "GatewayClassV1Beta1SpecParametersRef(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


__all__ = [
    "GatewayClass",
    "GatewayClassProps",
    "GatewayClassSpec",
    "GatewayClassSpecParametersRef",
    "GatewayClassV1Beta1",
    "GatewayClassV1Beta1Props",
    "GatewayClassV1Beta1Spec",
    "GatewayClassV1Beta1SpecParametersRef",
]

publication.publish()

def _typecheckingstub__848c8cb2929fb7cad2568cdbf3e277b3d94c6410a0d19c59be636024084de868(
    scope: _constructs_77d1e7e8.Construct,
    id: builtins.str,
    *,
    spec: typing.Union[GatewayClassSpec, typing.Dict[builtins.str, typing.Any]],
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__08b89555941df653c7a9289351648a634775a2ccfcae3d4ebe7b62ecc0b508c8(
    *,
    spec: typing.Union[GatewayClassSpec, typing.Dict[builtins.str, typing.Any]],
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__743c8f6a821ed1e3ca68f23cc58472c00e3f9101a55625ac702283bf5c2929a2(
    *,
    controller_name: builtins.str,
    description: typing.Optional[builtins.str] = None,
    parameters_ref: typing.Optional[typing.Union[GatewayClassSpecParametersRef, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__19c4555d6368741dbfb6bf5e96df2b894527b4826d9d4a02c2fdb4d88a0493e9(
    *,
    group: builtins.str,
    kind: builtins.str,
    name: builtins.str,
    namespace: typing.Optional[builtins.str] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__2471ea941084e3e4cf41764f0ed6ba4654ecdd72fe5025b51163f327fc65abf7(
    scope: _constructs_77d1e7e8.Construct,
    id: builtins.str,
    *,
    spec: typing.Union[GatewayClassV1Beta1Spec, typing.Dict[builtins.str, typing.Any]],
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__72a5904b698e3e2d0de93094458a6d244d968cc5c4be5e2c95cf8feb24ff936d(
    *,
    spec: typing.Union[GatewayClassV1Beta1Spec, typing.Dict[builtins.str, typing.Any]],
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__67c9d2a65287f37cbed9addd6acebbc32e23d3cf5c29022521044a13e88d14ac(
    *,
    controller_name: builtins.str,
    description: typing.Optional[builtins.str] = None,
    parameters_ref: typing.Optional[typing.Union[GatewayClassV1Beta1SpecParametersRef, typing.Dict[builtins.str, typing.Any]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__cf40b1768c5c91405a186281fdc0c3950ecb638d75481838bc71d3f5bf433350(
    *,
    group: builtins.str,
    kind: builtins.str,
    name: builtins.str,
    namespace: typing.Optional[builtins.str] = None,
) -> None:
    """Type checking stubs"""
    pass
