"""Sign-in, the user directory, and administration of agencies and users."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify
from flask.views import MethodView
from flask_login import login_required

from homelog.accounts import password_links, people, reauth, second_factor, services
from homelog.accounts.access import (
    SESSION_COOKIE,
    current_session,
    require_role,
    signed_in_user,
)
from homelog.accounts.models import Role, User
from homelog.accounts.schemas import (
    AgencyChangeSchema,
    AgencyInSchema,
    AgencyOutSchema,
    ChangePasswordSchema,
    ConfirmedOutSchema,
    ConfirmPasswordSchema,
    CreatedUserOutSchema,
    DirectoryQuerySchema,
    EnrolmentCodeSchema,
    EnrolmentOutSchema,
    PasswordLinkOutSchema,
    PeopleQuerySchema,
    PersonOutSchema,
    RecoveryCodesOutSchema,
    ResetRequestedOutSchema,
    ResetRequestSchema,
    SessionOutSchema,
    SetPasswordSchema,
    SignInSchema,
    UserChangeSchema,
    UserInSchema,
    UserOutSchema,
)
from homelog.core.api import PUBLIC, SIGNED_IN, SIGNED_IN_WITH_CSRF, Blueprint, ErrorSchema
from homelog.core.errors import not_found
from homelog.extensions import db

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Sign-in and users")
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again",
                                "schema": {"type": "integer", "minimum": 1}}}


@blp.route("/session")
class SessionResource(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(SignInSchema)
    @blp.response(201, SessionOutSchema)
    @blp.alt_response(401, schema=ErrorSchema, description=(
        "`sign_in_failed`: email or password not recognised. `second_factor_required`: "
        "the password is right and a code is needed (`otp`). `second_factor_failed`: the "
        "code is wrong or already used"))
    @blp.alt_response(429, schema=ErrorSchema, headers=_RETRY_AFTER, description=(
        "Too many wrong sign-ins lately for this account from this address, or from this "
        "address at all: wait (Retry-After, in seconds) and try again"))
    def post(self, data: dict[str, Any]) -> Response:
        """Sign in: sets the session cookie and returns the CSRF token for later calls.

        With two-step sign-in set up, send the code from the authenticator app as `otp`
        (see the 401 codes). Where every sign-in needs it and the account has not set it
        up, the session can only set it up (`second_factor.enrol_first`).
        """
        started = services.sign_in(data["email"], data["password"], data["otp"])
        response = jsonify(SessionOutSchema().dump({
            "user": started.user, "csrf_token": started.csrf_token,
            "second_factor": {"enrolled": second_factor.is_enrolled(started.user.id),
                              "enrol_first": started.enrol_first},
        }))
        response.status_code = 201
        response.set_cookie(
            SESSION_COOKIE,
            started.token,
            httponly=True,
            secure=current_app.config["HOMELOG_COOKIE_SECURE"],
            samesite="Strict",
            path="/",
        )
        return response

    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, SessionOutSchema)
    def get(self) -> dict[str, Any]:
        """Who is signed in, and the CSRF token to send as X-CSRF-Token."""
        user, session = signed_in_user(), current_session()
        return {"user": user, "csrf_token": session.csrf_token,
                "second_factor": {"enrolled": second_factor.is_enrolled(user.id),
                                  "enrol_first": session.enrol_first}}

    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.response(204)
    def delete(self) -> Response:
        """Sign out: ends the server-side session at once."""
        services.end_session(current_session(), "signed_out")
        response = Response(status=204)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


@blp.route("/session/confirm")
class ConfirmResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(ConfirmPasswordSchema)
    @blp.response(200, ConfirmedOutSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Confirm your password, for actions that need a recent sign-in (exports).

        Exports answer 403 with the code `reauthentication_required` when the session's
        sign-in (or last confirmation) is older than the partnership allows.
        """
        until = reauth.confirm_password(signed_in_user(), current_session(), data["password"])
        return {"recent_until": until}


