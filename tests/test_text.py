"""User text inside Markdown is shown as typed."""

from views.text import plain


def test_markdown_characters_are_escaped():
    assert plain("*final* cat.png") == r"\*final\* cat\.png"
    assert plain("![x](https://example.invalid/t.png)") == r"\!\[x\]\(https\:\/\/example\.invalid\/t\.png\)"
    assert plain("`code` $x$ :red[y] <b>") == r"\`code\` \$x\$ \:red\[y\] \<b\>"


def test_plain_text_is_unchanged():
    assert plain("Ankle boot 1") == "Ankle boot 1"
    assert plain("photo 2024") == "photo 2024"
