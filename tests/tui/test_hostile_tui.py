"""Input strings are text in the TUI, never Rich markup (a pod named `web[/]` crashed it)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent.parent / "data" / "hostile"


async def test_markup_in_a_pod_name_is_shown_as_text():
    from kubectl_podlife.tui.app import make_app
    from textual.widgets import Static

    app = make_app(files=[str(DATA / "markup-name.json")])
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(500):
            if app.view is not None or app.load_error is not None:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        assert app.load_error is None
        status = str(app.query_one("#status", Static).render())
        assert "web[/]" in status
