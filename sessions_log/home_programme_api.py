"""The exercise library (`/api/v1/exercises/`, the manager writes) and a plan's
home programme (`POST /api/v1/treatment-plans/{id}/home-programme/`, its therapist)."""

from django.templatetags.static import static
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from clinic.api_base import ClinicAPIMixin
from referrals.access import access_plan
from referrals.models import TreatmentPlan

from .access import EXERCISE, HOME_PROGRAMME
from .home_programme import set_home_programme
from .models import Exercise, HomeExercise


class ExerciseSerializer(serializers.ModelSerializer):
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = Exercise
        fields = [
            "id", "code", "name", "region", "instructions", "hold_seconds", "repetitions",
            "times_per_day", "is_active", "image_url",
        ]  # fmt: skip

    def get_image_url(self, exercise) -> str:
        return self.context["request"].build_absolute_uri(static(f"exercises/{exercise.code}.svg"))


@extend_schema(tags=["home programme"])
class ExerciseViewSet(
    ClinicAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    policy = EXERCISE
    model = Exercise
    serializer_class = ExerciseSerializer
    queryset = Exercise.objects.all()
    verbs = {"update": "update", "partial_update": "update", "create": "create"}
    # an exercise has no version yet: its answers carry no ETag and its edits take
    # no If-Match, and the schema says so
    answers_etag = False
    checks_if_match = False


class HomeExerciseItemSerializer(serializers.Serializer):
    exercise = serializers.UUIDField()
    hold_seconds = serializers.IntegerField(required=False)
    repetitions = serializers.IntegerField(required=False)
    times_per_day = serializers.IntegerField(required=False)


class HomeExerciseSerializer(serializers.ModelSerializer):
    class Meta:
        model = HomeExercise
        fields = ["id", "exercise", "hold_seconds", "repetitions", "times_per_day"]


@extend_schema(tags=["home programme"])
class HomeProgrammeView(ClinicAPIMixin, GenericAPIView):
    model = TreatmentPlan  # the path's id (for the schema)
    policy = HOME_PROGRAMME
    verbs = {"post": "set"}
    serializer_class = HomeExerciseItemSerializer

    @extend_schema(
        request=HomeExerciseItemSerializer(many=True),
        responses={201: HomeExerciseSerializer(many=True)},
    )
    def post(self, request, pk):
        plan = access_plan(request.user, pk)
        items = request.data if isinstance(request.data, list) else None
        rows = set_home_programme(plan=plan, items=items, by=request.user)
        body = HomeExerciseSerializer(rows, many=True).data
        return Response(body, status=status.HTTP_201_CREATED)
