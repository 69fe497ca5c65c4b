"""Input strings are text in the TUI, never Rich markup (a pod named `web[/]` crashed it)."""

from __future__ import annotations

from pathlib import Path

from podlife_tui_fixtures import until

DATA = Path(__file__).parent.parent / "data" / "hostile"


async def test_markup_in_a_pod_name_is_shown_as_text():
    from kubectl_podlife.tui.app import make_app
    from textual.widgets import Static

    app = make_app(files=[str(DATA / "markup-name.json")])
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.view is not None or app.load_error is not None, "the file loaded")
        await pilot.pause()
        assert app.load_error is None
        status = str(app.query_one("#status", Static).render())
        assert "web[/]" in status


async def test_control_characters_and_markup_in_a_message_are_shown_escaped():
    """A probe message carrying a screen clear and Rich markup: the timeline row and the explanation panel
    show `[red]` literally and the ESC as `\\x1b`; no raw ESC byte reaches what is drawn."""
    from kubectl_podlife.tui.app import make_app
    from kubectl_podlife.tui.widgets import Explanation, TimelineView
    from textual.widgets import Static

    app = make_app(files=[str(DATA / "control-message.json")])
    async with app.run_test(size=(260, 30)) as pilot:
        await until(pilot, lambda: app.view is not None or app.load_error is not None, "the file loaded")
        assert app.load_error is None
        row = next(i for i in range(len(app.view)) if app.view.transition(i).kind == "probe-failed")
        app.select_row(row)
        await pilot.pause()
        panel = str(app.query_one("#explain-body", Static).render())
        assert "[red]x[/red]" in panel and "\\x1b[2J" in panel
        assert "\x1b" not in panel
        title = app.query_one(Explanation).border_title or ""
        assert "\x1b" not in title
        tv = app.query_one(TimelineView)
        drawn = "\n".join(tv.render_line(y).text for y in range(tv.size.height))
        assert "[red]x" in drawn and "\\x1b" in drawn
        assert "\x1b" not in drawn
