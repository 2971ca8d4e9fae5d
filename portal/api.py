"""The portal API (API.md, The patient's side): `/api/v1/portal/`, for a patient
token only; and the front desk's `POST /api/v1/patients/{id}/invite/`.

A patient token is not a staff token: the staff endpoints' authentication does
not know it (401), and these endpoints know nothing else (a staff member is a
403, not being a patient). Each read is an audit event on the patient."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import APIException, ParseError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.access import access_patient
from clinic.api_base import ERRORS, ClinicAPIMixin
from clinic.audit import record
from clinic.pagination import Pagination
from clinic.patients import update_own_contact
from scheduling.visits import cancel_by_patient, confirm_by_patient

from . import sign_in
from .access import LINK, PORTAL, PatientCaller, access_own_appointment, own_upcoming_visits
from .models import PatientSessionKind
from .serializers import (
    InviteSentSerializer,
    PortalMeSerializer,
    PortalSessionSerializer,
    PortalSignInSerializer,
    PortalVisitSerializer,
)

VIA = "portal API"


class LinkGoneError(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This sign-in link has expired, has been used, or is locked."
    default_code = "link_gone"


class PatientTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <patient token>`; the staff's tokens mean nothing here."""

    keyword = b"token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        session = sign_in.session_for(secret)
        if session is None or session.kind != PatientSessionKind.API:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        return PatientCaller(session=session), session

    def authenticate_header(self, request):
        return "Token"


class PatientTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.PatientTokenAuthentication"
    name = "patientToken"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )
        scheme["description"] = (
            "A patient token, from `POST /api/v1/portal/session/`: `Authorization: Token "
            "<token>`. It opens /api/v1/portal/ only, for that patient, until 30 minutes "
            "pass without a request; staff tokens are not accepted there."
        )
        return scheme


class IsPatient(permissions.BasePermission):
    """A patient session with the view's verb; a signed-in staff member is refused
    outright (403): the portal is not a back door to their own role either."""

    message = "The portal is for patients."

    def has_permission(self, request, view):
        if isinstance(request.user, PatientCaller):
            verb = view.verb_for(request)
            return verb is None or PORTAL.may(request.user, verb)
        if getattr(view, "staff_caller", False):  # a staff session cookie
            raise exceptions.PermissionDenied(self.message)
        return False


class PortalAPIMixin(ClinicAPIMixin):
    authentication_classes = [PatientTokenAuthentication]
    permission_classes = [IsPatient]
    policy = PORTAL
    takes_idempotency_key = False  # for the schema: see initial()
    filter_backends = []  # a patient's lists take no filters (and the schema offers none)

    def initial(self, request, *args, **kwargs):
        # no Idempotency-Key here: its rows belong to staff accounts, and a
        # patient's confirm or cancel is safe to repeat (the first one stands).
        # Django's user, before DRF's authentication replaces it: a staff session?
        self.staff_caller = request._request.user.is_authenticated
        APIView.initial(self, request, *args, **kwargs)
        if any("\x00" in value for value in request.query_params.values()):
            raise ParseError("A query parameter holds a NUL character.")
        self.idempotency_key = None

    @property
    def patient(self):
        return self.request.user.patient

    def audit(self, action: str, target=None):
        record(
            actor=None, action=action, target=target or self.patient, patient=self.patient,
            detail=f"{sign_in.BY_PATIENT} ({VIA})",
        )  # fmt: skip


@extend_schema(tags=["portal"])
class SessionView(PortalAPIMixin, GenericAPIView):
    """Sign in with a link's token and the date of birth; sign out (DELETE)."""

    serializer_class = PortalSignInSerializer
    verbs = {"delete": "sign_out"}
    # a wrong date of birth must stay counted: no request-wide rollback
    atomic_request = False

    def signing_in(self) -> bool:
        return getattr(self.request, "method", "") == "POST"  # no request: the schema

    def get_permissions(self):
        return [AllowAny()] if self.signing_in() else super().get_permissions()

    def get_authenticators(self):
        return [] if self.signing_in() else super().get_authenticators()

    @extend_schema(
        request=PortalSignInSerializer,
        responses={
            200: PortalSessionSerializer,
            400: ERRORS["400"],
            410: ERRORS["410"],
        },
        auth=[],
    )
    def post(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            session, secret = sign_in.redeem(
                token=given.validated_data["token"],
                date_of_birth=given.validated_data["date_of_birth"],
                kind=PatientSessionKind.API,
                user_agent=request.headers.get("User-Agent", ""),
            )
        except sign_in.LinkGone as gone:
            raise LinkGoneError(str(gone)) from None
        body = {"token": secret, "expires_at": sign_in.expires_at(session)}
        return Response(PortalSessionSerializer(body).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        sign_in.end_session(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["portal"])
class MeView(PortalAPIMixin, GenericAPIView):
    serializer_class = PortalMeSerializer
    verbs = {"get": "read_me", "patch": "update_me"}
    # the patient's own contact details: no ETag to send back (a PATCH that changes
    # nothing keeps the version, so the front desk's If-Match still holds)
    checks_if_match = False

    def get(self, request):
        self.audit("portal.me_read")
        return Response(self.get_serializer(self.patient).data)

    def patch(self, request):
        given = self.get_serializer(self.patient, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        patient = update_own_contact(patient=self.patient, data=given.validated_data, via=VIA)
        return Response(self.get_serializer(patient).data)


@extend_schema(tags=["portal"])
class VisitListView(PortalAPIMixin, GenericAPIView):
    serializer_class = PortalVisitSerializer
    pagination_class = Pagination  # the API's pages, described as they are
    verbs = {"get": "read_visits"}

    def get_queryset(self):
        return own_upcoming_visits(self.patient)

    @extend_schema(responses=PortalVisitSerializer(many=True))  # a page of them
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        self.audit("portal.visits_read")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class VisitActionView(PortalAPIMixin, GenericAPIView):
    serializer_class = PortalVisitSerializer
    verb = ""

    def verb_for(self, request):
        return self.verb if request.method == "POST" else None

    def act(self, visit):
        raise NotImplementedError

    @extend_schema(tags=["portal"], request=None, responses={200: PortalVisitSerializer})
    def post(self, request, pk):
        visit = access_own_appointment(request.user, pk, self.verb)
        return Response(self.get_serializer(self.act(visit)).data)


class ConfirmVisitView(VisitActionView):
    verb = "confirm"

    def act(self, visit):
        return confirm_by_patient(appointment=visit, via=VIA)


class CancelVisitView(VisitActionView):
    verb = "cancel"

    def act(self, visit):
        return cancel_by_patient(appointment=visit, via=VIA)


@extend_schema(tags=["patients"])
class InviteView(ClinicAPIMixin, GenericAPIView):
    """The front desk sends the patient a sign-in link by their channel (202)."""

    policy = LINK
    verbs = {"post": "invite"}
    serializer_class = InviteSentSerializer

    @extend_schema(request=None, responses={202: InviteSentSerializer})
    def post(self, request, pk):
        patient = access_patient(request.user, pk)
        channel = sign_in.send_invite(patient=patient, by=request.user)
        body = InviteSentSerializer({"channel": channel}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)
