"""Rules of the Streamlit server process that ``.streamlit/config.toml`` cannot express.

``app.py`` (the launcher) installs them once, when the server starts and before it answers a
request; the pages and their views change nothing outside themselves:

- ``uploads``: uploads never touch the disk;
- ``widget_states``: a widget value the page's widgets cannot send is refused at the door, before
  Streamlit itself or a callback reads it;
- ``logs``: no log line grows with what a visitor sent;
- ``sessions``: a session closed long enough is shut down and its memory freed, even when idle;
- ``headers``: the page cannot be framed by another site, nothing is content-sniffed, and pictures
  are never stored by a shared browser or proxy.
"""
