"""The networks each training task exports, and where they sit in its checkpoint.

export_model.py writes <out>_<suffix>.safetensors for each part; train.py --init-from
reads the same files back into a new run (load_parts).
"""
import os

# task -> [(file suffix, architecture, state-dict prefix, config from the run's args)]
PARTS = {
    "plain": [("encoder", "deepjscc_encoder", "encoder.", lambda a: {"c": a["c"], "widths": a["widths"]}),
              ("decoder", "deepjscc_decoder", "decoder.", lambda a: {"c": a["c"], "widths": a["widths"]})],
    "lwe": [("encoder", "deepjscec_encoder", "encoder.", lambda a: {"width": a["width"], "c_out": 8}),
            ("decoder", "deepjscec_decoder", "decoder.",
             lambda a: {"width": a["width"], "c_out": 8, "spread": a.get("receiver") == "joint_spread"})],
    # downsample: runs from before the option have none and coded at full resolution.
    "srec": [("encoder", "srec_encoder", "encoder.", lambda a: {"c": a["c"], "downsample": srec_downsample(a)}),
             ("decoder", "srec_decoder", "decoder.", lambda a: {"c": a["c"], "downsample": srec_downsample(a)})],
    "srec_sr": [("sr", "srec_sr", "", lambda a: _sr_config(a))],
    # unet_width: runs from before the option have none and used the default, 32.
    "djescc": [("encrypt", "djescc_encrypt", "encrypt.", lambda a: {"width": a.get("unet_width", 32)}),
               ("encoder", "deepjscc_encoder", "jscc.encoder.", lambda a: {"c": a["c"], "widths": a["widths"]}),
               ("decoder", "deepjscc_decoder", "jscc.decoder.", lambda a: {"c": a["c"], "widths": a["widths"]}),
               ("decrypt", "djescc_decrypt", "decrypt.", lambda a: {"width": a.get("unet_width", 32)})],
    # The frozen feature extractor of djescc's losses: shipped so that a new machine can
    # train djescc without training the classifier again (train.py --classifier FILE).
    "classifier": [("classifier", "cifar_classifier", "", lambda a: {})],
}
PARTS["lwe_keystream"] = PARTS["lwe"]


def srec_downsample(args):
    """The resolution divisor r of an srec run (--downsample) from its args, a dict (a
    checkpoint's) or a namespace; runs from before the option: 1."""
    a = args if isinstance(args, dict) else vars(args)
    return int(a.get("downsample", 1) or 1)


def _sr_config(args):
    from .tasks import sr_config  # torch: only when a network is built

    return sr_config(args)


def load_parts(net, prefix, parts, option):
    """Loads exported model files PREFIX_<suffix>.safetensors into net under key prefixes;
    a missing file or a tensor that does not fit is an error naming the option."""
    import torch

    from .export import load_network  # torch: only when files are loaded

    state = net.state_dict()
    for suffix, key_prefix in parts:
        path = f"{prefix}_{suffix}.safetensors"
        if not os.path.exists(path):
            raise SystemExit(f"{option}: {path} not found")
        part = load_network(path)[0].state_dict()
        for k, v in part.items():
            have = state.get(key_prefix + k)
            if (have is not None and have.dim() == 4 and v.dim() == 4 and have.shape[1] > v.shape[1]
                    and have.shape[0] == v.shape[0] and have.shape[2:] == v.shape[2:]):
                # A convolution that now takes more input channels (a decoder given the
                # posterior's spread too): the file's weights for the first ones, zeros for
                # the new, so that the network starts as the file's.
                wide = torch.zeros_like(have)
                wide[:, :v.shape[1]] = v
                state[key_prefix + k] = wide
                print(f"{option}: {k}: input channels {v.shape[1]} -> {have.shape[1]}, the new ones zero",
                      flush=True)
                continue
            if have is None or have.shape != v.shape:
                raise SystemExit(f"{option}: {path}: {k} does not fit this run's networks "
                                 "(different width or channels?)")
            state[key_prefix + k] = v
    net.load_state_dict(state)
