"""The territory list's « Chevauchements » cell, written in Python: the same markup as the
template loop it replaced, names escaped."""

from django.template import Context, Template

from territories.templatetags.territory_tags import overlap_links

# The loop the filter replaced (territories/templates/territories/territory_list.html).
LOOP = Template(
    "{% for pk, name in overlaps %}{% if pk %}<a href=\"{% url 'territories:territory_detail' "
    'pk %}">{{ name }}</a>{% else %}{{ name }}{% endif %}{% if not forloop.last %}, '
    "{% endif %}{% empty %}—{% endfor %}"
)


def loop(overlaps: list[tuple[int | None, str]]) -> str:
    return LOOP.render(Context({"overlaps": overlaps}))


def test_the_cell_is_the_markup_of_the_template_loop():
    for overlaps in (
        [],
        [(12, "CPTS du Coglais"), (13, 'Côtes-d\'Armor "nord"')],
        [(3, "A & B <i>x</i>"), (45, "« L’Ouest »"), (None, "un projet existe dans la région")],
        [(None, "<script>")],
    ):
        assert overlap_links(overlaps) == loop(overlaps)


def test_names_are_escaped_and_ids_linked():
    cell = overlap_links([(7, '<img src=x onerror="alert(1)">'), (None, "x & y")])
    assert cell == (
        '<a href="/territoires/7/">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</a>, x &amp; y'
    )
