from __future__ import annotations

from datetime import datetime

import time_machine

from dsar import services as svc
from dsar.models import Channel, DataSubjectRequest, RequestType


def case_for(
    user, received: datetime, *, type: str = RequestType.ACCESS, jurisdiction: str = "uk"
) -> DataSubjectRequest:
    """A request the signed-in `user` made at `received`."""
    with time_machine.travel(received, tick=False):
        return svc.dsar_create(
            type=type,
            email=user.email,
            jurisdiction=jurisdiction,
            channel=Channel.WEB,
            subject=user,
        )
