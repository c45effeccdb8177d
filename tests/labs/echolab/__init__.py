"""A test-only lab: the model's top next tokens for a prompt. It exists to prove that a lab is
its own package plus one registration (``register_lab_package``), found by the home screen,
the palette, ``mitutor labs / run / open`` and ``check-content`` with no edit elsewhere."""

from tutor.labs.info import LabInfo

LAB = LabInfo(
    id="echolab",
    title="Echo lab (test only)",
    summary="The model's top next tokens for a prompt.",
    presets="echolab.presets",
    experiment="echolab.experiment",
    cli="echolab.cli",
    screen="echolab.screen:EchoScreen",
)
