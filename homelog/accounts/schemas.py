from marshmallow import fields, validate

from homelog.accounts.models import Profession, Role
from homelog.core.schemas import Id, OutSchema, StrictBoolean, StrictSchema


class SignInSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    otp = fields.String(load_default=None, validate=validate.Length(max=16))


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


class SessionOutSchema(OutSchema):
    user = fields.Nested(UserOutSchema)
    csrf_token = fields.String()


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
    password = fields.String(required=True)
    manager_id = Id(load_default=None, allow_none=True)


class UserChangeSchema(StrictSchema):
    active = StrictBoolean(required=True)
