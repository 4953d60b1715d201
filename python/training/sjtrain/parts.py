"""The networks each training task exports, and where they sit in its checkpoint.

export_model.py writes <out>_<suffix>.safetensors for each part; train.py --init-from
reads the same files back into a new run.
"""

# task -> [(file suffix, architecture, state-dict prefix, config from the run's args)]
PARTS = {
    "plain": [("encoder", "deepjscc_encoder", "encoder.", lambda a: {"c": a["c"], "widths": a["widths"]}),
              ("decoder", "deepjscc_decoder", "decoder.", lambda a: {"c": a["c"], "widths": a["widths"]})],
    "lwe": [("encoder", "deepjscec_encoder", "encoder.", lambda a: {"width": a["width"], "c_out": 8}),
            ("decoder", "deepjscec_decoder", "decoder.", lambda a: {"width": a["width"], "c_out": 8})],
    "srec": [("encoder", "srec_encoder", "encoder.", lambda a: {"c": a["c"]}),
             ("decoder", "srec_decoder", "decoder.", lambda a: {"c": a["c"]})],
    "srec_sr": [("sr", "srec_sr", "", lambda a: {})],
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
