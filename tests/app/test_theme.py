"""The colour theme chosen in the app is kept for the next start; a damaged preferences
file is set aside, not fatal."""

from __future__ import annotations

from tutor.settings import settings_path


async def test_theme_choice_survives_a_restart(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme != "dracula"
        app.theme = "dracula"
        await pilot.pause()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "dracula"


async def test_damaged_preferences_are_set_aside(make_app):
    settings_path().write_text("{not json", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        messages = [n.message for n in app._notifications]
        assert any("kept as" in m for m in messages)
    assert settings_path().with_name("settings.json.bad").exists()
