"""Export of a PyTorch network to the C runtime's model format (docs/model-format.md).

The network is traced with torch.fx into a graph of module calls and functions; each is
mapped to one of the runtime's primitive operators, and anything else is refused with an
error naming it (no silent approximations). Composite modules such as AttentionBlock are
traced through, so they arrive as primitives; GDN is kept whole (a leaf) and written with
its effective beta and gamma; channel.power_normalize is kept whole and becomes the
power_normalize operator.

    from sjtrain.export import export
    export(model.encoder, "encoder.safetensors", channels=3, bandwidth_ratio=1/6,
           training={"epochs": 200})

Activations are CHW float32 with batch 1: a PyTorch tensor [1, C, H, W] is C x H x W,
and a vector [1, N] (after flatten) is N x 1 x 1, so flattening a [1, C, 1, 1] tensor and
viewing it back are free.
"""
import json
import operator

import torch
import torch.fx
from torch import nn
import torch.nn.functional as F
from torch.fx.passes.shape_prop import ShapeProp

from . import safetensors_io
from .channel import power_normalize
from .layers import GDN

FORMAT = "securejscc-model"
VERSION = "1"

_LEAVES = (nn.Conv2d, nn.ConvTranspose2d, nn.PReLU, nn.ReLU, nn.LeakyReLU, nn.Sigmoid,
           nn.Tanh, nn.PixelShuffle, nn.Upsample, nn.AvgPool2d, nn.AdaptiveAvgPool2d,
           nn.Linear, nn.Identity, nn.Dropout, GDN)


class ExportError(ValueError):
    """The network uses something the C runtime cannot run."""


class _Tracer(torch.fx.Tracer):
    def __init__(self):
        # power_normalize stays one call in the graph instead of being traced into.
        super().__init__(autowrap_functions=(power_normalize,))

    def is_leaf_module(self, m, qualname):
        # torch.nn's own modules stay whole (as in fx's default), so that one the runtime
        # lacks is reported by name rather than failing somewhere inside its forward.
        return isinstance(m, _LEAVES) or super().is_leaf_module(m, qualname)


def _pair(v):
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ExportError(f"expected a pair, got {v!r}")
        return [int(v[0]), int(v[1])]
    return [int(v), int(v)]


def _chw(shape):
    """The runtime's C x H x W view of a PyTorch activation shape (batch 1)."""
    s = list(shape)
    if not s or s[0] != 1:
        raise ExportError(f"activations must have batch 1 while tracing, got shape {s}")
    if len(s) == 4:
        return tuple(s[1:])
    if len(s) == 2:
        return (s[1], 1, 1)
    raise ExportError(f"the runtime holds only [1,C,H,W] or [1,N] tensors, got {s}")


