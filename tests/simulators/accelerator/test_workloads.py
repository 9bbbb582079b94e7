"""Shipped networks and user layer tables: shapes, MAC counts and error messages."""

from __future__ import annotations

import pytest

from archgym.errors import UserError
from archgym.simulators.accelerator import WORKLOADS, AcceleratorSimulator, Layer, load_workload

#: multiply-accumulates of each network, as published (or derived from the published shapes)
EXPECTED_MACS = {
    "alexnet": 724_406_816,  # ~0.72 GMAC with the grouped conv2/4/5
    "vgg16": 15_470_264_320,  # the commonly quoted 15.5 G multiply-adds
    "resnet18": 1_814_073_344,  # 1.8 GFLOPs (multiply-adds) in He et al. Table 1
    "resnet50": 3_857_973_248,  # 3.8 GFLOPs (multiply-adds) in He et al. Table 1
    "mobilenetv2": 300_774_272,  # 300 M multiply-adds in Sandler et al. Table 4
}


def test_ids_and_layer_counts():
    sim = AcceleratorSimulator()
    assert sim.workloads() == list(WORKLOADS)
    counts = {w: len(sim.load_workload(w)) for w in WORKLOADS}
    assert counts == {"alexnet": 8, "vgg16": 16, "resnet18": 21, "resnet50": 54, "mobilenetv2": 53,
                      "bert-base": 8, "gpt2-decode": 73}
    for w in WORKLOADS:
        assert sim.load_workload(w).name == w


@pytest.mark.parametrize("name,macs", sorted(EXPECTED_MACS.items()))
def test_published_mac_counts(name, macs):
    assert load_workload(name).macs == macs


def test_transformer_gemms():
    bert = {layer.name: layer for layer in load_workload("bert-base").layers}
    assert bert["ffn1"].macs == 128 * 768 * 3072
    assert bert["attn_qk"].groups == 12 and bert["attn_qk"].macs == 12 * 128 * 64 * 128
    gpt = load_workload("gpt2-decode")
    assert gpt.layers[-1].name == "lm_head" and gpt.layers[-1].macs == 768 * 50257
    assert sum(1 for layer in gpt.layers if layer.name.endswith("_qkv")) == 12


def test_mobilenet_has_depthwise_layers():
    dw = [layer for layer in load_workload("mobilenetv2").layers if layer.name.endswith("_dw")]
    assert len(dw) == 17
    assert all(layer.groups == layer.C == layer.K and layer.FY == 3 for layer in dw)


def test_unknown_workload_lists_choices():
    with pytest.raises(UserError, match="unknown workload 'resnet19'.*resnet18"):
        load_workload("resnet19")
    with pytest.raises(UserError, match="not found"):
        load_workload("/nonexistent/net.csv")


def test_scalesim_csv(tmp_path):
    p = tmp_path / "net.csv"
    p.write_text(
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
        "Conv1,224,224,7,7,3,64,2,\n"
        "CB1_DP,112,112,3,3,32,1,1,\n"
        "FC,1,1,1,1,512,1000,1,\n"
    )
    wl = load_workload(str(p))
    assert wl.name == "net"
    c1, dp, fc = wl.layers
    assert (c1.OY, c1.OX, c1.K, c1.C, c1.stride) == (109, 109, 64, 3, 2)  # (224 - 7) // 2 + 1, no padding
    assert (dp.groups, dp.K, dp.C, dp.OY) == (32, 32, 32, 110)
    assert fc.macs == 512 * 1000


def test_scalesim_gemm_csv(tmp_path):
    p = tmp_path / "g.csv"
    p.write_text("Layer, M, N, K,\nqkv,128,2304,768,\n")
    (layer,) = load_workload(p).layers
    assert layer.macs == 128 * 2304 * 768 and (layer.K, layer.C, layer.OX) == (2304, 768, 128)


def test_yaml_and_lists(tmp_path):
    p = tmp_path / "net.yaml"
    p.write_text("name: tiny\nlayers:\n  - {name: a, K: 8, C: 4, OY: 4, OX: 4, FY: 3, FX: 3}\n"
                 "  - {K: 8, C: 8, OY: 4, OX: 4, FY: 3, FX: 3, depthwise: true}\n")
    wl = load_workload(p)
    assert wl.name == "tiny" and [la.groups for la in wl.layers] == [1, 8]
    wl2 = AcceleratorSimulator().load_workload([{"K": 8, "C": 4, "OY": 4, "OX": 4}, Layer("b", 2, 2, 2, 2)])
    assert len(wl2) == 2 and wl2.name == "custom"


@pytest.mark.parametrize(
    "text,match",
    [
        ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
         "Conv1,224,224,7,7,3,64,2,\nConv2,56,x56,3,3,64,64,1,\n", r"row 3, column 'IFMAP Width'.*'x56'"),
        ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
         "Conv1,224,224,7,7,3,64,\n", r"row 2, column 'Strides': missing"),
        ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
         "Conv1,5,5,7,7,3,64,1,\n", r"row 2, column 'Filter Height'"),
        ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
         "Conv1,8,8,3,3,0,64,1,\n", r"row 2, column 'Channels'.*'0'"),
        ("name,K,C,OY,OX\na,8,4,4,4\nb,8,3,4,-1\n", r"row 3, column 'OX'"),
        ("name,K,C,OY,OX,groups\na,8,6,4,4,4\n", r"row 2, column 'groups'"),
        ("foo,bar\n1,2\n", r"row 1: unrecognised header"),
    ],
)
def test_malformed_csv_names_file_row_column(tmp_path, text, match):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(UserError, match=match) as err:
        load_workload(str(p))
    assert str(p) in str(err.value)


@pytest.mark.parametrize(
    "text,match",
    [
        ("- {K: 8, C: 4, OY: 4, OX: 4}\n- {K: 8, C: 4, OY: 4}\n", r"layer 2, column 'OX': .*missing"),
        ("- {K: 8, C: 4, OY: 4, OX: 4, FY: 2.5}\n", r"layer 1, column 'FY'"),
        ("- {K: 8, C: 4, OY: 4, OX: 4, kernel: 3}\n", r"layer 1, column 'kernel'"),
        ("layers: [\n", r"row \d+, column \d+: invalid YAML"),
        ("[]\n", r"non-empty list"),
    ],
)
def test_malformed_yaml_names_file_row_column(tmp_path, text, match):
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(UserError, match=match) as err:
        load_workload(p)
    assert str(p) in str(err.value)
