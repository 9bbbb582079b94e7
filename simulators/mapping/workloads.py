"""The workload of a mapping search: one layer, named from a network or given as loop sizes."""

from __future__ import annotations

from typing import Any, Mapping

from archgym.errors import UserError, unknown_choice
from archgym.simulators.accelerator import Layer, layer_from_mapping, load_workload

#: the layer mapped when none is named: ResNet-18's first 3x3 convolution of stage 2
DEFAULT_LAYER = "resnet18:conv2_1a"


def load_layer(spec: Any) -> Layer:
    """A :class:`Layer` from ``"network:layer"`` (a shipped id or a layer-table path, then a layer name),
    a mapping of ZigZag loop sizes (``K, C, OY, OX``, optional ``FY, FX, stride, groups, B, name``) or a Layer.

    Raises:
        UserError: an unknown network or layer name (listing the valid ones) or a bad loop size.
    """
    if isinstance(spec, Layer):
        return spec
    if isinstance(spec, Mapping):
        return layer_from_mapping(spec)
    if not isinstance(spec, str):
        raise UserError(f"mapping workload: expected 'network:layer' or loop sizes, got {type(spec).__name__}")
    network, sep, name = spec.rpartition(":")
    if not sep or not network or not name:
        raise UserError(f"mapping workload {spec!r}: expected 'network:layer', e.g. {DEFAULT_LAYER!r}")
    layers = load_workload(network).layers
    for layer in layers:
        if layer.name == name:
            return layer
    raise unknown_choice(f"layer of {network!r}", name, [la.name for la in layers])


def layer_label(spec: Any, layer: Layer) -> str:
    """The workload name records carry: ``"network:layer"`` as given, else the layer's loop sizes."""
    if isinstance(spec, str):
        return spec
    sizes = ",".join(f"{k}={v}" for k, v in layer.to_dict().items() if k != "name")
    return f"{layer.name}[{sizes}]"