class _Builder:
    def __init__(self, gm):
        self.gm = gm
        self.modules = dict(gm.named_modules())
        self.nodes = []
        self.tensors = {}
        self.alias = {}          # fx node name -> runtime value name
        self.down = 1            # product of downsampling strides (for size_multiple)

    def name(self, arg):
        if not isinstance(arg, torch.fx.Node):
            raise ExportError(f"operands must be tensors from the network, got {arg!r} "
                              "(constants are not supported)")
        return self.alias[arg.name]

    def param(self, key, t):
        self.tensors[key] = t.detach().to(torch.float32).cpu().contiguous().numpy()
        return key

    def emit(self, node, op, ins, attrs=None, params=None):
        self.nodes.append({"op": op, "in": [self.name(a) for a in ins], "out": node.name,
                           "attrs": attrs or {}, "params": params or {}})
        self.alias[node.name] = node.name

    def module(self, node):
        m = self.modules[node.target]
        q = node.target
        x = node.args[0]
        if isinstance(m, nn.Conv2d):
            if m.groups != 1 or tuple(m.dilation) != (1, 1) or m.padding_mode != "zeros" \
                    or isinstance(m.padding, str):
                raise ExportError(f"{q}: conv2d needs groups=1, dilation=1 and numeric zero "
                                  "padding")
            self.down *= max(m.stride)
            p = {"weight": self.param(q + ".weight", m.weight)}
            if m.bias is not None:
                p["bias"] = self.param(q + ".bias", m.bias)
            self.emit(node, "conv2d", [x], {"stride": _pair(m.stride),
                                            "padding": _pair(m.padding)}, p)
        elif isinstance(m, nn.ConvTranspose2d):
            if m.groups != 1 or tuple(m.dilation) != (1, 1) or len(node.args) > 1:
                raise ExportError(f"{q}: conv_transpose2d needs groups=1, dilation=1 and no "
                                  "output_size argument")
            p = {"weight": self.param(q + ".weight", m.weight)}
            if m.bias is not None:
                p["bias"] = self.param(q + ".bias", m.bias)
            self.emit(node, "conv_transpose2d", [x],
                      {"stride": _pair(m.stride), "padding": _pair(m.padding),
                       "output_padding": _pair(m.output_padding)}, p)
        elif isinstance(m, nn.PReLU):
            self.emit(node, "prelu", [x], {}, {"weight": self.param(q + ".weight", m.weight)})
        elif isinstance(m, nn.ReLU):
            self.emit(node, "relu", [x])
        elif isinstance(m, nn.LeakyReLU):
            self.emit(node, "leaky_relu", [x], {"negative_slope": float(m.negative_slope)})
        elif isinstance(m, nn.Sigmoid):
            self.emit(node, "sigmoid", [x])
        elif isinstance(m, nn.Tanh):
            self.emit(node, "tanh", [x])
        elif isinstance(m, nn.PixelShuffle):
            self.emit(node, "pixel_shuffle", [x], {"upscale_factor": int(m.upscale_factor)})
        elif isinstance(m, nn.Upsample):
            self.upsample(node, q, m.mode, m.scale_factor, m.size, m.align_corners)
        elif isinstance(m, nn.AvgPool2d):
            if _pair(m.padding) != [0, 0] or m.ceil_mode:
                raise ExportError(f"{q}: avg_pool2d needs padding=0 and ceil_mode=False")
            stride = m.stride if m.stride is not None else m.kernel_size
            self.down *= max(_pair(stride))
            self.emit(node, "avg_pool2d", [x], {"kernel": _pair(m.kernel_size),
                                                "stride": _pair(stride)})
        elif isinstance(m, nn.AdaptiveAvgPool2d):
            if _pair(m.output_size) != [1, 1]:
                raise ExportError(f"{q}: only AdaptiveAvgPool2d(1) (global pooling) is "
                                  "supported")
            self.emit(node, "avg_pool2d", [x], {"global": True})
        elif isinstance(m, nn.Linear):
            shape = x.meta["tensor_meta"].shape
            if len(shape) != 2:
                raise ExportError(f"{q}: linear must act on a flattened [1, N] vector, got "
                                  f"input shape {list(shape)}")
            p = {"weight": self.param(q + ".weight", m.weight)}
            if m.bias is not None:
                p["bias"] = self.param(q + ".bias", m.bias)
            self.emit(node, "linear", [x], {}, p)
        elif isinstance(m, (nn.Identity, nn.Dropout)):
            self.alias[node.name] = self.name(x)  # no-ops at inference
        elif isinstance(m, GDN):
            beta, gamma = m.effective_params()
            self.emit(node, "igdn" if m.inverse else "gdn", [x], {},
                      {"beta": self.param(q + ".beta", beta),
                       "gamma": self.param(q + ".gamma", gamma)})
        else:
            raise ExportError(f"{q}: module {type(m).__name__} has no runtime operator")

    def upsample(self, node, where, mode, scale, size, align):
        if size is not None or scale is None:
            raise ExportError(f"{where}: upsampling needs a scale_factor, not a size")
        s = _pair(scale) if isinstance(scale, (tuple, list)) else [scale, scale]
        if s[0] != s[1] or float(s[0]) != int(s[0]) or int(s[0]) < 1:
            raise ExportError(f"{where}: upsampling needs one integer scale factor, got {scale}")
        if mode == "nearest":
            op = "upsample_nearest"
        elif mode == "bilinear" and not align:
            op = "upsample_bilinear"
        else:
            raise ExportError(f"{where}: upsampling mode {mode!r} (align_corners={align}) is "
                              "not supported (nearest, or bilinear with align_corners=False)")
        self.emit(node, op, [node.args[0]], {"scale": int(s[0])})

    def reshape(self, node):
        src = node.args[0]
        a = _chw(src.meta["tensor_meta"].shape)
        b = _chw(node.meta["tensor_meta"].shape)
        if a != b:
            raise ExportError(f"{node.name}: reshape from {a} to {b} (C,H,W) moves data; only "
                              "reshapes between [1,C,1,1] and [1,C] are supported")
        self.alias[node.name] = self.name(src)

    def binary(self, node, op):
        if len(node.args) != 2 or node.kwargs:
            raise ExportError(f"{node.name}: {op} takes exactly two tensors (no alpha/out)")
        a, b = node.args
        sa = _chw(a.meta["tensor_meta"].shape) if isinstance(a, torch.fx.Node) else None
        sb = _chw(b.meta["tensor_meta"].shape) if isinstance(b, torch.fx.Node) else None
        if sa is None or sb is None:
            raise ExportError(f"{node.name}: {op} with a constant is not supported")
        if sa != sb and not (sa[0] == sb[0] and (sa[1:] == (1, 1) or sb[1:] == (1, 1))):
            raise ExportError(f"{node.name}: {op} of shapes {sa} and {sb}; the runtime "
                              "broadcasts only a [C,1,1] operand")
        self.emit(node, op, [a, b])

    def function(self, node, fn):
        args = node.args
        unary = {torch.sigmoid: "sigmoid", torch.tanh: "tanh", torch.relu: "relu",
                 F.relu: "relu", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu"}
        if fn in (operator.add, torch.add, "add"):
            self.binary(node, "add")
        elif fn in (operator.mul, torch.mul, "mul"):
            self.binary(node, "mul")
        elif fn in unary:
            if len(args) != 1 or node.kwargs.get("inplace"):
                raise ExportError(f"{node.name}: unexpected arguments to {fn}")
            self.emit(node, unary[fn], [args[0]])
        elif fn is power_normalize:
            self.emit(node, "power_normalize", [args[0]])
        elif fn is torch.cat:
            dim = args[1] if len(args) > 1 else node.kwargs.get("dim", 0)
            if dim not in (1, -3) or len(node.args[0][0].meta["tensor_meta"].shape) != 4:
                raise ExportError(f"{node.name}: torch.cat must join [1,C,H,W] tensors along "
                                  "channels (dim=1)")
            self.emit(node, "concat", list(args[0]))
        elif fn in (torch.flatten, torch.reshape, "flatten", "view", "reshape", "unsqueeze",
                    "squeeze"):
            self.reshape(node)
        elif fn is F.interpolate:
            kw = dict(node.kwargs)
            self.upsample(node, node.name, kw.get("mode", "nearest"),
                          kw.get("scale_factor"), kw.get("size"), kw.get("align_corners"))
        else:
            name = fn if isinstance(fn, str) else getattr(fn, "__name__", repr(fn))
            raise ExportError(f"{node.name}: {name} has no runtime operator")


def build_graph(model, example):
    """Traces model on example ([1,C,H,W]) and returns (graph dict, tensors, downsampling)."""
    model = model.eval()
    try:
        graph = _Tracer().trace(model)
    except torch.fx.proxy.TraceError as e:
        raise ExportError(f"cannot trace {type(model).__name__} (data-dependent control "
                          f"flow?): {e}") from e
    gm = torch.fx.GraphModule(model, graph)
    with torch.no_grad():
        ShapeProp(gm).propagate(example)
    b = _Builder(gm)
    inputs, output = [], None
    with torch.no_grad():
        for node in gm.graph.nodes:
            if node.op == "placeholder":
                inputs.append(node.name)
                b.alias[node.name] = node.name
            elif node.op == "call_module":
                b.module(node)
            elif node.op in ("call_function", "call_method"):
                b.function(node, node.target)
            elif node.op == "output":
                output = b.name(node.args[0])
            else:
                raise ExportError(f"{node.name}: graph operation {node.op} ({node.target}) is "
                                  "not supported (use registered modules, not raw tensors)")
    if len(inputs) != 1:
        raise ExportError(f"the network must take one input tensor, it takes {len(inputs)}")
    if output == inputs[0]:
        raise ExportError("the network does nothing")
    return {"input": inputs[0], "output": output, "nodes": b.nodes}, b.tensors, b.down


def export(model, path, channels=3, example_size=(32, 32), size_multiple=None,
           size_policy="pad_reflect", bandwidth_ratio=None, input_range="[0,1]",
           output_kind=None, training=None, architecture=None, config=None):
    """Writes model to path in the runtime's format; returns the metadata written.

    size_multiple defaults to the product of the downsampling strides; bandwidth_ratio
    (channel uses per source value) and training (a JSON-able dict: data, epochs, SNR,
    measured results) go into the metadata as they are. architecture (a name known to
    models.build_network) and config (its keyword arguments) are written as the
    "architecture" and "config" keys, so the PyTorch module can be rebuilt from the file
    (load_network)."""
    example = torch.rand(1, channels, *example_size)
    graph, tensors, down = build_graph(model, example)
    with torch.no_grad():
        y = model.eval()(example)
    out_c = int(y.shape[1])
    if output_kind is None:
        last = [n for n in graph["nodes"] if n["out"] == graph["output"]]
        output_kind = ("complex_symbols" if last and last[0]["op"] == "power_normalize"
                       else "image")
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "graph": json.dumps(graph, separators=(",", ":")),
        "input": json.dumps({"layout": "CHW", "channels": channels, "range": input_range}),
        "output": json.dumps({"layout": "CHW", "channels": out_c, "kind": output_kind}),
        "size_multiple": str(int(size_multiple if size_multiple is not None else down)),
        "size_policy": size_policy,
        "training": json.dumps(training or {}),
    }
    if bandwidth_ratio is not None:
        meta["bandwidth_ratio"] = repr(float(bandwidth_ratio))
    if architecture is not None:
        meta["architecture"] = str(architecture)
        meta["config"] = json.dumps(config or {}, sort_keys=True)
    safetensors_io.save(path, tensors, meta)
    return meta