@blp.route("/session/second-factor")
class SecondFactorResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.response(201, EnrolmentOutSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Already set up")
    def post(self) -> Any:
        """Start setting up two-step sign-in: a new key, as a QR code and as text.

        Confirm it with a first code from the app (`/session/second-factor/confirm`).
        """
        return second_factor.start_enrolment(signed_in_user())


@blp.route("/session/second-factor/confirm")
class SecondFactorConfirmResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(EnrolmentCodeSchema)
    @blp.response(200, RecoveryCodesOutSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Nothing being set up")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Confirm two-step sign-in with the code the app shows; returns ten recovery codes,
        shown this once. A wrong code is 422 naming `code`."""
        codes = services.finish_enrolment(signed_in_user(), current_session(), data["code"])
        return {"recovery_codes": codes}


@blp.route("/users")
class UsersResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.arguments(DirectoryQuerySchema, location="query")
    @blp.response(200, UserOutSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[User]:
        """The directory of active users, to find colleagues to add to a core group."""
        return services.directory(query.get("q"))

    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(UserInSchema)
    @blp.response(201, CreatedUserOutSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a user (administrators). No password is given or shown: the new user is
        emailed a one-time link to set theirs; where Homelog cannot send email, the link is
        in the answer for the administrator to hand over (it expires)."""
        invitation = password_links.invite_user(signed_in_user(), services.NewUser(**data))
        return _Created(invitation)


class _Created:
    """A new user as CreatedUserOutSchema reads it: the user and how their link went."""

    def __init__(self, invitation: password_links.Invitation) -> None:
        self._user = invitation.user
        self.password_link_emailed = invitation.emailed
        self.password_link = invitation.link
        self.password_link_expires_at = invitation.expires_at

    def __getattr__(self, name: str) -> Any:
        return getattr(self._user, name)


@blp.route("/users/<id:user_id>")
class UserResource(MethodView):
    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN)
    @blp.response(200, PersonOutSchema)
    def get(self, user_id: int) -> dict[str, Any]:
        """One person, as administrators see them: role, agency, manager, when they last
        signed in, whether they have set a password and two-step sign-in."""
        return people.person(user_id)

    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(UserChangeSchema)
    @blp.response(200, PersonOutSchema)
    @blp.alt_response(409, schema=ErrorSchema, description=(
        "`not_yourself`: you cannot disable yourself or change your own role. "
        "`last_administrator`: it would leave no active administrator"))
    def patch(self, data: dict[str, Any], user_id: int) -> dict[str, Any]:
        """Change a person's name, role, profession, agency or manager, or disable or enable
        them (administrators). Disabling ends their sessions at once: their next request is
        refused. Each change is audited with what it was before."""
        return people.change_person(signed_in_user(), user_id, data)


@blp.route("/people")
class PeopleResource(MethodView):
    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN)
    @blp.arguments(PeopleQuerySchema, location="query")
    @blp.response(200, PersonOutSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Everyone with an account, active or not, by name (administrators), with when each
        last signed in. Nothing about any family: administrators manage people."""
        return people.people(query.get("q"), query.get("agency_id"), query.get("active"))


@blp.route("/users/<id:user_id>/second-factor")
class UserSecondFactorResource(MethodView):
    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.response(204)
    def delete(self, user_id: int) -> Response:
        """Reset a user's two-step sign-in (administrators): their sessions end and they
        set it up again when they next sign in. Audited."""
        user = db.session.get(User, user_id)
        if user is None:
            raise not_found("No such user.")
        services.reset_second_factor(signed_in_user(), user)
        return Response(status=204)


@blp.route("/users/<id:user_id>/password-link")
class UserPasswordLinkResource(MethodView):
    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.response(201, PasswordLinkOutSchema)
    def post(self, user_id: int) -> dict[str, Any]:
        """Send a user a new one-time link to set their password (administrators), for
        when they cannot reset it themselves. Emailed where Homelog sends email, otherwise
        returned to hand over. Their password is unchanged until the link is used. Audited."""
        user = db.session.get(User, user_id)
        if user is None:
            raise not_found("No such user.")
        sent = password_links.send_new_link(signed_in_user(), user)
        return {"emailed": sent.emailed, "link": sent.link, "expires_at": sent.expires_at}


@blp.route("/session/password")
class OwnPasswordResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(ChangePasswordSchema)
    @blp.response(204)
    def post(self, data: dict[str, Any]) -> Response:
        """Change your own password, giving your current one. Your other sessions end (this
        one goes on). A wrong current password is 422 naming `current_password` (a few in a
        row end this session too, 401); a weak new one is 422 naming `new_password`."""
        password_links.change_own_password(signed_in_user(), current_session(),
                                           data["current_password"], data["new_password"])
        return Response(status=204)


@blp.route("/password-reset")
class PasswordResetResource(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(ResetRequestSchema)
    @blp.response(202, ResetRequestedOutSchema)
    @blp.alt_response(429, schema=ErrorSchema, headers=_RETRY_AFTER, description=(
        "Too many requests from this address lately: wait (Retry-After, in seconds)"))
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Forgot your password: if an active account has this email, a one-time link to
        set a new one is emailed (it works for an hour). The answer is the same for every
        email. Where Homelog cannot send email (`email_enabled` false), nothing is sent:
        ask an administrator for a link."""
        password_links.request_reset(data["email"])
        if password_links.mail_configured():
            message = ("If this email belongs to a Homelog account, we have sent it a link "
                       "to set a new password. It works for an hour.")
        else:
            message = ("Homelog cannot send email here. Ask your administrator to send you a "
                       "link to set a new password.")
        return {"email_enabled": password_links.mail_configured(), "message": message}


@blp.route("/password-reset/complete")
class SetPasswordResource(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(SetPasswordSchema)
    @blp.response(204)
    def post(self, data: dict[str, Any]) -> Response:
        """Set a password with the token of a one-time link (a forgotten password, or a new
        account). Every session of the account's ends. A link expired, used or replaced by a
        newer one is 422 `link_not_valid` naming `token`; a weak password is 422 naming
        `password` (the link still works)."""
        password_links.set_password_with_link(data["token"], data["password"])
        return Response(status=204)


@blp.route("/agencies")
class AgenciesResource(MethodView):
    @login_required
    @blp.doc(**SIGNED_IN)
    @blp.response(200, AgencyOutSchema(many=True))
    def get(self) -> list[Any]:
        """Every agency in the partnership."""
        return services.list_agencies()

    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(AgencyInSchema)
    @blp.response(201, AgencyOutSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an agency (administrators)."""
        return services.create_agency(data["name"], data["kind"], signed_in_user())


@blp.route("/agencies/<id:agency_id>")
class AgencyResource(MethodView):
    @require_role(Role.ADMINISTRATOR)
    @blp.doc(**SIGNED_IN_WITH_CSRF)
    @blp.arguments(AgencyChangeSchema)
    @blp.response(200, AgencyOutSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Another agency has this name")
    def patch(self, data: dict[str, Any], agency_id: int) -> Any:
        """Rename an agency or change its kind (administrators); its people and their
        records stay with it. Audited, with the old name."""
        return people.rename_agency(signed_in_user(), agency_id, data.get("name"),
                                    data.get("kind"))
