"""Every grc/*.block.yml loads as YAML, sits in the securejscc category tree, documents
itself, and its make template calls a block that the bindings export; every bound block
has a .block.yml; and grcc compiles a small flowgraph using the blocks."""
import glob
import os
import re
import shutil
import subprocess

import pytest
import yaml
from gnuradio import securejscc

GRC = os.path.join(os.environ.get("SJ_SOURCE_DIR", ""), "grc")
FILES = sorted(glob.glob(os.path.join(GRC, "*.block.yml")))


def test_there_are_block_files():
    assert len(FILES) >= 12


@pytest.mark.parametrize("path", FILES, ids=os.path.basename)
def test_block_yml(path):
    d = yaml.safe_load(open(path))
    name = os.path.basename(path)[: -len(".block.yml")]
    assert d["id"] == name and name.startswith("securejscc_")
    assert d["category"].startswith("[securejscc]/")
    assert len(d["documentation"]) > 80
    assert d["file_format"] == 1
    m = re.match(r"securejscc\.(\w+)\(", d["templates"]["make"])
    assert m and hasattr(securejscc, m.group(1)), d["templates"]["make"]
    ids = [p["id"] for p in d["parameters"]]
    for ref in re.findall(r"\$\{(\w+)\}", d["templates"]["make"]):
        assert ref in ids
    assert all("default" in p for p in d["parameters"])


def test_every_binding_has_a_block_file():
    bound = [n for n in dir(securejscc) if isinstance(getattr(securejscc, n), type) and not n.startswith("_")]
    names = {os.path.basename(f)[len("securejscc_"): -len(".block.yml")] for f in FILES}
    assert bound and set(bound) <= names, set(bound) - names


GRC_FLOWGRAPH = """
options:
  parameters: {id: sj_grcc_check, generate_options: no_gui, output_language: python}
  states: {coordinate: [8, 8], rotation: 0, state: enabled}
blocks:
- name: src
  id: blocks_vector_source_x
  parameters: {type: byte, vector: '(1, 2, 3, 4) * 64', repeat: 'False', tags: '[]', vlen: '1'}
  states: {coordinate: [8, 100], rotation: 0, state: enabled}
- name: mapper
  id: securejscc_symbol_mapper
  parameters: {modulation: 16qam, frame_len: '64'}
  states: {coordinate: [200, 100], rotation: 0, state: enabled}
- name: demod
  id: securejscc_soft_demod
  parameters: {modulation: 16qam, frame_len: '128', noise_var: '0.01', hard: 'True'}
  states: {coordinate: [400, 100], rotation: 0, state: enabled}
- name: snk
  id: blocks_null_sink
  parameters: {type: byte, vlen: '1', num_inputs: '1', bus_structure_sink: '[[0,],]'}
  states: {coordinate: [600, 100], rotation: 0, state: enabled}
connections:
- [src, '0', mapper, '0']
- [mapper, '0', demod, '0']
- [demod, '0', snk, '0']
metadata: {file_format: 1}
"""


@pytest.mark.skipif(shutil.which("grcc") is None, reason="grcc not installed")
def test_grcc_compiles_a_flowgraph(tmp_path):
    # The port types are GRC expressions over the parameters (byte in, byte out for hard
    # 16QAM); grcc refuses a connection whose types differ, so this checks them too.
    (tmp_path / "t.grc").write_text(GRC_FLOWGRAPH)
    env = dict(os.environ, GRC_BLOCKS_PATH=GRC)
    res = subprocess.run(["grcc", "-o", str(tmp_path), str(tmp_path / "t.grc")], env=env, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    code = (tmp_path / "sj_grcc_check.py").read_text()
    assert "securejscc.symbol_mapper('16qam', 64)" in code
    assert "securejscc.soft_demod('16qam', 128, 0.01, True)" in code
    compile(code, "sj_grcc_check.py", "exec")
