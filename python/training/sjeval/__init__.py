"""Evaluation of shipped models through the C core (ctypes), one module per scheme.

Every scheme class takes (core, models_folder, seed) and has transmit(img, snr_db) ->
(Bob's image, Eve's image), uint8 HWC in and out. evaluate.py and the tests use them.
"""
