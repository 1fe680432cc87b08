"""The ``torch.nn`` classes a module tree is read with: their kind, constructor and parameters.

Only classes whose registered children and parameters are known from their arguments are
listed: a leaf (no children), or ``MultiheadAttention`` with its one ``out_proj``. Every
kind is the one lora-lint's inventory gives the real module, and every parameter shape the
one PyTorch creates (``tests/extract/test_module_tree.py`` builds each and compares).
"""

from __future__ import annotations

from dataclasses import dataclass

from lora_lint.models import inventory as inv


@dataclass(frozen=True)
class TorchModule:
    """A ``torch.nn`` class whose registered children and parameters are known."""

    kind: str
    #: Constructor parameters in order (for binding positional arguments).
    signature: tuple[str, ...] = ()
    #: (in_features, out_features) as the names of constructor parameters.
    features: tuple[str, str] | None = None
    #: True when the class has no parameters at all.
    no_params: bool = False


def _linear() -> TorchModule:
    return TorchModule(
        inv.LINEAR, ("in_features", "out_features", "bias"), ("in_features", "out_features")
    )


def _conv(kind: str) -> TorchModule:
    return TorchModule(
        kind,
        (
            "in_channels",
            "out_channels",
            "kernel_size",
            "stride",
            "padding",
            "dilation",
            "groups",
            "bias",
        ),
        ("in_channels", "out_channels"),
    )


def _free(kind: str) -> TorchModule:
    return TorchModule(kind, no_params=True)


_ACTIVATIONS = (
    *("ReLU", "ReLU6", "GELU", "SiLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Softmin"),
    *("LeakyReLU", "ELU", "SELU", "CELU", "Mish", "Softplus", "Softsign", "Hardswish"),
    *("Hardsigmoid", "Hardtanh", "Tanhshrink", "Threshold", "GLU", "LogSigmoid"),
)

#: ``torch.nn`` classes read statically: kind as lora-lint's inventory classifies the real
#: module (``tests/extract/test_module_tree.py`` builds each and compares).
TORCH_MODULES: dict[str, TorchModule] = {
    "Linear": _linear(),
    "Embedding": TorchModule(
        inv.EMBEDDING, ("num_embeddings", "embedding_dim"), ("num_embeddings", "embedding_dim")
    ),
    "Conv1d": _conv(inv.CONV1D),
    "Conv2d": _conv(inv.CONV2D),
    "Conv3d": _conv(inv.CONV3D),
    "MultiheadAttention": TorchModule(
        inv.MHA,
        (
            "embed_dim",
            "num_heads",
            "dropout",
            "bias",
            "add_bias_kv",
            "add_zero_attn",
            "kdim",
            "vdim",
        ),
        ("embed_dim", "embed_dim"),
    ),
    "LayerNorm": TorchModule(inv.NORM, ("normalized_shape", "eps", "elementwise_affine", "bias")),
    "GroupNorm": TorchModule(inv.NORM),
    "BatchNorm1d": TorchModule(inv.NORM),
    "BatchNorm2d": TorchModule(inv.NORM),
    "BatchNorm3d": TorchModule(inv.NORM),
    "RMSNorm": TorchModule(inv.NORM),
    "Dropout": _free(inv.DROPOUT),
    "Dropout1d": _free(inv.DROPOUT),
    "Dropout2d": _free(inv.DROPOUT),
    "Dropout3d": _free(inv.DROPOUT),
    **{name: _free(inv.ACTIVATION) for name in _ACTIVATIONS},
    "PReLU": TorchModule(inv.ACTIVATION),
    "Identity": _free(inv.OTHER),
    "Flatten": _free(inv.OTHER),
    "Unflatten": _free(inv.OTHER),
    "MaxPool1d": _free(inv.OTHER),
    "MaxPool2d": _free(inv.OTHER),
    "AvgPool1d": _free(inv.OTHER),
    "AvgPool2d": _free(inv.OTHER),
    "AdaptiveAvgPool1d": _free(inv.OTHER),
    "AdaptiveAvgPool2d": _free(inv.OTHER),
    "AdaptiveMaxPool2d": _free(inv.OTHER),
    "ConvTranspose1d": TorchModule(inv.OTHER),
    "ConvTranspose2d": TorchModule(inv.OTHER),
    "EmbeddingBag": TorchModule(inv.OTHER),
    "Bilinear": TorchModule(inv.OTHER),
    "RNN": TorchModule(inv.OTHER),
    "LSTM": TorchModule(inv.OTHER),
    "GRU": TorchModule(inv.OTHER),
    "RNNCell": TorchModule(inv.OTHER),
    "LSTMCell": TorchModule(inv.OTHER),
    "GRUCell": TorchModule(inv.OTHER),
}
#: transformers' GPT-2 style ``Conv1D(nf, nx)``: weight (nx, nf), in = nx, out = nf.
HF_CONV1D = TorchModule(inv.HF_CONV1D, ("nf", "nx"), ("nx", "nf"))


