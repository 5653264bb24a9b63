"""Writes on the practice side, one module per concern. Callers use this package's names
(`from records.practices import services as svc`); each function lives in exactly one
module below."""

from .appointments import (
    appointment_book,
    appointment_cancel,
    appointment_reminders_send,
    appointment_reschedule,
    availability_add,
    availability_exception_add,
    availability_remove,
    online_refusal,
)
from .clinical import clinical_entry_create
from .favorites import (
    CLINICAL_RECORD_NOTICE,
    FAVORITE_WORDING,
    favorite_create,
    favorite_delete,
    favorite_end_on_withdrawal,
    favorite_update,
)
from .profile import (
    PRACTICE_FIELDS,
    SUBSCRIPTION_FIELDS,
    is_vetpass_staff,
    join_request_create,
    join_request_decide,
    last_admin_check,
    membership_create,
    membership_create_check,
    membership_leave,
    practice_update,
    set_password_url,
    staff_create,
    staff_update,
    staff_welcome_send,
)
from .requests import record_request_answer, record_request_import
from .shares import (
    emergency_share_create,
    emergency_share_redeem,
    emergency_share_revoke,
    emergency_share_used_send,
)

__all__ = [
    "CLINICAL_RECORD_NOTICE",
    "FAVORITE_WORDING",
    "PRACTICE_FIELDS",
    "SUBSCRIPTION_FIELDS",
    "appointment_book",
    "appointment_cancel",
    "appointment_reminders_send",
    "appointment_reschedule",
    "availability_add",
    "availability_exception_add",
    "availability_remove",
    "online_refusal",
    "clinical_entry_create",
    "emergency_share_create",
    "emergency_share_redeem",
    "emergency_share_revoke",
    "emergency_share_used_send",
    "favorite_create",
    "favorite_delete",
    "favorite_end_on_withdrawal",
    "favorite_update",
    "is_vetpass_staff",
    "join_request_create",
    "join_request_decide",
    "last_admin_check",
    "membership_create",
    "membership_create_check",
    "membership_leave",
    "practice_update",
    "record_request_answer",
    "record_request_import",
    "set_password_url",
    "staff_create",
    "staff_update",
    "staff_welcome_send",
]
