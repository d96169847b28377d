"""Reference geography of France: régions, départements, EPCI and communes.

Loaded from ``fixtures/geography/`` by ``manage.py load_geography``, never edited by
hand: rows are matched on their official codes, so a reload updates them in place.
"""

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from territories.rules import normalize_commune_name

if TYPE_CHECKING:
    from territories.selectors import TerritorySummary


# The version of cached markup and search results showing the reference geography
# (cpts_portal.fragments): bumped by ``load_geography`` and on any change of its tables.
GEOGRAPHY_VERSION = "geography"


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Departement(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="departements",
        verbose_name=_("région"),
    )

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    """Établissement public de coopération intercommunale à fiscalité propre."""

    class Kind(models.TextChoices):
        CC = "CC", _("Communauté de communes")
        CA = "CA", _("Communauté d'agglomération")
        CU = "CU", _("Communauté urbaine")
        MET = "MET", _("Métropole")
        # Collectivité à statut particulier, listed with the EPCI by the DGCL.
        MET69 = "MET69", _("Métropole de Lyon")

    code = models.CharField(_("SIREN"), max_length=9, unique=True)
    name = models.CharField(_("nom"), max_length=150)
    kind = models.CharField(_("nature"), max_length=5, choices=Kind.choices)
    # EPCI merge or dissolve every year; a loader run flags the vanished ones
    # instead of deleting rows other records may point to.
    is_current = models.BooleanField(_("en vigueur"), default=True)

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    # Indexed (with a pattern-ops twin on PostgreSQL) for prefix search: query it with
    # ``search_name__startswith=normalize_commune_name(text)``, not ``istartswith``.
    search_name = models.CharField(
        _("nom de recherche"),
        max_length=100,
        db_index=True,
        editable=False,
        help_text=_("Nom en minuscules, sans accents ni tirets, « St » développé."),
    )
    # Space-separated, sorted: "29000" or "75001 75002 …". Portable to SQLite; the index
    # serves ``startswith`` (the first code is the only one for 99 % of communes).
    postal_codes = models.CharField(_("codes postaux"), max_length=255, blank=True, db_index=True)
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        related_name="communes",
        verbose_name=_("département"),
    )
    epci = models.ForeignKey(
        Epci,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name=_("EPCI"),
    )
    # False once the commune has left the official geography (merged into a commune
    # nouvelle...): kept because other records may still point to it.
    is_current = models.BooleanField(_("commune actuelle"), default=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        # search_name sorts without regard to accents on every database collation.
        ordering = ["search_name", "insee_code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"

    def save(self, *args, **kwargs) -> None:
        # The loader sets search_name itself (bulk_create skips save()); this keeps rows
        # created one by one, in tests or the shell, searchable too.
        self.search_name = normalize_commune_name(self.name)
        super().save(*args, **kwargs)

    @property
    def postal_code_list(self) -> list[str]:
        return self.postal_codes.split()


class Territory(models.Model):
    """A named set of communes: the territory of an AMI answer or of a CPTS project.

    Population, size tier and warnings are derived from the communes on demand (see
    ``summary``), never stored, so they follow the reference data when it is reloaded.
    """

    name = models.CharField(_("nom"), max_length=200)
    communes = models.ManyToManyField(
        Commune, related_name="territories", verbose_name=_("communes"), blank=True
    )
    # Places the person kept as typed after being offered the communes they may mean
    # (« Fougèrs », a hamlet, a place abroad): one per line, shown as a warning.
    other_places = models.TextField(_("lieux non reconnus"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def other_place_list(self) -> list[str]:
        return [line.strip() for line in self.other_places.splitlines() if line.strip()]

    def summary(self) -> "TerritorySummary":
        from territories.selectors import summarize_communes  # the selectors read this module

        return summarize_communes(self.communes.all())

    def overlapping(self) -> models.QuerySet["Territory"]:
        """Other territories sharing at least one commune with this one (the query; whether
        an overlap blocks a project is ``projects.rules.overlap_blocks``)."""
        # Semi-joins on the link table: no DISTINCT over a join of every shared commune.
        links = Territory.communes.through.objects
        mine = links.filter(territory_id=self.pk).values("commune_id")
        return Territory.objects.filter(
            pk__in=links.filter(commune_id__in=mine).values("territory_id")
        ).exclude(pk=self.pk)

    def shared_communes(self, other: "Territory") -> models.QuerySet[Commune]:
        return other.communes.filter(pk__in=self.communes.values("pk"))

    def is_used_by_other_than(self, owner: models.Model | None = None) -> bool:
        """Whether a row of another app (an AMI answer, a project...) other than ``owner``
        points at this territory: its owner must then not change or delete it in place.

        Walks the reverse relations, so this app needs to know none of the apps above it.
        """
        for relation in self._meta.related_objects:
            if relation.many_to_many:
                continue
            rows = relation.related_model._base_manager.filter(**{relation.field.name: self})
            if owner is not None and isinstance(owner, relation.related_model):
                rows = rows.exclude(pk=owner.pk)
            if rows.exists():
                return True
        return False
