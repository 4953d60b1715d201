"""Helpers shared by the QA tests: key files from the built securejscc-keygen, and the
expected text of constructor errors. Not a test file itself (no qa_ tests inside)."""
import os
import subprocess

BIN = os.environ.get("SJ_BIN_DIR", "")
KEYGEN = os.path.join(BIN, "securejscc-keygen")


def keystream_key(tmp, name="k"):
    prefix = os.path.join(str(tmp), name)
    subprocess.run([KEYGEN, "--scheme", "srec", "--out", prefix], check=True, capture_output=True)
    return prefix + ".key"


def lwe_keys(tmp, preset="medium", length=512, name="lwe"):
    prefix = os.path.join(str(tmp), name)
    subprocess.run([KEYGEN, "--scheme", "lwe", "--params", preset, "--length", str(length), "--out", prefix],
                   check=True, capture_output=True)
    return prefix + ".pub", prefix + ".sec"


def error_pattern(block, param):
    """Constructor errors read "securejscc.<block>: <parameter>: <detail>"."""
    return rf"securejscc\.{block}: {param}: \S"
