"""The period an export covers, from the query string."""

from marshmallow import fields

from homelog.core.schemas import StrictSchema


class PeriodQuerySchema(StrictSchema):
    start = fields.Date(data_key="from", load_default=None, metadata={
        "description": "First day of the period (YYYY-MM-DD, partnership time); "
                       "by default the day the plan started."})
    end = fields.Date(data_key="to", load_default=None, metadata={
        "description": "Last day of the period, included (YYYY-MM-DD); by default today. "
                       "Cannot be after today or before `from`."})
