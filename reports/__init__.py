"""The invoice, credit note and digest report templates (Jinja2 HTML + CSS) and their fonts.

Installed as the ``flowtui.reports`` package (see pyproject.toml) so a wheel carries them.
"""
