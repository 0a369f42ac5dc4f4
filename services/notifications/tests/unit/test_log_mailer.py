"""Without SMTP, an operator reads in the log the whole e-mail that was not sent."""

from __future__ import annotations

import logging

import pytest

from hoptac.notifications.adapters.mailer import LogMailer
from hoptac.notifications.domain.staff_mail import Email

pytestmark = pytest.mark.unit


async def test_the_log_shows_the_whole_message(caplog: pytest.LogCaptureFixture) -> None:
    email = Email(
        to="can-bo@lienminhhtx.camau.gov.vn",
        subject="Hồ sơ cần xác minh",
        body="Kính gửi anh/chị,\n\n3 hợp tác xã chưa được xác minh trong 12 tháng.\n",
    )
    with caplog.at_level(logging.INFO):
        await LogMailer().send(email)
    (record,) = caplog.records
    text = record.getMessage()
    assert "To: can-bo@lienminhhtx.camau.gov.vn" in text
    assert "Subject: Hồ sơ cần xác minh" in text
    assert "3 hợp tác xã chưa được xác minh trong 12 tháng." in text
