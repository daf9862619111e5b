from marshmallow import fields, validate

from homelog.accounts.models import Profession, Role
from homelog.core.schemas import MAX_ID, Id, OutSchema, StrictBoolean, StrictSchema


class SignInSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    otp = fields.String(load_default=None, validate=validate.Length(max=16), metadata={
        "description": "The code from the authenticator app (six digits), or a recovery code. "
                       "Needed when the account has two-step sign-in set up: without it the "
                       "answer is 401 `second_factor_required`; ask for it and send again."})


class ConfirmPasswordSchema(StrictSchema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class ConfirmedOutSchema(OutSchema):
    recent_until = fields.DateTime(
        metadata={"description": "Until when exports are allowed without confirming again."})


class AgencyOutSchema(OutSchema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()


class UserOutSchema(OutSchema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    role = fields.Enum(Role, by_value=True)
    profession = fields.Enum(Profession, by_value=True)
    profession_label = fields.String()
    agency = fields.Nested(AgencyOutSchema)


class AdminUserOutSchema(UserOutSchema):
    active = fields.Boolean()
    manager_id = fields.Integer(allow_none=True)


class SecondFactorStateSchema(OutSchema):
    enrolled = fields.Boolean(metadata={"description": "Two-step sign-in is set up."})
    enrol_first = fields.Boolean(metadata={
        "description": "This session may only set up two-step sign-in (and sign out)."})


class SessionOutSchema(OutSchema):
    user = fields.Nested(UserOutSchema)
    csrf_token = fields.String()
    second_factor = fields.Nested(SecondFactorStateSchema)


class EnrolmentOutSchema(OutSchema):
    secret = fields.String(metadata={"description": "The key, to type into the app by hand."})
    uri = fields.String(metadata={"description": "The otpauth:// address the QR code holds."})
    qr_svg = fields.String(metadata={"description": "The QR code: an SVG data: URI."})


class EnrolmentCodeSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=6, max=16))


class RecoveryCodesOutSchema(OutSchema):
    recovery_codes = fields.List(fields.String(), metadata={
        "description": "Ten codes that each sign in once without the app: shown only now."})


class DirectoryQuerySchema(StrictSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=100))


class AgencyInSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(load_default="other", validate=validate.Length(max=40))


class UserInSchema(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    agency_id = Id(required=True)
    role = fields.Enum(Role, by_value=True, required=True)
    profession = fields.Enum(Profession, by_value=True, required=True)
    manager_id = Id(load_default=None, allow_none=True)


class UserChangeSchema(StrictSchema):
    """What an administrator may change about a person; what is left out stays as it is."""

    active = StrictBoolean(metadata={
        "description": "False stops them signing in and ends their sessions at once; true "
                       "lets them sign in again. Not yourself, nor the last administrator."})
    name = fields.String(validate=validate.Length(min=1, max=120))
    role = fields.Enum(Role, by_value=True, metadata={
        "description": "Not your own; not away from the last active administrator."})
    profession = fields.Enum(Profession, by_value=True)
    agency_id = Id()
    manager_id = Id(allow_none=True, metadata={
        "description": "Who unacknowledged flags escalate to; null for nobody."})


class PeopleQuerySchema(StrictSchema):
    q = fields.String(validate=validate.Length(max=100),
                      metadata={"description": "Part of a name or email."})
    agency_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID),
                               metadata={"description": "Only this agency's people."})
    active = fields.Boolean(truthy={"true"}, falsy={"false"}, metadata={
        "description": "Only people who may (true) or may not (false) sign in."})


class ManagerRefSchema(OutSchema):
    id = fields.Integer()
    name = fields.String()


class PersonOutSchema(AdminUserOutSchema):
    """A person as administrators see them (no family data: administrators manage people)."""

    manager = fields.Nested(ManagerRefSchema, allow_none=True)
    created_at = fields.DateTime()
    last_signed_in_at = fields.DateTime(allow_none=True, metadata={
        "description": "When they last signed in; null if never."})
    password_set = fields.Boolean(metadata={
        "description": "They have chosen a password (false: their link is not used yet)."})
    second_factor_enrolled = fields.Boolean(metadata={
        "description": "They have set up two-step sign-in."})


class AgencyChangeSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    kind = fields.String(validate=validate.Length(max=40))


class CreatedUserOutSchema(AdminUserOutSchema):
    password_link_emailed = fields.Boolean(metadata={
        "description": "The new user was emailed a link to set their password."})
    password_link = fields.String(allow_none=True, metadata={
        "description": "Only where Homelog cannot send email: a one-time link to set the "
                       "password, for the administrator to hand over (it is not a password; "
                       "it expires). Null when it was emailed."})
    password_link_expires_at = fields.DateTime()


class PasswordLinkOutSchema(OutSchema):
    emailed = fields.Boolean(metadata={"description": "The link was emailed to the user."})
    link = fields.String(allow_none=True, metadata={
        "description": "Only where Homelog cannot send email: the link to hand over."})
    expires_at = fields.DateTime()


class ChangePasswordSchema(StrictSchema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class ResetRequestSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))


class ResetRequestedOutSchema(OutSchema):
    email_enabled = fields.Boolean(metadata={
        "description": "Whether Homelog sends email. When false no link was sent: an "
                       "administrator must send a new link."})
    message = fields.String()


class SetPasswordSchema(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
