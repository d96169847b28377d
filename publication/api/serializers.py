"""What the read API returns. Only fields the same role reads on the pages."""

from rest_framework import serializers

from ami.models import Actor, Referent, Submission
from projects.models import AciContract, CptsProject
from territories.models import Commune, Territory
from territories.rules import size_tier

from ..rules import plain_stage


class ProjectSerializer(serializers.ModelSerializer):
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    stage_plain = serializers.SerializerMethodField(help_text="L’étape en clair (page publique).")
    territory_name = serializers.CharField(source="territory.name", default=None, read_only=True)
    commune_count = serializers.IntegerField(read_only=True)
    population = serializers.IntegerField(read_only=True)
    size_tier = serializers.SerializerMethodField()
    published = serializers.SerializerMethodField()

    class Meta:
        model = CptsProject
        fields = [
            "id",
            "name",
            "stage",
            "stage_label",
            "stage_plain",
            "stage_changed_at",
            "territory",
            "territory_name",
            "commune_count",
            "population",
            "size_tier",
            "letter_deposited_on",
            "letter_validated_on",
            "health_project_deposited_on",
            "health_project_validated_on",
            "running_since",
            "abandoned_on",
            "published",
            "created_at",
            "updated_at",
        ]

    def get_stage_plain(self, project: CptsProject) -> str:
        return plain_stage(project.stage)

    def get_size_tier(self, project: CptsProject) -> int | None:
        return size_tier(project.population).number if project.territory_id else None

    def get_published(self, project: CptsProject) -> bool:
        publication = getattr(project, "publication", None)
        return bool(publication and publication.is_published)


class TerritorySerializer(serializers.ModelSerializer):
    communes = serializers.SlugRelatedField(
        slug_field="insee_code", many=True, read_only=True, help_text="Codes INSEE."
    )
    population = serializers.IntegerField(read_only=True)
    size_tier = serializers.SerializerMethodField()

    class Meta:
        model = Territory
        fields = ["id", "name", "population", "size_tier", "communes", "updated_at"]

    def get_size_tier(self, territory: Territory) -> int:
        return size_tier(territory.population).number


class ActorSerializer(serializers.ModelSerializer):
    practice_commune = serializers.SlugRelatedField(slug_field="insee_code", read_only=True)

    class Meta:
        model = Actor
        fields = [
            "name",
            "profession",
            "profession_other",
            "practice_place",
            "practice_commune",
            "practice_setting",
            "structure_name",
        ]


class ReferentSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(read_only=True)

    class Meta:
        model = Referent
        fields = ["name", "function", "email", "phone"]


class SubmissionSummarySerializer(serializers.ModelSerializer):
    """An answer without its people: for the roles that do not read them on the pages."""

    reference = serializers.CharField(read_only=True)
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    communes = serializers.SerializerMethodField(help_text="Codes INSEE du territoire envisagé.")

    class Meta:
        model = Submission
        fields = [
            "id",
            "reference",
            "campaign",
            "status",
            "submitted_at",
            "status_changed_at",
            "wants_information",
            "has_reflection",
            "has_initiative",
            "context",
            "territory_text",
            "communes",
            "orientation",
        ]

    def get_communes(self, submission: Submission) -> list[str]:
        if submission.territory is None:
            return []
        return [commune.insee_code for commune in submission.territory.communes.all()]


class SubmissionSerializer(SubmissionSummarySerializer):
    """An answer with its actors and référents (personal data), for the roles that read
    them on the answer's page; the others get the answer without these two fields."""

    actors = ActorSerializer(many=True, read_only=True)
    referents = ReferentSerializer(many=True, read_only=True)

    class Meta(SubmissionSummarySerializer.Meta):
        fields = [*SubmissionSummarySerializer.Meta.fields, "actors", "referents"]


class ContractSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    ends_on = serializers.DateField(read_only=True, help_text="Fin du contrat (5 ans).")

    class Meta:
        model = AciContract
        fields = [
            "id",
            "project",
            "project_name",
            "signed_on",
            "ends_on",
            "cpts_name",
            "cpam_name",
            "ars_name",
            "missions",
            "created_at",
        ]


class CommuneSerializer(serializers.ModelSerializer):
    departement = serializers.CharField(source="departement.code", read_only=True)
    region = serializers.CharField(source="departement.region.code", read_only=True)
    epci = serializers.CharField(source="epci.code", default=None, read_only=True)
    postal_codes = serializers.ListField(
        source="postal_code_list", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = Commune
        fields = [
            "insee_code",
            "name",
            "population",
            "postal_codes",
            "departement",
            "region",
            "epci",
            "is_current",
        ]
