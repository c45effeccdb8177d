"""``LabInfo``: what the registry knows about a lab, as plain strings (imports nothing heavy).

The app, the command line and the curriculum all read labs through these fields, so a lab
package is found by its ``LAB`` alone. Modules are named by dotted path and imported only
when needed: the home screen lists labs before torch is imported.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabInfo:
    """One lab.

    ``presets`` names a torch-free module with ``PRESETS: dict[str, preset]`` (each preset has
    ``title`` and ``explanation``) in the lab's order, the first being the default.
    ``experiment`` names a module with ``Params`` and ``Result`` (pydantic models),
    ``params_for_preset(preset_id | None) -> Params`` and ``run(params, ctx) -> Result``.
    ``cli`` names a module with ``add_arguments(parser)``, ``params_from_args(args, base)``
    and ``format_text(result) -> str``. ``screen`` is ``"module:Class"``; the class is built
    as ``Class(preset=preset_id_or_None)``. ``reuse_results``: the result is a pure function
    of (model, device, params), so a finished run is kept and shown again on an identical
    request (``tutor.labs.results``); leave it off for labs whose results hold a trained model.
    """

    id: str
    title: str
    summary: str
    presets: str
    experiment: str
    cli: str
    screen: str
    reuse_results: bool = False
