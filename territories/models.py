"""Reference geography of France: régions, départements, EPCI and communes.

Loaded from ``fixtures/geography/`` by ``manage.py load_geography``, never edited by
hand: rows are matched on their official codes, so a reload updates them in place.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from territories.rules import normalize_commune_name

if TYPE_CHECKING:
    from territories.selectors import TerritorySummary


# The version of cached markup and search results showing the reference geography
# (cpts_portal.fragments): bumped by ``load_geography`` and on any change of its tables.
GEOGRAPHY_VERSION = "geography"
# The version of what is kept about the saved territories (the list's figures and overlaps,
# its départements filter: territories.selectors): bumped on any change of a territory or
# of its communes.
TERRITORIES_VERSION = "territories"


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
    # The region whose staff see and edit the territory (the campaign's or the project's):
    # its communes may lie across a border, the territory still belongs to one region.
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="territories",
        verbose_name=_("région de rattachement"),
    )
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


# --- Regions served by the portal: identity, institutions, staff -----------------------


class RegionIdentity(models.Model):
    """A region the portal serves and how it names itself on pages, emails, PDFs and
    contracts: one row per ARS. A region without one is not served (no campaign, no staff).
    """

    region = models.OneToOneField(
        Region, on_delete=models.PROTECT, related_name="identity", verbose_name=_("région")
    )
    ars_name = models.CharField(
        _("nom de l'ARS"),
        max_length=150,
        help_text=_("Par exemple « Agence régionale de santé Bretagne »."),
    )
    ars_short_name = models.CharField(
        _("nom court de l'ARS"), max_length=60, help_text=_("Par exemple « ARS Bretagne ».")
    )
    ami_contact_email = models.EmailField(_("adresse de contact pour l'AMI"), blank=True)
    ami_contact_details = models.TextField(_("contact pour tout renseignement"), blank=True)
    legal_notice = models.TextField(
        _("mentions légales propres à la région"),
        blank=True,
        help_text=_("Éditeur, directeur de la publication… Vide : celles du portail."),
    )
    privacy_controller = models.CharField(
        _("responsable du traitement des données"), max_length=150, blank=True
    )
    privacy_contact = models.EmailField(
        _("contact du délégué à la protection des données"), blank=True
    )
    uses_guichet = models.BooleanField(
        _("Guichet CPTS"),
        default=False,
        help_text=_(
            "La lettre d'intention est examinée par le Guichet CPTS, qui recueille l'avis de "
            "chaque URPS puis transmet un avis consolidé à l'ARS."
        ),
    )

    class Meta:
        verbose_name = _("région servie")
        verbose_name_plural = _("régions servies")
        ordering = ["region__name"]

    def __str__(self) -> str:
        return self.ars_name


class InstitutionKind(models.TextChoices):
    # The same values as the role groups (cpts_portal.roles.Role): an agent's group gives
    # their rights, their institution the region they exercise them in.
    ARS = "ARS", _("Agence régionale de santé")
    URPS = "URPS", _("Union régionale des professionnels de santé")
    ASSURANCE_MALADIE = "Assurance Maladie", _("Assurance Maladie (CPAM, DCGDR)")


class UrpsProfession(models.TextChoices):
    """The ten professions that have a URPS (code de la santé publique, art. R4031-1)."""

    MEDECINS = "medecins", _("Médecins")
    INFIRMIERS = "infirmiers", _("Infirmiers")
    PHARMACIENS = "pharmaciens", _("Pharmaciens")
    KINES = "masseurs-kinesitherapeutes", _("Masseurs-kinésithérapeutes")
    DENTISTES = "chirurgiens-dentistes", _("Chirurgiens-dentistes")
    SAGES_FEMMES = "sages-femmes", _("Sages-femmes")
    ORTHOPHONISTES = "orthophonistes", _("Orthophonistes")
    ORTHOPTISTES = "orthoptistes", _("Orthoptistes")
    PODOLOGUES = "pedicures-podologues", _("Pédicures-podologues")
    BIOLOGISTES = "biologistes", _("Biologistes responsables")


class Institution(models.Model):
    """A partner institution of a region: its ARS, a CPAM or the DCGDR, a URPS."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("région")
    )
    kind = models.CharField(_("type"), max_length=20, choices=InstitutionKind.choices)
    name = models.CharField(_("nom"), max_length=150)
    profession = models.CharField(
        _("profession (URPS)"), max_length=30, choices=UrpsProfession.choices, blank=True
    )
    email = models.EmailField(_("adresse de contact"), blank=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["region__name", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="institution_unique_name"),
            models.CheckConstraint(
                condition=models.Q(kind="URPS") | models.Q(profession=""),
                name="institution_profession_only_for_urps",
                violation_error_message=_("Seule une URPS représente une profession."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StaffMembership(models.Model):
    """The institution (hence the region) a staff member works for: they see only that
    region's campaigns, answers, projects and territories (``territories.permissions``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_membership",
        verbose_name=_("agent"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("institution"),
    )

    class Meta:
        verbose_name = _("rattachement d'un agent")
        verbose_name_plural = _("rattachements des agents")

    def __str__(self) -> str:
        return f"{self.user} — {self.institution}"
