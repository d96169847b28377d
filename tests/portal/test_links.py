"""``pk_url_maker``: the links of long lists, one ``reverse()`` for all rows."""

import pytest
from django.urls import reverse

from cpts_portal.links import pk_url_maker


@pytest.mark.parametrize(
    ("viewname", "kwarg"), [("projects:detail", "pk"), ("staff:submission", "pk")]
)
def test_pk_url_maker_gives_what_reverse_gives(viewname, kwarg):
    url = pk_url_maker(viewname, kwarg)
    for pk in (1, 42, 987_654_321, 2**40):
        assert url(pk) == reverse(viewname, kwargs={kwarg: pk})


def test_pk_url_maker_follows_the_script_prefix(settings):
    from django.urls import clear_script_prefix, set_script_prefix

    set_script_prefix("/portail/")
    try:
        assert pk_url_maker("projects:detail")(7) == "/portail/projets/7/"
    finally:
        clear_script_prefix()