def torch_params(name: str, args: dict[str, object]) -> dict[str, tuple[int, ...]] | None:
    """Direct parameters of a torch leaf (``named_parameters(recurse=False)`` order), when
    its arguments are static; None otherwise."""
    flags = {
        key: args.get(key, default)
        for key, default in (("bias", True), ("elementwise_affine", True), ("add_bias_kv", False))
    }
    if any(not isinstance(v, bool) for v in flags.values()):
        return None
    bias = flags["bias"] is True
    if name == "Linear":
        shapes = _ints(args, "out_features", "in_features")
        return _with_bias({"weight": shapes}, shapes, bias) if shapes else None
    if name == "Conv1D":  # transformers: Conv1D(nf, nx) holds weight (nx, nf)
        shapes = _ints(args, "nx", "nf")
        return {"weight": shapes, "bias": (shapes[1],)} if shapes else None
    if name == "Embedding":
        shapes = _ints(args, "num_embeddings", "embedding_dim")
        return {"weight": shapes} if shapes else None
    if name.startswith("Conv") and name[-2:] in ("1d", "2d", "3d"):
        dims = int(name[-2])
        channels = _ints(args, "out_channels", "in_channels")
        groups = args.get("groups", 1)
        kernel = args.get("kernel_size")
        if isinstance(kernel, int) and not isinstance(kernel, bool):
            kernel = (kernel,) * dims
        if not (channels and is_int(groups) and isinstance(kernel, tuple) and len(kernel) == dims):
            return None
        if not all(is_int(k) for k in kernel) or channels[1] % groups:  # type: ignore[operator]
            return None
        weight = (channels[0], channels[1] // groups, *kernel)  # type: ignore[operator]
        return _with_bias({"weight": weight}, channels, bias)
    if name == "LayerNorm":
        shape = args.get("normalized_shape")
        shape = (shape,) if is_int(shape) else shape
        if not (isinstance(shape, tuple) and shape and all(is_int(d) for d in shape)):
            return None
        if not flags["elementwise_affine"]:
            return {}
        return {"weight": shape, "bias": shape} if bias else {"weight": shape}
    if name == "MultiheadAttention":
        embed = args.get("embed_dim")
        if not isinstance(embed, int) or isinstance(embed, bool):
            return None
        out: dict[str, tuple[int, ...]] = {"in_proj_weight": (3 * embed, embed)}
        if bias:
            out["in_proj_bias"] = (3 * embed,)
        if flags["add_bias_kv"]:
            out["bias_k"] = out["bias_v"] = (1, 1, embed)
        return out
    return None


def _ints(args: dict[str, object], *names: str) -> tuple[int, ...] | None:
    values = tuple(args.get(n) for n in names)
    return values if all(is_int(v) for v in values) else None  # type: ignore[return-value]


def _with_bias(
    params: dict[str, tuple[int, ...]], shapes: tuple[int, ...], bias: bool
) -> dict[str, tuple[int, ...]]:
    return {**params, "bias": (shapes[0],)} if bias else params


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