def export_network(module, path, metadata=None, example_size=(32, 32)):
    """Exports a module made by models.build_network, taking the input channels, size
    multiple and output kind from models.NETWORK_SPECS and writing its architecture name
    and config. metadata: optional keyword arguments of export() (training,
    bandwidth_ratio, size_policy, ...). example_size is the image size; a decoder is
    traced on the latent of that image."""
    from . import models

    name = getattr(module, "sj_architecture", None)
    if name is None:
        raise ExportError("export_network needs a module made by models.build_network "
                          "(use export() for others)")
    cfg = module.sj_config
    _, _, _, multiple, kind = models.NETWORK_SPECS[name]
    if callable(multiple):
        multiple = multiple(cfg)
    c, h, w = models.network_input_shape(name, cfg, *example_size)
    kw = {"size_multiple": multiple, "output_kind": kind}
    kw.update(metadata or {})
    return export(module, path, channels=c, example_size=(h, w), architecture=name,
                  config=cfg, **kw)


def load_network(path):
    """Rebuilds the PyTorch module of a model file written with an architecture (export
    with architecture/config, or export_network) and loads its weights. GDN files hold
    the effective beta and gamma; the trainable parameters are their square-root-domain
    values sqrt(v + pedestal), which reproduce them (up to rounding). Returns
    (module in eval mode, metadata)."""
    from . import models

    tensors, meta = safetensors_io.load(path)
    if "architecture" not in meta:
        raise ExportError(f"{path}: no 'architecture' metadata; cannot rebuild the network")
    net = models.build_network(meta["architecture"], **json.loads(meta.get("config", "{}")))
    gdn = {q for q, m in net.named_modules() if isinstance(m, GDN)}
    state = net.state_dict()
    missing = [k for k in state if k not in tensors]
    extra = [k for k in tensors if k not in state]
    if missing or extra:
        raise ExportError(f"{path}: tensors do not match {meta['architecture']}: missing "
                          f"{missing[:5]}, unexpected {extra[:5]}")
    loaded = {}
    for k in state:
        t = torch.from_numpy(tensors[k])
        if k.rsplit(".", 1)[0] in gdn:
            t = torch.sqrt(t + GDN.pedestal)
        if t.shape != state[k].shape:
            raise ExportError(f"{path}: {k} has shape {list(t.shape)}, the network "
                              f"{list(state[k].shape)}")
        loaded[k] = t
    net.load_state_dict(loaded)
    return net.eval(), meta
