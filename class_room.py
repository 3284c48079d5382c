"""The students' page of a live class question, at /class: join the room, answer, see the reveal.

Served by ``page.py``'s navigation; the view is ``views/class_room.py``, the rooms ``filters/rooms.py``.
"""

from views.class_room import student_ui
from views.page_setup import page_setup
from views.safely import run_safely

page_setup("Class question")
run_safely(student_ui)
