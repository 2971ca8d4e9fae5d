"""REST API of the clinic core (API.md): token, me, staff, patients,
appointments, appointment series, audit events. Views are thin: scope through
`visible_to(user)`, check structure with a serializer, call the service."""

import django_filters
from django.contrib.auth import authenticate, logout
from drf_spectacular.utils import extend_schema, extend_schema_view
from knox.models import AuthToken
from rest_framework import filters, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from . import tokens, two_factor
from .access import AUDIT, BREAK_GLASS, PATIENT, STAFF
from .api_base import ERRORS, ClinicAPIMixin
from .break_glass import break_the_glass
from .etag import claim_version
from .models import AuditEvent, BreakGlass, Patient, User
from .patients import register_patient, update_patient
from .serializers import (
    AuditEventSerializer,
    BreakGlassOpenedSerializer,
    BreakGlassRequestSerializer,
    BreakGlassSerializer,
    MeSerializer,
    PatientSerializer,
    StaffSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from .vocabulary import Role


class AuthTokenView(ClinicAPIMixin, GenericAPIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = TokenRequestSerializer

    # Outside the request's transaction: a refused sign-in must leave
    # django-axes' failure record behind, or the lockout never comes.
    atomic_request = False

    def dispatch(self, request, *args, **kwargs):
        return GenericAPIView.dispatch(self, request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        return GenericAPIView.finalize_response(self, request, response, *args, **kwargs)

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 429: ERRORS["429"]},
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        # the Django request, so django-axes counts the failure and can lock the pair
        code = given.validated_data.pop("otp", "")
        user = authenticate(request._request, **given.validated_data)
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to sign in with these credentials."]}
            )
        # --- totp helper: an account with a second factor needs its code here too
        device = two_factor.confirmed_device(user)
        if device is not None:
            if not code:
                raise serializers.ValidationError(
                    {"otp": ["This account has two-factor sign-in: send the six-digit code."]}
                )
            ok, problem = two_factor.check_code(device=device, code=code, request=request._request)
            if not ok:
                raise serializers.ValidationError({"otp": [problem]})
        key, token = tokens.issue_token(user=user)
        return Response(TokenSerializer({"token": key, "expires_at": token.expiry}).data)


class LogoutView(ClinicAPIMixin, GenericAPIView):
    """Ends the credential of this request: the token presented, or the session."""

    policy, verbs = STAFF, {"post": "sign_out"}
    serializer_class = None

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            tokens.revoke_token(token=request.auth, by=request.user)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(ClinicAPIMixin, GenericAPIView):
    """Revokes every API token of the caller (a lost tablet, a leaked script)."""

    policy, verbs = STAFF, {"post": "sign_out"}
    serializer_class = None

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request):
        tokens.revoke_all_tokens(user=request.user, by=request.user, reason="sign-out everywhere")
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(ClinicAPIMixin, GenericAPIView):
    policy, verbs = STAFF, {"get": "me"}
    serializer_class = MeSerializer

    @extend_schema(responses=MeSerializer, tags=["staff"])
    def get(self, request):
        return Response(self.get_serializer(request.user).data)


class StaffFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = User
        fields = ["role"]


@extend_schema_view(list=extend_schema(tags=["staff"]), retrieve=extend_schema(tags=["staff"]))
class StaffViewSet(ClinicAPIMixin, viewsets.ReadOnlyModelViewSet):
    policy = STAFF
    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    queryset = User.objects.filter(is_active=True)

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())


# --- patients ----------------------------------------------------------------------


class PatientViewSet(
    ClinicAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The clinic's patient directory (demographics only)."""

    model = Patient
    policy = PATIENT
    serializer_class = PatientSerializer
    filter_backends = [filters.SearchFilter]
    search_fields = ["first_name", "last_name"]

    def scoped_queryset(self, user):
        return Patient.objects.visible_to(user, glass=self.reading).filter(is_active=True)

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        confirm_new = data.pop("confirm_new", False)
        patient = register_patient(data=data, by=request.user, confirm_new=confirm_new)
        return self.detail_response(patient, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        patient = self.get_object()
        given = self.get_serializer(patient, data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        claim_version(patient, request)
        data = {k: v for k, v in given.validated_data.items() if k != "confirm_new"}
        patient = update_patient(patient=patient, data=data, by=request.user)
        return self.detail_response(patient)

    @extend_schema(request=BreakGlassRequestSerializer, responses={201: BreakGlassOpenedSerializer})
    @action(detail=True, methods=["post"], url_path="break-glass")
    def break_glass(self, request, pk=None):
        """Break the glass: read the patient's whole clinical record, read-only,
        for BREAK_GLASS_MINUTES (API.md, Roles); the manager reviews each use."""
        patient = self.get_object()
        given = BreakGlassRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        grant = break_the_glass(patient=patient, by=request.user, **given.validated_data)
        return self.detail_response(
            grant, serializer_class=BreakGlassOpenedSerializer, status=status.HTTP_201_CREATED
        )


# --- appointments --------------------------------------------------------------------


# --- appointment series --------------------------------------------------------------


# --- audit -----------------------------------------------------------------------------


class AuditEventFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter()
    actor = django_filters.UUIDFilter()
    action = django_filters.CharFilter(max_length=40)

    class Meta:
        model = AuditEvent
        fields = ["patient", "actor", "action"]


class AuditEventViewSet(ClinicAPIMixin, viewsets.ReadOnlyModelViewSet):
    """The audit trail, for the manager; append-only (no write endpoints)."""

    policy = AUDIT
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    queryset = AuditEvent.objects.order_by("-at", "id")

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())


class BreakGlassViewSet(ClinicAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every break-the-glass, newest first, with its reason: the manager's review."""

    policy = BREAK_GLASS
    serializer_class = BreakGlassSerializer
    queryset = BreakGlass.objects.order_by("-created_at", "id")
