"""The labs: one sub-package per lab, and the one registry of labs (``tutor.labs.registry``).

A lab package holds its experiment (``experiment.py``: a pydantic ``Params`` in, a pydantic
``Result`` out, no Textual), its presets (``presets.py``, torch-free), its command-line face
(``cli.py``), its screen (``screen.py``) and its text. Its ``__init__`` defines ``LAB``, a
``LabInfo`` naming those modules by path, so listing the labs imports neither torch nor
Textual. Adding a lab is one package plus one line in ``registry.LAB_PACKAGES``.
"""
